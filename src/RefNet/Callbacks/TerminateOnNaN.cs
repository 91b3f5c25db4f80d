// TerminateOnNaN: stop training as soon as a batch loss is NaN or infinite (Keras semantics).
// Training ends right after the offending batch; the partial epoch is still reported.
namespace RefNet.Callbacks;

/// <summary>Stops Fit after a batch whose loss is NaN or ±∞ (Keras <c>TerminateOnNaN</c>).</summary>
public sealed class TerminateOnNaN : Callback
{
    private readonly TextWriter? _log;

    /// <summary>Creates the callback.</summary>
    /// <param name="log">Where the "Batch N: Invalid loss, terminating training" message goes (Console.Out when null).</param>
    public TerminateOnNaN(TextWriter? log = null) => _log = log;

    /// <summary>The batch (0-based, within its epoch) whose loss was invalid; -1 when none was.</summary>
    public int TerminatedAtBatch { get; private set; } = -1;

    /// <inheritdoc/>
    public override void OnTrainBegin() => TerminatedAtBatch = -1;

    /// <inheritdoc/>
    public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, double> logs)
    {
        if (logs.TryGetValue("loss", out double loss) && !double.IsFinite(loss))
        {
            TerminatedAtBatch = batch;
            (_log ?? Console.Out).WriteLine($"Batch {batch}: Invalid loss, terminating training");
            RequireModel().StopTraining = true;
        }
    }
}
