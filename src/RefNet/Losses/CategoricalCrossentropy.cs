// Categorical cross-entropy: J = mean_batch( −Σ_j y_j ln clip(ŷ_j / Σ_k ŷ_k, ε, 1−ε) ).
// Keras 2 renormalises each row before clipping; the gradient goes through both. Favours clarity over speed.
using System.Numerics;
using RefNet.Backends;
using RefNet.Tensors;

namespace RefNet.Losses;

/// <summary>Categorical cross-entropy of probabilities (Keras "categorical_crossentropy").</summary>
/// <remarks>Keras 2.0.8 renormalises each row before clipping, so rows that do not sum to 1 are
/// rescaled (the 10-customer table gives 1.3399534, not 1.3400536; see <see cref="Metrics.LogLoss"/>).</remarks>
public sealed class CategoricalCrossentropy(Reduction reduction = Reduction.SumOverBatchSize, double epsilon = 1e-7) : Loss(reduction, epsilon)
{
    /// <inheritdoc/>
    public override string Name => "categorical_crossentropy";

    /// <inheritdoc/>
    protected override bool OverLastAxis => true;

    /// <inheritdoc/>
    protected override void PerSampleCore<T>(IBackend<T> backend, Tensor<T> predictions, Tensor<T> targets, Tensor<T> perSample, T epsilon, T columns) =>
        backend.ReduceRows(predictions, targets, perSample, new RowLoss<T>(epsilon));

    /// <inheritdoc/>
    protected override void ScaledGradientCore<T>(IBackend<T> backend, Tensor<T> predictions, Tensor<T> targets, T scale, Tensor<T> gradient) =>
        backend.MapRows(predictions, targets, gradient, new Derivative<T>(scale, T.CreateChecked(Epsilon)));

    /// <summary>u_j = ∂L/∂q_j = −y_j/q_j strictly inside the clip range, 0 where the clip is active.</summary>
    private static T U<T>(T q, T y, T epsilon)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool inside = q > epsilon && q < T.One - epsilon;
        return inside ? -y / q : T.Zero;
    }

    /// <summary>Pass 1: s = Σ ŷ; pass 2: −Σ y ln clip(ŷ/s, ε, 1−ε).</summary>
    public readonly struct RowLoss<T>(T epsilon) : IRowReduction<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <inheritdoc/>
        public T Initial1 => T.Zero;

        /// <inheritdoc/>
        public T Step1(T acc, T p, T y) => acc + p;

        /// <inheritdoc/>
        public T Initial2 => T.Zero;

        /// <inheritdoc/>
        public T Step2(T acc, T p, T y, T sum) => acc - (y * T.Log(BinaryCrossentropy.Clip(p / sum, epsilon)));

        /// <inheritdoc/>
        public T Finish(T sum, T loss) => loss;
    }

    /// <summary>q = ŷ/s, L = −Σ y ln clip(q): pass 1 s = Σ ŷ; pass 2 r = Σ u_j q_j; ∂L/∂ŷ_k = scale·(u_k − r)/s.</summary>
    public readonly struct Derivative<T>(T scale, T epsilon) : IRowMap<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <inheritdoc/>
        public T Initial1 => T.Zero;

        /// <inheritdoc/>
        public T Step1(T acc, T p, T y) => acc + p;

        /// <inheritdoc/>
        public T Initial2 => T.Zero;

        /// <inheritdoc/>
        public T Step2(T acc, T p, T y, T sum)
        {
            T q = p / sum;
            return acc + (U(q, y, epsilon) * q);
        }

        /// <inheritdoc/>
        public T Apply(T p, T y, T sum, T uq) => scale * (U(p / sum, y, epsilon) - uq) / sum;
    }
}
