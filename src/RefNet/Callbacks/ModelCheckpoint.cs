// ModelCheckpoint: save the network at the end of epochs, optionally only when a monitored value improves.
// The path may contain Keras/Python placeholders such as "{epoch:02d}" or "{val_loss:.4f}".
using System.Globalization;
using System.Text.RegularExpressions;
using RefNet.Engine;

namespace RefNet.Callbacks;

/// <summary>Saves the network after each epoch (Keras <c>ModelCheckpoint</c>).</summary>
/// <remarks>The file name is <c>path.format(epoch=epoch+1, **logs)</c> as in Keras: placeholders
/// <c>{name}</c>, <c>{name:0Nd}</c>, <c>{name:.Nf}</c> and <c>{name:.Ne}</c>, where name is "epoch" (1-based)
/// or a log key. With <see cref="SaveBestOnly"/> a file is written only when <see cref="Monitor"/> improves on
/// the best value so far (strictly; "auto" mode maximises keys containing "acc"). Saves are atomic. A model with a NaN or
/// ±∞ weight is never written (unlike Keras): the epoch is logged as skipped, <see cref="SkippedNonFinite"/> records it,
/// and the last good file stays as it was. The whole-model file carries the training state (Keras' default
/// <c>include_optimizer</c>), so a run killed at any point resumes from the newest file to bitwise the same weights
/// (<see cref="Engine.Network{T}.Fit"/>'s <c>initialEpoch</c>).</remarks>
public sealed partial class ModelCheckpoint : Callback
{
    private readonly bool _maximise;

    /// <summary>Creates the callback.</summary>
    /// <param name="path">File path, possibly with placeholders.</param>
    /// <param name="monitor">Log key compared when <paramref name="saveBestOnly"/> is set.</param>
    /// <param name="saveBestOnly">Save only on improvement.</param>
    /// <param name="saveWeightsOnly">Save weights only (<c>SaveWeights</c>) instead of the whole model (<c>Save</c>).</param>
    /// <param name="mode">"auto", "min" or "max".</param>
    /// <param name="includeOptimizer">Whole-model files also carry the training state (Keras' default); ignored with
    /// <paramref name="saveWeightsOnly"/>.</param>
    /// <param name="log">Where a skipped non-finite save is reported (Console.Out when null).</param>
    public ModelCheckpoint(string path, string monitor = "val_loss", bool saveBestOnly = false, bool saveWeightsOnly = false, string mode = "auto",
        bool includeOptimizer = true, TextWriter? log = null)
    {
        IncludeOptimizer = includeOptimizer;
        _log = log;
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentException.ThrowIfNullOrWhiteSpace(monitor);
        Path = path;
        Monitor = monitor;
        SaveBestOnly = saveBestOnly;
        SaveWeightsOnly = saveWeightsOnly;
        _maximise = ResolveMaximise(mode, monitor);
        Best = _maximise ? double.NegativeInfinity : double.PositiveInfinity;
    }

    /// <summary>The path template.</summary>
    public string Path { get; }

    /// <summary>The log key compared for <see cref="SaveBestOnly"/>.</summary>
    public string Monitor { get; }

    /// <summary>Whether only improvements are saved.</summary>
    public bool SaveBestOnly { get; }

    /// <summary>Whether only the weights are saved.</summary>
    public bool SaveWeightsOnly { get; }

    /// <summary>Best monitored value so far.</summary>
    public double Best { get; private set; }

    /// <summary>Files written so far, in order.</summary>
    public List<string> SavedPaths { get; } = [];

    /// <summary>Whether whole-model files carry the training state.</summary>
    public bool IncludeOptimizer { get; }

    /// <summary>Epochs (1-based) whose save was skipped because a weight was NaN or ±∞, with the weight named.</summary>
    public List<(int Epoch, string Weight)> SkippedNonFinite { get; } = [];

    private readonly TextWriter? _log;
    private bool _warnedStateless;

