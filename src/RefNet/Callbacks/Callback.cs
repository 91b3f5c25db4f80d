// The callback contract: hooks Fit calls at the start and end of training, of each epoch and of each batch.
// Keras 2 order: user callbacks run before History records the epoch and before the progress line is finished.
using RefNet.Engine;

namespace RefNet.Callbacks;

/// <summary>Base class of training callbacks (Keras <c>keras.callbacks.Callback</c>); override the hooks you need.</summary>
/// <remarks>Epochs and batches are numbered from 0 as in Keras. Epoch logs hold "loss", the compiled metrics
/// and, with validation data, their "val_" counterparts; callbacks may add entries (LearningRateScheduler
/// adds "lr"), which History then records. Batch logs hold "batch", "size", "loss" and the metrics of that
/// batch; the same dictionary is reused for every batch, so copy it to keep it.</remarks>
public abstract class Callback
{
    /// <summary>The network being trained (set by Fit before <see cref="OnTrainBegin"/>).</summary>
    public INetwork? Model { get; private set; }

    /// <summary>Attaches the network (Keras <c>set_model</c>).</summary>
    public virtual void SetModel(INetwork model) => Model = model ?? throw new ArgumentNullException(nameof(model));

    /// <summary>Called once before the first epoch.</summary>
    public virtual void OnTrainBegin()
    {
    }

    /// <summary>Called once after the last epoch (also when training was stopped early).</summary>
    public virtual void OnTrainEnd()
    {
    }

    /// <summary>Called at the start of each epoch.</summary>
    public virtual void OnEpochBegin(int epoch)
    {
    }

    /// <summary>Called at the end of each epoch with its logs (mutable: entries added here reach History).</summary>
    public virtual void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
    }

    /// <summary>Called after each gradient step with that batch's values.</summary>
    public virtual void OnBatchEnd(int batch, IReadOnlyDictionary<string, double> logs)
    {
    }

    /// <summary>The network, or a clear error when the callback is used outside Fit.</summary>
    protected INetwork RequireModel() =>
        Model ?? throw new InvalidOperationException($"{GetType().Name} is not attached to a network; pass it to Fit(callbacks: ...)");

    /// <summary>Keras' "auto" mode: maximise metrics whose name contains "acc", minimise everything else.</summary>
    internal static bool ResolveMaximise(string mode, string monitor) => mode.Trim().ToLowerInvariant() switch
    {
        "min" => false,
        "max" => true,
        "auto" => monitor.Contains("acc", StringComparison.Ordinal),
        _ => throw new ArgumentException($"mode must be 'auto', 'min' or 'max', got '{mode}'", nameof(mode)),
    };
}
