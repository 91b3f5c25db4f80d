// History: what Fit returns, one list of per-epoch values per metric (Keras' History.history).
using RefNet.Metrics;

namespace RefNet.Engine;

/// <summary>Per-epoch training record, keyed like Keras 2 ("loss", "acc", "val_loss", "val_acc", "mean_squared_error", ...).</summary>
public sealed class History
{
    /// <summary>metric name → value per epoch.</summary>
    public Dictionary<string, List<double>> Values { get; } = new();

    /// <summary>Epoch numbers (0-based) that were run.</summary>
    public List<int> Epochs { get; } = new();

    /// <summary>Values of one metric, one per epoch; short names work too ("accuracy" → "acc", "val_mse" → "val_mean_squared_error").</summary>
    /// <exception cref="KeyNotFoundException">No such metric was recorded.</exception>
    public IReadOnlyList<double> this[string metric]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(metric);
            if (Values.TryGetValue(metric, out var v) || Values.TryGetValue(Resolve(metric), out v))
            {
                return v;
            }
            throw new KeyNotFoundException($"History has no metric '{metric}' (has: {string.Join(", ", Values.Keys)})");
        }
    }

    /// <summary>True when <paramref name="metric"/> (or its Keras 2 key) was recorded.</summary>
    public bool Contains(string metric) => Values.ContainsKey(metric) || Values.ContainsKey(Resolve(metric));

    /// <summary>Appends one epoch's logs.</summary>
    public void Add(int epoch, IEnumerable<KeyValuePair<string, double>> logs)
    {
        ArgumentNullException.ThrowIfNull(logs);
        Epochs.Add(epoch);
        foreach (var (k, v) in logs)
        {
            if (!Values.TryGetValue(k, out var list))
            {
                Values[k] = list = new List<double>();
            }
            list.Add(v);
        }
    }

    private static string Resolve(string metric)
    {
        const string prefix = "val_";
        bool validation = metric.StartsWith(prefix, StringComparison.Ordinal);
        string name = validation ? metric[prefix.Length..] : metric;
        string? key = Metric.CanonicalKey(name);
        return key is null ? metric : (validation ? prefix + key : key);
    }
}
