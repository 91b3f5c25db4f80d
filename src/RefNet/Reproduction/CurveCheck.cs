// Acceptance checks of a training run against a band around published Keras curves.
// Each check is one number, its interval and the reason for the interval; a verdict is all of them.
namespace RefNet.Reproduction;

/// <summary>One judged number: a metric at an epoch (0 for the final test evaluation) and its accepted interval.</summary>
/// <param name="Metric">"loss", "acc", "val_loss", "val_acc" or "test_acc".</param>
/// <param name="Epoch">1-based epoch; 0 for the test evaluation after training.</param>
/// <param name="Value">RefNet's value.</param>
/// <param name="Reference">Centre of the interval (the published reference).</param>
/// <param name="Low">Lowest accepted value.</param>
/// <param name="High">Highest accepted value.</param>
public sealed record CurveCheck(string Metric, int Epoch, double Value, double Reference, double Low, double High)
{
    /// <summary>True when <see cref="Value"/> lies in [<see cref="Low"/>, <see cref="High"/>] (a small slack absorbs decimal rounding of the bounds).</summary>
    public bool Pass => Value >= Low - 1e-12 && Value <= High + 1e-12;
}

/// <summary>All checks of one run.</summary>
/// <param name="Checks">Every judged number.</param>
/// <param name="NotJudgedReason">When set, the run was not judged (e.g. trained on a subset) and <see cref="Checks"/> is informative only.</param>
public sealed record CurveVerdict(IReadOnlyList<CurveCheck> Checks, string? NotJudgedReason = null)
{
    /// <summary>True when the run was judged and every check passed.</summary>
    public bool Pass => NotJudgedReason is null && Checks.All(c => c.Pass);

    /// <summary>The checks of one metric, in epoch order.</summary>
    public IEnumerable<CurveCheck> For(string metric) => Checks.Where(c => c.Metric == metric);

    /// <summary>True when every check of <paramref name="metric"/> passed.</summary>
    public bool MetricPasses(string metric) => For(metric).All(c => c.Pass);
}
