// The published Keras curves and acceptance bands in golden/published/*.json, embedded in this assembly.
// Plain data plus the one rule that needs code: the per-epoch reference is the mean of the published runs.
using System.Reflection;
using System.Text.Json;

namespace RefNet.Reproduction;

/// <summary>One published training run: per-epoch metrics keyed like Keras' History ("loss", "acc", "val_loss", "val_acc").</summary>
/// <param name="Id">Short id, e.g. "idiap".</param>
/// <param name="Label">Human-readable name for tables and plots.</param>
/// <param name="Source">Where the numbers come from (repository + path + commit, or the course slides).</param>
/// <param name="Conditions">Keras version, hardware and settings as published.</param>
/// <param name="Epochs">Metric name → one value per epoch (epoch 1 first).</param>
/// <param name="TestAccuracy">Final test accuracy of the run, when published.</param>
public sealed record PublishedRun(string Id, string Label, string Source, string Conditions,
    IReadOnlyDictionary<string, double[]> Epochs, double? TestAccuracy);

/// <summary>A golden file of published curves: the runs and the raw JSON (for the band parameters).</summary>
public sealed class PublishedCurves
{
    private PublishedCurves(string name, IReadOnlyList<PublishedRun> runs, JsonElement root)
    {
        Name = name;
        Runs = runs;
        Root = root;
    }

    /// <summary>The golden file's name, e.g. "mnist_mlp_keras".</summary>
    public string Name { get; }

    /// <summary>The published runs, in file order.</summary>
    public IReadOnlyList<PublishedRun> Runs { get; }

    /// <summary>The whole JSON document.</summary>
    public JsonElement Root { get; }

    /// <summary>Names of the curve golden files embedded in RefNet (from <c>golden/published/</c>: mnist_mlp_keras, fashion_mnist_tf_tutorial).</summary>
    public static IReadOnlyList<string> Embedded { get; } = typeof(PublishedCurves).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith("golden/published/", StringComparison.Ordinal))
        .Select(n => Path.GetFileNameWithoutExtension(n))
        .ToArray();

    /// <summary>Loads an embedded golden file by name (e.g. "mnist_mlp_keras").</summary>
    /// <exception cref="ArgumentException">No such golden file.</exception>
    public static PublishedCurves Load(string name)
    {
        Assembly assembly = typeof(PublishedCurves).Assembly;
        using Stream stream = assembly.GetManifestResourceStream($"golden/published/{name}.json")
            ?? throw new ArgumentException($"No embedded golden file '{name}' (have: {string.Join(", ", Embedded)})", nameof(name));
        return Parse(name, stream);
    }

    /// <summary>Parses a golden file from a stream.</summary>
    /// <param name="name">Name to report.</param>
    /// <param name="stream">UTF-8 JSON.</param>
    public static PublishedCurves Parse(string name, Stream stream)
    {
        using JsonDocument doc = JsonDocument.Parse(stream);
        JsonElement root = doc.RootElement.Clone();
        var runs = new List<PublishedRun>();
        foreach (JsonElement run in root.GetProperty("runs").EnumerateArray())
        {
            var epochs = new Dictionary<string, double[]>();
            foreach (JsonProperty metric in run.GetProperty("epochs").EnumerateObject())
            {
                epochs[metric.Name] = metric.Value.EnumerateArray().Select(v => v.GetDouble()).ToArray();
            }
            JsonElement source = run.GetProperty("source");
            string sourceText = source.TryGetProperty("repository", out JsonElement repo)
                ? $"{repo.GetString()} {source.GetProperty("path").GetString()} @ {source.GetProperty("commit").GetString()}"
                : source.GetProperty("note").GetString() ?? string.Empty;
            double? test = run.TryGetProperty("test_accuracy", out JsonElement t) ? t.GetDouble() : null;
            runs.Add(new PublishedRun(run.GetProperty("id").GetString()!, run.GetProperty("label").GetString()!, sourceText,
                run.GetProperty("conditions").GetString() ?? string.Empty, epochs, test));
        }
        return new PublishedCurves(name, runs, root);
    }

    /// <summary>The reference value of a metric at a 1-based epoch: the mean over the runs that publish it.</summary>
    /// <returns>The mean, or null when no run has that epoch.</returns>
    public double? Reference(string metric, int epoch)
    {
        double[] values = Runs
            .Where(r => r.Epochs.TryGetValue(metric, out double[]? v) && v.Length >= epoch)
            .Select(r => r.Epochs[metric][epoch - 1])
            .ToArray();
        return values.Length == 0 ? null : values.Average();
    }

    /// <summary>A number from the band section, e.g. Band("val_acc", "half_width").</summary>
    public double Band(string metric, string field) => Root.GetProperty("band").GetProperty(metric).GetProperty(field).GetDouble();
}
