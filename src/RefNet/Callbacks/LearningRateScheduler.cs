// LearningRateScheduler: sets the optimizer's learning rate at the start of every epoch from a schedule.
// Keras 2.2.4 semantics: schedule(epoch, current lr) → new lr; the rate in use is logged as "lr".
namespace RefNet.Callbacks;

/// <summary>Sets η = schedule(epoch, η) before each epoch (Keras <c>LearningRateScheduler</c>).</summary>
/// <remarks>Epochs are 0-based. The learning rate is the optimizer's base rate; Keras 2 <c>decay</c>, if any,
/// still applies on top. The epoch's rate is added to the logs under "lr" (as Keras 2.2.4), so it appears in History.</remarks>
public sealed class LearningRateScheduler : Callback
{
    private readonly Func<int, double, double> _schedule;

    /// <summary>Creates the callback.</summary>
    /// <param name="schedule">(epoch, current learning rate) → learning rate for this epoch.</param>
    public LearningRateScheduler(Func<int, double, double> schedule) =>
        _schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));

    /// <inheritdoc/>
    public override void OnEpochBegin(int epoch)
    {
        var optimizer = RequireModel().Optimizer
            ?? throw new InvalidOperationException("LearningRateScheduler needs a compiled optimizer");
        double lr = _schedule(epoch, optimizer.LearningRate);
        if (!double.IsFinite(lr) || lr < 0)
        {
            throw new InvalidOperationException($"The schedule returned learning rate {lr} for epoch {epoch}; it must be finite and non-negative");
        }
        optimizer.LearningRate = lr;
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        if (RequireModel().Optimizer is { } optimizer)
        {
            logs["lr"] = optimizer.LearningRate;
        }
    }
}