    /// <summary>Epochs (1-based) whose save was skipped because a callback stopped training inside them.</summary>
    public List<int> SkippedIncomplete { get; } = [];

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        string file = FormatPath(Path, epoch + 1, logs);
        if (SaveBestOnly)
        {
            if (!logs.TryGetValue(Monitor, out double current))
            {
                return;
            }
            bool improved = _maximise ? current > Best : current < Best;
            if (!improved)
            {
                return;
            }
        }
        INetwork model = RequireModel();
        if (model.CompletedEpochs != epoch + 1)
        {
            // A callback stopped training inside this epoch: its weights are neither epoch's, and a resume from them
            // would repeat the epoch's first batches. Keep the previous file.
            SkippedIncomplete.Add(epoch + 1);
            (_log ?? Console.Out).WriteLine($"Epoch {epoch + 1}: not saving {file}: training stopped inside the epoch" +
                (SavedPaths.Count > 0 ? $"; {SavedPaths[^1]} is kept" : ""));
            return;
        }
        if (model.FirstNonFiniteWeight() is { } bad)
        {
            SkippedNonFinite.Add((epoch + 1, bad));
            string kept = SavedPaths.Count > 0 ? $"; {SavedPaths[^1]} is kept" : "";
            (_log ?? Console.Out).WriteLine($"Epoch {epoch + 1}: not saving {file}: weight {bad}{kept}");
            return;
        }
        if (SaveBestOnly)
        {
            Best = logs[Monitor];
        }
        if (SaveWeightsOnly)
        {
            model.SaveWeights(file);
        }
        else if (IncludeOptimizer && model.TrainingStateUnsupported is { } why)
        {
            if (!_warnedStateless)
            {
                (_log ?? Console.Out).WriteLine($"ModelCheckpoint: saving without the training state ({why}): such files load uncompiled and cannot resume exactly");
                _warnedStateless = true;
            }
            model.Save(file, includeOptimizer: false);
        }
        else
        {
            model.Save(file, IncludeOptimizer);
        }
        SavedPaths.Add(file);
    }

    /// <summary>Fills Python-style placeholders: "{epoch:02d}" with the 1-based epoch, "{val_loss:.4f}" from the logs.</summary>
    /// <exception cref="ArgumentException">A placeholder names an unknown key or uses an unsupported format.</exception>
    public static string FormatPath(string template, int epoch, IDictionary<string, double> logs)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(logs);
        return Placeholder().Replace(template, match =>
        {
            string key = match.Groups[1].Value;
            string spec = match.Groups[2].Success ? match.Groups[2].Value : string.Empty;
            double value;
            if (key == "epoch")
            {
                value = epoch;
            }
            else if (!logs.TryGetValue(key, out value))
            {
                throw new ArgumentException($"Checkpoint path '{template}' uses '{{{key}}}', but the logs have only: {string.Join(", ", logs.Keys)}", nameof(template));
            }
            return FormatNumber(value, spec, key == "epoch", template);
        });
    }

    private static string FormatNumber(double value, string spec, bool isInteger, string template)
    {
        if (spec.Length == 0)
        {
            return isInteger ? ((long)value).ToString(CultureInfo.InvariantCulture) : value.ToString("R", CultureInfo.InvariantCulture);
        }
        Match m = FormatSpec().Match(spec);
        if (!m.Success)
        {
            throw new ArgumentException($"Checkpoint path '{template}': unsupported format '{spec}' (use Nd, 0Nd, .Nf or .Ne)", nameof(template));
        }
        if (m.Groups["width"].Success)
        {
            int width = int.Parse(m.Groups["width"].Value, CultureInfo.InvariantCulture);
            string digits = ((long)value).ToString(m.Groups["zero"].Value == "0" ? "D" + width : "D", CultureInfo.InvariantCulture);
            return digits.PadLeft(width);
        }
        int precision = int.Parse(m.Groups["precision"].Value, CultureInfo.InvariantCulture);
        return m.Groups["kind"].Value == "f"
            ? value.ToString("F" + precision, CultureInfo.InvariantCulture)
            : value.ToString("0." + new string('0', precision) + "e+00", CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"\{(\w+)(?::([^}]*))?\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"^(?:(?<zero>0?)(?<width>\d+)d|\.(?<precision>\d+)(?<kind>[fe]))$")]
    private static partial Regex FormatSpec();
}
