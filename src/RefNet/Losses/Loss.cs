// Loss functions with Keras 2 semantics: per-sample values reduced by the mean over the batch
// (or the sum), probabilities clipped to [ε, 1−ε] with ε = 1e-7.
using System.Numerics;
using RefNet.Backends;
using RefNet.Tensors;

namespace RefNet.Losses;

/// <summary>How per-sample losses are combined.</summary>
public enum Reduction
{
    /// <summary>Mean over the batch (Keras' default, SUM_OVER_BATCH_SIZE).</summary>
    SumOverBatchSize,

    /// <summary>Sum over the batch (the slides' J = Σ over observations).</summary>
    Sum,
}

/// <summary>A loss J(ŷ, y): <see cref="Value{T}"/> and <see cref="Gradient{T}"/> = ∂J/∂ŷ.</summary>
/// <remarks>The gradient is taken through Keras' clipping exactly (zero where the clip is active) and
/// is never fused with the output activation: softmax/sigmoid backpropagate on their own, which is what
/// the gradient checks verify.</remarks>
public abstract class Loss
{
    /// <summary>Creates a loss.</summary>
    protected Loss(LossKind kind, Reduction reduction, double epsilon)
    {
        Kind = kind;
        Reduction = reduction;
        Epsilon = epsilon;
    }

    /// <summary>Which backend loss this is.</summary>
    public LossKind Kind { get; }

    /// <summary>Mean or sum over the batch.</summary>
    public Reduction Reduction { get; }

    /// <summary>Clipping ε (Keras backend epsilon, 1e-7).</summary>
    public double Epsilon { get; }

    /// <summary>Keras name, e.g. "categorical_crossentropy".</summary>
    public abstract string Name { get; }

    /// <summary>J(ŷ, y) for a batch.</summary>
    /// <param name="backend">Backend the tensors live on.</param>
    /// <param name="predictions">ŷ, shape (batch, ...).</param>
    /// <param name="targets">y, same shape.</param>
    /// <param name="perSample">Optional scratch of shape (batch,) that receives the per-sample losses.</param>
    public double Value<T>(IBackend<T> backend, Tensor<T> predictions, Tensor<T> targets, Tensor<T>? perSample = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(predictions);
        Tensor<T> scratch = perSample ?? backend.Allocate(new Shape(predictions.Rows));
        try
        {
            backend.LossForward(Kind, predictions, targets, scratch, T.CreateChecked(Epsilon));
            double total = double.CreateChecked(backend.Sum(scratch));
            return Reduction == Reduction.Sum ? total : total / predictions.Rows;
        }
        finally
        {
            if (perSample is null)
            {
                scratch.Storage.Dispose(); // device memory of a scratch made here goes back at once
            }
        }
    }

    /// <summary>gradient = ∂J/∂ŷ.</summary>
    public void Gradient<T>(IBackend<T> backend, Tensor<T> predictions, Tensor<T> targets, Tensor<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T scale = Reduction == Reduction.Sum ? T.One : T.One / T.CreateChecked(predictions.Rows);
        backend.LossBackward(Kind, predictions, targets, scale, gradient, T.CreateChecked(Epsilon));
    }

    /// <summary>Looks up a loss by Keras name ("mse", "binary_crossentropy", "categorical_crossentropy", "mae").</summary>
    public static Loss FromName(string name) => name.Trim().ToLowerInvariant() switch
    {
        "mse" or "mean_squared_error" => new MeanSquaredError(),
        "mae" or "mean_absolute_error" => new MeanAbsoluteError(),
        "binary_crossentropy" or "bce" => new BinaryCrossentropy(),
        "categorical_crossentropy" or "cce" => new CategoricalCrossentropy(),
        _ => throw new ArgumentException($"Unknown loss '{name}' (expected mse, mae, binary_crossentropy or categorical_crossentropy)", nameof(name)),
    };
}

/// <summary>MSE: J = mean_batch( mean_features (ŷ − y)² ); ∂J/∂ŷ = 2(ŷ − y)/(B·D).</summary>
public sealed class MeanSquaredError(Reduction reduction = Reduction.SumOverBatchSize)
    : Loss(LossKind.MeanSquaredError, reduction, 1e-7)
{
    /// <inheritdoc/>
    public override string Name => "mean_squared_error";
}

/// <summary>MAE: J = mean_batch( mean_features |ŷ − y| ); ∂J/∂ŷ = sign(ŷ − y)/(B·D), sign(0) = 0.</summary>
public sealed class MeanAbsoluteError(Reduction reduction = Reduction.SumOverBatchSize)
    : Loss(LossKind.MeanAbsoluteError, reduction, 1e-7)
{
    /// <inheritdoc/>
    public override string Name => "mean_absolute_error";
}

/// <summary>Binary cross-entropy: J = mean_batch( mean_features −[y ln p + (1−y) ln(1−p)] ), p = clip(ŷ, ε, 1−ε).</summary>
/// <remarks>Keras 2.0.8 TF backend: clip, convert to logits, sigmoid_cross_entropy_with_logits, which equals
/// the formula above. ∂J/∂ŷ = (ŷ − y)/(ŷ(1−ŷ)·B·D) inside the clip range, 0 outside.</remarks>
public sealed class BinaryCrossentropy(Reduction reduction = Reduction.SumOverBatchSize, double epsilon = 1e-7)
    : Loss(LossKind.BinaryCrossentropy, reduction, epsilon)
{
    /// <inheritdoc/>
    public override string Name => "binary_crossentropy";
}

/// <summary>Categorical cross-entropy: J = mean_batch( −Σ_j y_j ln clip(ŷ_j / Σ_k ŷ_k, ε, 1−ε) ).</summary>
/// <remarks>Keras 2.0.8 renormalises each row before clipping, so rows that do not sum to 1 are
/// rescaled (the 10-customer table gives 1.3399534, not 1.3400536; see <see cref="Metrics.LogLoss"/>).</remarks>
public sealed class CategoricalCrossentropy(Reduction reduction = Reduction.SumOverBatchSize, double epsilon = 1e-7)
    : Loss(LossKind.CategoricalCrossentropy, reduction, epsilon)
{
    /// <inheritdoc/>
    public override string Name => "categorical_crossentropy";
}
