// Categorical cross-entropy: J = mean_batch( −Σ_j y_j ln clip(ŷ_j / Σ_k ŷ_k, ε, 1−ε) ).
// Keras 2 renormalises each row before clipping; the gradient goes through both. Favours clarity over speed.
// From logits z (Keras from_logits=True, TF softmax_cross_entropy_with_logits): J = mean_batch( Σ_j y_j (lse(z) − z_j) ),
// lse(z) = ln Σ_k e^{z_k}, no clipping; ∂J/∂z_k = (e^{z_k − lse}·Σ_j y_j − y_k)/B.
using System.Numerics;
using RefNet.Backends;
using RefNet.Tensors;

namespace RefNet.Losses;

/// <summary>Categorical cross-entropy of probabilities, or of logits with <c>fromLogits</c> (Keras "categorical_crossentropy").</summary>
/// <remarks>Keras 2.0.8 renormalises each row before clipping, so rows that do not sum to 1 are
/// rescaled (the 10-customer table gives 1.3399534, not 1.3400536; see <see cref="Metrics.LogLoss"/>).
/// With <c>fromLogits</c> the predictions are unnormalised log-probabilities (a linear last layer) and the loss is the
/// stable log-softmax form, which stays finite for logits of ±1000 where softmax + the clipped form saturates.</remarks>
/// <param name="reduction">Mean or sum over the batch.</param>
/// <param name="epsilon">Clipping ε of the probability form.</param>
/// <param name="fromLogits">Read the predictions as logits (Keras <c>from_logits=True</c>).</param>
public sealed class CategoricalCrossentropy(Reduction reduction = Reduction.SumOverBatchSize, double epsilon = 1e-7, bool fromLogits = false)
    : Loss(reduction, epsilon)
{
    /// <inheritdoc/>
    public override string Name => "categorical_crossentropy";

    /// <summary>Whether the predictions are logits (Keras <c>from_logits</c>).</summary>
    public bool FromLogits { get; } = fromLogits;

    /// <inheritdoc/>
    protected override bool OverLastAxis => true;

    /// <inheritdoc/>
    protected override void PerSampleCore<T>(IBackend<T> backend, Tensor<T> predictions, Tensor<T> targets, Tensor<T> perSample, T epsilon, T columns)
    {
        if (FromLogits)
        {
            backend.ReduceRows(predictions, targets, perSample, default(LogitsRowLoss<T>));
        }
        else
        {
            backend.ReduceRows(predictions, targets, perSample, new RowLoss<T>(epsilon));
        }
    }

    /// <inheritdoc/>
    protected override void ScaledGradientCore<T>(IBackend<T> backend, Tensor<T> predictions, Tensor<T> targets, T scale, Tensor<T> gradient)
    {
        if (FromLogits)
        {
            backend.MapRows(predictions, targets, gradient, new LogitsDerivative<T>(scale));
        }
        else
        {
            backend.MapRows(predictions, targets, gradient, new Derivative<T>(scale, T.CreateChecked(Epsilon)));
        }
    }

    /// <summary>ln(e^a + e^b) without overflow: max(a, b) + ln(1 + e^{−|a − b|}); a = −∞ gives b (the fold's start).
    /// NaN stays NaN.</summary>
    public static T LogAddExp<T>(T a, T b)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (a == T.NegativeInfinity)
        {
            return b;
        }
        T high = a > b ? a : b;
        T low = a > b ? b : a;
        return high + Log1P(T.Exp(low - high));
    }

    /// <summary>ln(1 + x) accurate for small x (Goldberg: u = 1 + x; ln u · x/(u − 1)), written out for GPU kernels.</summary>
    public static T Log1P<T>(T x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T u = T.One + x;
        return u == T.One ? x : T.Log(u) * x / (u - T.One);
    }

    /// <summary>u_j = ∂L/∂q_j = −y_j/q_j inside the clip range [ε, 1−ε] (bounds included, as TensorFlow's clip_by_value), 0 beyond it.</summary>
    private static T U<T>(T q, T y, T epsilon)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool clipped = q < epsilon || q > T.One - epsilon; // false for NaN: NaN propagates
        return clipped ? T.Zero : -y / q;
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

    /// <summary>Pass 1: lse = ln Σ e^z (a running <see cref="LogAddExp{T}"/>); pass 2: Σ y (lse − z) over the y ≠ 0 (a logit
    /// of −∞ with y = 0 adds nothing, as in TF's sparse kernel; NaN still comes through lse).</summary>
    public readonly struct LogitsRowLoss<T> : IRowReduction<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <inheritdoc/>
        public T Initial1 => T.NegativeInfinity;

        /// <inheritdoc/>
        public T Step1(T acc, T z, T y) => LogAddExp(acc, z);

        /// <inheritdoc/>
        public T Initial2 => T.Zero;

        /// <inheritdoc/>
        public T Step2(T acc, T z, T y, T lse) => y == T.Zero ? acc : acc + (y * (lse - z)); // 0·∞ for z = −∞ is not NaN

        /// <inheritdoc/>
        public T Finish(T lse, T loss) => loss;
    }

    /// <summary>Pass 1: lse; pass 2: s = Σ y; ∂L/∂z_k = scale·(e^{z_k − lse}·s − y_k).</summary>
    public readonly struct LogitsDerivative<T>(T scale) : IRowMap<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <inheritdoc/>
        public T Initial1 => T.NegativeInfinity;

        /// <inheritdoc/>
        public T Step1(T acc, T z, T y) => LogAddExp(acc, z);

        /// <inheritdoc/>
        public T Initial2 => T.Zero;

        /// <inheritdoc/>
        public T Step2(T acc, T z, T y, T lse) => acc + y;

        /// <inheritdoc/>
        public T Apply(T z, T y, T lse, T targetSum) => scale * ((T.Exp(z - lse) * targetSum) - y);
    }
}
