// Log-loss as scikit-learn's log_loss reports it: the mean of −ln p(true class), no renormalisation.
// A host-side reference formula for checking Keras numbers; favours clarity over speed.
namespace RefNet.Metrics;

/// <summary>Log-loss (cross-entropy) of probability predictions, like scikit-learn's <c>log_loss</c>.</summary>
public static class LogLoss
{
    /// <summary>−(1/N) Σ_i ln clip(p[i, label_i], ε, 1−ε).</summary>
    /// <param name="labels">True class index per row.</param>
    /// <param name="probabilities">Rows of predicted probabilities (not renormalised).</param>
    /// <param name="epsilon">Clip bound; 1e-15 as in older scikit-learn.</param>
    /// <exception cref="ArgumentException">Row count or a label does not fit.</exception>
    public static double Compute(IReadOnlyList<int> labels, double[][] probabilities, double epsilon = 1e-15)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(probabilities);
        if (labels.Count != probabilities.Length || labels.Count == 0)
        {
            throw new ArgumentException($"log-loss needs one label per row: {labels.Count} labels, {probabilities.Length} rows");
        }
        double total = 0;
        for (int i = 0; i < labels.Count; i++)
        {
            if ((uint)labels[i] >= (uint)probabilities[i].Length)
            {
                throw new ArgumentException($"Label {labels[i]} of row {i} is outside 0..{probabilities[i].Length - 1}");
            }
            total -= Math.Log(Math.Clamp(probabilities[i][labels[i]], epsilon, 1 - epsilon));
        }
        return total / labels.Count;
    }
}
