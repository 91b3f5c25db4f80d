// History: what Fit returns, one list of per-epoch values per metric (Keras' History.history).
namespace RefNet.Engine;

/// <summary>Per-epoch training record, keyed like Keras ("loss", "acc", "val_loss", "val_acc").</summary>
public sealed class History
{
    /// <summary>metric name → value per epoch.</summary>
    public Dictionary<string, List<double>> Values { get; } = new();

    /// <summary>Epoch numbers (0-based) that were run.</summary>
    public List<int> Epochs { get; } = new();

    /// <summary>Values of one metric, one per epoch.</summary>
    public IReadOnlyList<double> this[string metric] =>
        Values.TryGetValue(metric, out var v) ? v : throw new KeyNotFoundException($"History has no metric '{metric}' (has: {string.Join(", ", Values.Keys)})");

    /// <summary>Appends one epoch's logs.</summary>
    public void Add(int epoch, IReadOnlyDictionary<string, double> logs)
    {
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
}
