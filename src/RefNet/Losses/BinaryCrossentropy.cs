// Binary cross-entropy: J = mean_batch( mean_features −[y ln p + (1−y) ln(1−p)] ), p = clip(ŷ, ε, 1−ε);
// ∂J/∂ŷ = (ŷ − y)/(ŷ(1−ŷ)·B·D) inside the clip range [ε, 1−ε] (bounds included: TensorFlow's clip_by_value
// passes the gradient where ŷ equals a bound), 0 beyond it. Favours clarity over speed.
// tf.keras 2.x adds ε inside the logs again: −[y ln(p + ε) + (1−y) ln(1−p+ε)], p clipped (the Keras profile chooses).
// From logits z (Keras from_logits=True, TF sigmoid_cross_entropy_with_logits): per element max(z, 0) − z·y + ln(1 + e^{−|z|}),
// no clipping; ∂J/∂z = (σ(z) − y)/(B·D).
using System.Numerics;
using RefNet.Activations;
using RefNet.Backends;
using RefNet.Tensors;

namespace RefNet.Losses;

/// <summary>Binary cross-entropy of probabilities, or of logits with <c>fromLogits</c> (Keras "binary_crossentropy").</summary>
/// <remarks>Keras 2.0.8 TF backend: clip, convert to logits, sigmoid_cross_entropy_with_logits, which equals
/// the formula above. With <c>fromLogits</c> the stable logit form is used: finite for z = ±1000.</remarks>
/// <param name="reduction">Mean or sum over the batch.</param>
/// <param name="epsilon">Clipping ε of the probability form.</param>
/// <param name="fromLogits">Read the predictions as logits (Keras <c>from_logits=True</c>).</param>
/// <param name="epsilonInLog">tf.keras 2.x's probability form, −[y·ln(q + ε) + (1 − y)·ln(1 − q + ε)] with q = clip(ŷ, ε, 1 − ε)
/// (BCE(1, 0) = −ln 2ε = 15.4249485 instead of −ln ε = 16.1180957); null: the Keras profile's.</param>
public sealed class BinaryCrossentropy(Reduction reduction = Reduction.SumOverBatchSize, double epsilon = 1e-7, bool fromLogits = false,
    bool? epsilonInLog = null)
    : Loss(reduction, epsilon)
{
    /// <inheritdoc/>
    public override string Name => "binary_crossentropy";

    /// <summary>Whether the predictions are logits (Keras <c>from_logits</c>).</summary>
    public bool FromLogits { get; } = fromLogits;

    /// <summary>Whether the probability form adds ε inside the logarithms (tf.keras 2.x): as given, else the profile's.</summary>
    public bool EpsilonInLog => epsilonInLog ?? Keras.BinaryCrossentropyEpsilonInLog;

    /// <inheritdoc/>
    protected override void PerSampleCore<T>(IBackend<T> backend, Tensor<T> predictions, Tensor<T> targets, Tensor<T> perSample, T epsilon, T columns)
    {
        if (FromLogits)
        {
            backend.ReduceRows(predictions, targets, perSample, new LogitsRowLoss<T>(columns));
        }
        else
        {
            // tf.keras' form adds ε inside the logs again; Keras 2's adds 0 (q + 0 is q exactly: the same bits).
            backend.ReduceRows(predictions, targets, perSample, new RowLoss<T>(epsilon, columns, EpsilonInLog ? epsilon : T.Zero));
        }
    }

    /// <inheritdoc/>
    protected override void ScaledGradientCore<T>(IBackend<T> backend, Tensor<T> predictions, Tensor<T> targets, T scale, Tensor<T> gradient)
    {
        T columns = T.CreateChecked(predictions.Columns);
        if (FromLogits)
        {
            backend.Map(predictions, targets, gradient, new LogitsDerivative<T>(scale, columns));
        }
        else if (EpsilonInLog)
        {
            backend.Map(predictions, targets, gradient, new EpsilonInLogDerivative<T>(scale, columns, T.CreateChecked(Epsilon)));
        }
        else
        {
            backend.Map(predictions, targets, gradient, new Derivative<T>(scale, columns, T.CreateChecked(Epsilon)));
        }
    }

    /// <summary>Keras' clip(p, ε, 1 − ε), written out (T.Clamp's argument check cannot run in a GPU kernel); NaN stays NaN.</summary>
    public static T Clip<T>(T p, T epsilon)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T high = T.One - epsilon;
        return p < epsilon ? epsilon : p > high ? high : p;
    }

    /// <summary>Row value −Σ_j [y ln(q + e) + (1−y) ln(1−q + e)] / D with q = clip(ŷ, ε, 1−ε): e = 0 in Keras 2 and
    /// TensorFlow.js, e = ε in tf.keras 2.x (<paramref name="logEpsilon"/>).</summary>
    public readonly struct RowLoss<T>(T epsilon, T columns, T logEpsilon) : IRowReduction<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <inheritdoc/>
        public T Initial1 => T.Zero;

        /// <inheritdoc/>
        public T Step1(T acc, T p, T y) => acc;

        /// <inheritdoc/>
        public T Initial2 => T.Zero;

        /// <inheritdoc/>
        public T Step2(T acc, T p, T y, T unused)
        {
            T q = Clip(p, epsilon);
            return acc - ((y * T.Log(q + logEpsilon)) + ((T.One - y) * T.Log(T.One - q + logEpsilon)));
        }

        /// <inheritdoc/>
        public T Finish(T unused, T sum) => sum / columns;
    }

    /// <summary>ε ≤ ŷ ≤ 1−ε ? scale·(ŷ − y)/(ŷ(1 − ŷ))/D : 0 (the bounds pass the gradient, as TensorFlow's clip_by_value).</summary>
    public readonly struct Derivative<T>(T scale, T columns, T epsilon) : IBinaryFunction<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <inheritdoc/>
        public T Apply(T p, T y)
        {
            bool clipped = p < epsilon || p > T.One - epsilon; // false for NaN: a NaN prediction gives a NaN gradient
            return clipped ? T.Zero : scale * (p - y) / (p * (T.One - p)) / columns;
        }
    }

    /// <summary>tf.keras 2.x: ε ≤ ŷ ≤ 1−ε ? scale·(−y/(ŷ + ε) + (1 − y)/(1 − ŷ + ε))/D : 0.</summary>
    public readonly struct EpsilonInLogDerivative<T>(T scale, T columns, T epsilon) : IBinaryFunction<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <inheritdoc/>
        public T Apply(T p, T y)
        {
            bool clipped = p < epsilon || p > T.One - epsilon;
            return clipped ? T.Zero : scale * (((T.One - y) / (T.One - p + epsilon)) - (y / (p + epsilon))) / columns;
        }
    }

    /// <summary>Row value Σ_j [max(z, 0) − z·y + ln(1 + e^{−|z|})] / D.</summary>
    public readonly struct LogitsRowLoss<T>(T columns) : IRowReduction<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <inheritdoc/>
        public T Initial1 => T.Zero;

        /// <inheritdoc/>
        public T Step1(T acc, T z, T y) => acc;

        /// <inheritdoc/>
        public T Initial2 => T.Zero;

        /// <inheritdoc/>
        public T Step2(T acc, T z, T y, T unused)
        {
            T positive = z > T.Zero ? z : T.Zero;
            T magnitude = z < T.Zero ? -z : z;
            return acc + (positive - (z * y) + CategoricalCrossentropy.Log1P(T.Exp(-magnitude)));
        }

        /// <inheritdoc/>
        public T Finish(T unused, T sum) => sum / columns;
    }

    /// <summary>scale·(σ(z) − y)/D.</summary>
    public readonly struct LogitsDerivative<T>(T scale, T columns) : IBinaryFunction<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <inheritdoc/>
        public T Apply(T z, T y) => scale * (Sigmoid.Of(z) - y) / columns;
    }
}
