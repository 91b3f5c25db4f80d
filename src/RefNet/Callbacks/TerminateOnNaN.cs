// TerminateOnNaN: stop training as soon as a batch loss is NaN or infinite (Keras semantics), or, beyond Keras, as soon
// as a weight is: a NaN can enter the weights through a gradient while the loss still looks finite.
// Training ends right after the offending batch; the partial epoch is still reported.
namespace RefNet.Callbacks;

/// <summary>Stops Fit after a batch whose loss is NaN or ±∞ (Keras <c>TerminateOnNaN</c>), or after which a weight is.</summary>
public sealed class TerminateOnNaN : Callback
{
    private readonly TextWriter? _log;

    /// <summary>Creates the callback.</summary>
    /// <param name="log">Where the "Batch N: Invalid loss, terminating training" message goes (Console.Out when null).</param>
    /// <param name="checkWeights">Also check every weight after each batch (one reduction per weight on the backend).</param>
    public TerminateOnNaN(TextWriter? log = null, bool checkWeights = true)
    {
        _log = log;
        CheckWeights = checkWeights;
    }

    /// <summary>Whether the weights are checked after each batch, not only the loss.</summary>
    public bool CheckWeights { get; }

    /// <summary>The batch (0-based, within its epoch) whose loss or weights were invalid; -1 when none was.</summary>
    public int TerminatedAtBatch { get; private set; } = -1;

    /// <summary>Why training stopped ("loss NaN", or the weight and element), null when it did not.</summary>
    public string? Reason { get; private set; }

    /// <inheritdoc/>
    public override void OnTrainBegin()
    {
        TerminatedAtBatch = -1;
        Reason = null;
    }

    /// <inheritdoc/>
    public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, double> logs)
    {
        if (logs.TryGetValue("loss", out double loss) && !double.IsFinite(loss))
        {
            Stop(batch, $"loss {loss.ToString(System.Globalization.CultureInfo.InvariantCulture)}", $"Batch {batch}: Invalid loss, terminating training");
        }
        else if (CheckWeights && RequireModel().FirstNonFiniteWeight() is { } bad)
        {
            Stop(batch, $"weight {bad}", $"Batch {batch}: Invalid weight {bad}, terminating training");
        }
    }

    private void Stop(int batch, string reason, string message)
    {
        TerminatedAtBatch = batch;
        Reason = reason;
        (_log ?? Console.Out).WriteLine(message);
        RequireModel().StopTraining = true;
    }
}
