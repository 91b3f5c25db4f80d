// EarlyStopping: stop training when a monitored value has stopped improving (Keras 2.2.4 semantics).
// Optionally puts back the weights of the best epoch when it stops.
namespace RefNet.Callbacks;

/// <summary>Stops Fit after <see cref="Patience"/> epochs without improvement of <see cref="Monitor"/> (Keras <c>EarlyStopping</c>).</summary>
/// <remarks>An epoch improves when current − minDelta &gt; best (mode max) or current + minDelta &lt; best (mode min).
/// After an improvement the wait counter resets; otherwise it grows, and training stops when it reaches
/// <see cref="Patience"/>. With <see cref="RestoreBestWeights"/> the weights of the best epoch are put back
/// when training is stopped by this callback (as Keras 2.2.4, not when the epochs simply run out).
/// An epoch whose logs lack the monitored key is skipped.</remarks>
public sealed class EarlyStopping : Callback
{
    private readonly bool _maximise;
    private int _wait;
    private double[][]? _bestWeights;

    /// <summary>Creates the callback.</summary>
    /// <param name="monitor">Log key to watch, e.g. "val_loss" (Keras default).</param>
    /// <param name="minDelta">Smallest change that counts as an improvement (its absolute value is used).</param>
    /// <param name="patience">Epochs without improvement before stopping.</param>
    /// <param name="mode">"auto" (max for names containing "acc"), "min" or "max".</param>
    /// <param name="restoreBestWeights">Put back the best epoch's weights when stopping.</param>
    /// <param name="baseline">Value the monitored quantity must improve on (Keras <c>baseline</c>); none when null.</param>
    public EarlyStopping(string monitor = "val_loss", double minDelta = 0, int patience = 0, string mode = "auto", bool restoreBestWeights = false,
        double? baseline = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(monitor);
        if (patience < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(patience), $"patience must be non-negative, got {patience}");
        }
        Monitor = monitor;
        MinDelta = Math.Abs(minDelta);
        Patience = patience;
        _maximise = ResolveMaximise(mode, monitor);
        RestoreBestWeights = restoreBestWeights;
        Baseline = baseline;
    }

    /// <summary>The value to beat at the start, or null.</summary>
    public double? Baseline { get; }

    /// <summary>The watched log key.</summary>
    public string Monitor { get; }

    /// <summary>Minimum improvement.</summary>
    public double MinDelta { get; }

    /// <summary>Epochs to wait.</summary>
    public int Patience { get; }

    /// <summary>Whether the best weights are restored on stopping.</summary>
    public bool RestoreBestWeights { get; }

    /// <summary>Best value seen so far.</summary>
    public double Best { get; private set; }

    /// <summary>Epoch (0-based) at which training was stopped; -1 when it was not.</summary>
    public int StoppedEpoch { get; private set; } = -1;

    /// <inheritdoc/>
    public override void OnTrainBegin()
    {
        _wait = 0;
        StoppedEpoch = -1;
        _bestWeights = null;
        Best = Baseline ?? (_maximise ? double.NegativeInfinity : double.PositiveInfinity);
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        if (!logs.TryGetValue(Monitor, out double current))
        {
            return;
        }
        bool improved = _maximise ? current - MinDelta > Best : current + MinDelta < Best;
        if (improved)
        {
            Best = current;
            _wait = 0;
            if (RestoreBestWeights)
            {
                _bestWeights = RequireModel().GetWeights();
            }
            return;
        }
        _wait++;
        if (_wait >= Patience)
        {
            StoppedEpoch = epoch;
            RequireModel().StopTraining = true;
            if (RestoreBestWeights && _bestWeights is not null)
            {
                RequireModel().SetWeights(_bestWeights);
            }
        }
    }
}
