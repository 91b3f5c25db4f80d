// Sparse categorical cross-entropy: targets are class indices, not one-hot rows.
// Keras 2 TF backend (2.0.8 … 2.3; tf.keras 2.x too unless the output comes straight from a softmax, whose logits it then
// uses — keras-golden.md §5.3): clip the probabilities, take logs, then the sparse softmax cross-entropy
// of those logs: J = mean_batch( −ln c_y + ln Σ_k c_k ), c = clip(ŷ, ε, 1−ε). No renormalisation before the clip, so it
// equals categorical cross-entropy of one-hot(y) for rows that sum to 1 strictly inside the clip range, and differs there.
// ∂J/∂ŷ_k = (1/Σc − [k = y]/c_k)/B where ε ≤ ŷ_k ≤ 1−ε, 0 beyond (TensorFlow's clip_by_value passes the gradient at its bounds).
// From logits: J = mean_batch( lse(z) − z_y ), categorical cross-entropy from logits of one-hot(y).
using System.Numerics;
using RefNet.Backends;
using RefNet.Tensors;

namespace RefNet.Losses;

/// <summary>Categorical cross-entropy with integer class indices as targets (Keras "sparse_categorical_crossentropy").</summary>
/// <remarks>Targets have the predictions' shape without the class axis: (batch,) for (batch, classes), (batch, T) for
/// (batch, T, classes); a trailing axis of 1 is accepted too, as Keras does. Each index must be a whole number in
/// [0, classes): others throw <see cref="ArgumentOutOfRangeException"/> naming the value and its position. The indices
/// are expanded to one-hot rows (<see cref="IBackend{T}.OneHot"/>) in a scratch of the predictions' size, so the memory is
/// per batch, never per data set.</remarks>
/// <param name="reduction">Mean or sum over the batch.</param>
/// <param name="epsilon">Clipping ε of the probability form.</param>
/// <param name="fromLogits">Read the predictions as logits (Keras <c>from_logits=True</c>).</param>
public sealed class SparseCategoricalCrossentropy(Reduction reduction = Reduction.SumOverBatchSize, double epsilon = 1e-7, bool fromLogits = false)
    : Loss(reduction, epsilon)
{
    /// <inheritdoc/>
    public override string Name => "sparse_categorical_crossentropy";

    /// <summary>Whether the predictions are logits (Keras <c>from_logits</c>).</summary>
    public bool FromLogits { get; } = fromLogits;

    /// <inheritdoc/>
    protected override bool OverLastAxis => true;

    /// <summary>The output shape without its class axis: () for (classes), (T) for (T, classes).</summary>
    public override Shape TargetShape(Shape outputShape)
    {
        ArgumentNullException.ThrowIfNull(outputShape);
        return new Shape(outputShape.Dims[..^1].ToArray());
    }

    /// <summary>The output shape without its class axis, or with the class axis replaced by 1.</summary>
    public override bool AcceptsTargets(Shape outputShape, Shape given)
    {
        ArgumentNullException.ThrowIfNull(outputShape);
        ArgumentNullException.ThrowIfNull(given);
        Shape labels = TargetShape(outputShape);
        return given == labels || given == new Shape([.. labels.Dims, 1]);
    }

    /// <inheritdoc/>
    protected override void CheckTargets<T>(Tensor<T> predictions, Tensor<T> targets)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(targets);
        if (predictions.Shape.Rank < 2)
        {
            throw new ShapeMismatchException($"{Name} predictions", "(batch, …, classes)", predictions.Shape);
        }
        if (targets.Shape.Rank == 0 || targets.Rows != predictions.Rows || !AcceptsTargets(predictions.Shape.WithoutBatch(), targets.Shape.WithoutBatch()))
        {
            Shape labels = TargetShape(predictions.Shape);
            throw new ShapeMismatchException($"{Name} class-index targets for predictions {predictions.Shape}", $"{labels} or {new Shape([.. labels.Dims, 1])}",
                targets.Shape);
        }
    }

    /// <summary>One-hot rows of the class indices, in a new tensor of the predictions' shape.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is not a whole number in [0, classes); the message names
    /// the loss, the value, and its (sample, position).</exception>
    protected override Tensor<T> DenseTargets<T>(IBackend<T> backend, Tensor<T> predictions, Tensor<T> targets)
    {
        int classes = predictions.Shape[-1];
        int positions = targets.Length;
        CheckIndices(targets, classes);
        Tensor<T> oneHot = backend.Allocate(predictions.Shape);
        backend.OneHot(targets.Reshape(new Shape(positions)), oneHot.Reshape(new Shape(positions, classes)));
        return oneHot;
    }

    // Checked here as well as in the backend, so that the message names the loss and the (sample, position).
    private void CheckIndices<T>(Tensor<T> targets, int classes)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] values = targets.ToArray();
        T limit = T.CreateChecked(classes);
        int perSample = targets.Rows == 0 ? 1 : targets.Length / targets.Rows;
        for (int p = 0; p < values.Length; p++)
        {
            T v = values[p];
            if (!(v >= T.Zero && v < limit && T.IsInteger(v)))
            {
                string what = T.IsNaN(v) ? "is NaN" : !T.IsInteger(v) ? "is not a whole number" : $"is outside [0, {classes})";
                string where = perSample == 1 ? $"sample {p}" : $"(sample, position) ({p / perSample}, {p % perSample})";
                throw new ArgumentOutOfRangeException(nameof(targets),
                    $"{Name}: class index {v} at {where} {what}; targets must be class indices in [0, {classes}) ({classes} classes), shape {targets.Shape}");
            }
        }
    }

    /// <inheritdoc/>
    protected override void PerSampleCore<T>(IBackend<T> backend, Tensor<T> predictions, Tensor<T> targets, Tensor<T> perSample, T epsilon, T columns)
    {
        if (FromLogits)
        {
            backend.ReduceRows(predictions, targets, perSample, default(CategoricalCrossentropy.LogitsRowLoss<T>));
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
            backend.MapRows(predictions, targets, gradient, new CategoricalCrossentropy.LogitsDerivative<T>(scale));
        }
        else
        {
            backend.MapRows(predictions, targets, gradient, new Derivative<T>(scale, T.CreateChecked(Epsilon)));
        }
    }

    /// <summary>Pass 1: s = Σ clip(ŷ); pass 2: −Σ y ln clip(ŷ) (y one-hot); value = that + ln s.</summary>
    public readonly struct RowLoss<T>(T epsilon) : IRowReduction<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <inheritdoc/>
        public T Initial1 => T.Zero;

        /// <inheritdoc/>
        public T Step1(T acc, T p, T y) => acc + BinaryCrossentropy.Clip(p, epsilon);

        /// <inheritdoc/>
        public T Initial2 => T.Zero;

        /// <inheritdoc/>
        public T Step2(T acc, T p, T y, T sum) => acc - (y * T.Log(BinaryCrossentropy.Clip(p, epsilon)));

        /// <inheritdoc/>
        public T Finish(T sum, T loss) => loss + T.Log(sum);
    }

    /// <summary>Pass 1: s = Σ clip(ŷ); ∂L/∂ŷ_k = scale·(1/s − y_k/ŷ_k) inside the clip range [ε, 1−ε] (bounds included), 0 beyond it.</summary>
    public readonly struct Derivative<T>(T scale, T epsilon) : IRowMap<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <inheritdoc/>
        public T Initial1 => T.Zero;

        /// <inheritdoc/>
        public T Step1(T acc, T p, T y) => acc + BinaryCrossentropy.Clip(p, epsilon);

        /// <inheritdoc/>
        public T Initial2 => T.Zero;

        /// <inheritdoc/>
        public T Step2(T acc, T p, T y, T sum) => acc;

        /// <inheritdoc/>
        public T Apply(T p, T y, T sum, T unused)
        {
            bool clipped = p < epsilon || p > T.One - epsilon; // false for NaN: a NaN prediction gives a NaN gradient
            return clipped ? T.Zero : scale * ((T.One / sum) - (y / p));
        }
    }
}
