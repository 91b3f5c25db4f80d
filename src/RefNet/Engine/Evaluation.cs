// Evaluation: what Evaluate returns — the loss and every compiled metric, with accuracy easy to reach.
// Deconstructs to (loss, accuracy) so `var (loss, acc) = net.Evaluate(x, y)` works.
using RefNet.Metrics;

namespace RefNet.Engine;

/// <summary>Loss and metrics of a network on a data set in inference mode (Keras <c>evaluate</c>).</summary>
public sealed class Evaluation
{
    /// <summary>Creates a result from its logs ("loss" plus metric keys).</summary>
    public Evaluation(IReadOnlyDictionary<string, double> values)
    {
        Values = values ?? throw new ArgumentNullException(nameof(values));
    }

    /// <summary>Every value by key: "loss", "acc", "mean_squared_error", ...</summary>
    public IReadOnlyDictionary<string, double> Values { get; }

    /// <summary>The loss, including regularization penalties (as Keras reports it).</summary>
    public double Loss => Values["loss"];

    /// <summary>The accuracy, or NaN when "accuracy" was not compiled.</summary>
    public double Accuracy => Values.TryGetValue("acc", out double a) ? a : double.NaN;

    /// <summary>A value by key or short name ("accuracy", "mse").</summary>
    /// <exception cref="KeyNotFoundException">The metric was not compiled.</exception>
    public double this[string metric] =>
        Values.TryGetValue(metric, out double v) || Values.TryGetValue(Metric.CanonicalKey(metric) ?? metric, out v)
            ? v
            : throw new KeyNotFoundException($"No metric '{metric}' (have: {string.Join(", ", Values.Keys)})");

    /// <summary>(loss, accuracy), the shape Evaluate used to return.</summary>
    public void Deconstruct(out double loss, out double accuracy)
    {
        loss = Loss;
        accuracy = Accuracy;
    }

    /// <inheritdoc/>
    public override string ToString() => string.Join(" - ", Values.Select(kv => $"{kv.Key}: {kv.Value:F4}"));
}
