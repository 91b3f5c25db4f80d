// Loss functions with Keras 2 semantics: per-sample values reduced by the mean over the batch (or the sum),
// probabilities clipped to [ε, 1−ε] with ε = 1e-7. Each loss is one file with its formulas; this is the base.
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
/// is not fused with the output activation: softmax/sigmoid backpropagate on their own, which is what
/// the gradient checks verify (the cross-entropies' <c>fromLogits</c> forms take the logits of a linear layer instead). A subclass supplies <see cref="PerSample{T}"/> and <see cref="ScaledGradientCore{T}"/>
/// as backend row reductions and elementwise maps over its formula structs.</remarks>
public abstract class Loss
{
    /// <summary>Creates a loss.</summary>
    protected Loss(Reduction reduction, double epsilon)
    {
        Reduction = reduction;
        Epsilon = epsilon;
    }

    /// <summary>Mean or sum over the batch.</summary>
    public Reduction Reduction { get; }

    /// <summary>Clipping ε (Keras backend epsilon, 1e-7).</summary>
    public double Epsilon { get; }

    /// <summary>Keras name, e.g. "categorical_crossentropy".</summary>
    public abstract string Name { get; }

    /// <summary>The Keras profile whose conventions fill what was left unspecified (e.g. binary cross-entropy's tf.keras
    /// form); <see cref="Conventions.KerasProfile.Default"/> until <c>Compile</c> sets the network's.</summary>
    public Conventions.KerasProfile Keras { get; set; } = Conventions.KerasProfile.Default;

    /// <summary>J(ŷ, y) for a batch.</summary>
    /// <param name="backend">Backend the tensors live on.</param>
    /// <param name="predictions">ŷ, shape (batch, ...).</param>
    /// <param name="targets">y, same shape (sparse_categorical_crossentropy: class indices, see <see cref="TargetShape"/>).</param>
    /// <param name="perSample">Optional scratch of shape (batch,) that receives the per-sample losses.</param>
    public double Value<T>(IBackend<T> backend, Tensor<T> predictions, Tensor<T> targets, Tensor<T>? perSample = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(predictions);
        Tensor<T> scratch = perSample ?? backend.Allocate(new Shape(predictions.Rows));
        try
        {
            PerSample(backend, predictions, targets, scratch);
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
        ArgumentNullException.ThrowIfNull(backend);
        CheckTargets(predictions, targets);
        if (predictions.Shape != gradient.Shape)
        {
            ShapeMismatchException.ThrowIfDifferent($"{Name} gradient vs predictions", predictions.Shape, gradient.Shape);
        }
        T scale = Reduction == Reduction.Sum ? T.One : T.One / T.CreateChecked(predictions.Rows);
        Core(backend, predictions, targets, scale, gradient);
    }

    /// <summary>gradient = scale · ∂(Σ_i perSample[i]) / ∂predictions, for any scale (the batch reduction is the caller's).</summary>
    /// <exception cref="ShapeMismatchException">Targets or gradient differ in shape from predictions.</exception>
    public void ScaledGradient<T>(IBackend<T> backend, Tensor<T> predictions, Tensor<T> targets, T scale, Tensor<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(backend);
        CheckTargets(predictions, targets);
        if (predictions.Shape != gradient.Shape)
        {
            ShapeMismatchException.ThrowIfDifferent($"{Name} gradient vs predictions", predictions.Shape, gradient.Shape);
        }
        Core(backend, predictions, targets, scale, gradient);
    }

    /// <summary>perSample[i] = the loss of row i (before the batch reduction).</summary>
    /// <exception cref="ShapeMismatchException">Targets differ in shape from predictions, or perSample has not one element per row.</exception>
    public void PerSample<T>(IBackend<T> backend, Tensor<T> predictions, Tensor<T> targets, Tensor<T> perSample)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(backend);
        CheckTargets(predictions, targets);
        Tensor<T> dense = DenseTargets(backend, predictions, targets);
        try
        {
            PerSampleOf(backend, predictions, dense, perSample);
        }
        finally
        {
            if (!ReferenceEquals(dense, targets))
            {
                dense.Storage.Dispose();
            }
        }
    }

    private void PerSampleOf<T>(IBackend<T> backend, Tensor<T> predictions, Tensor<T> targets, Tensor<T> perSample)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (PerPosition(predictions, out int positions, out Shape rows))
        {
            // (batch, T, …, classes): the loss of every position over the last axis, then the mean over positions (Keras).
            Tensor<T> perRow = backend.Allocate(new Shape(rows[0]));
            Tensor<T> ones = backend.Allocate(new Shape(positions, 1));
            try
            {
                PerSampleCore(backend, predictions.Reshape(rows), targets.Reshape(rows), perRow, T.CreateChecked(Epsilon), T.CreateChecked(rows[1]));
                backend.Fill(ones, T.One);
                backend.MatMul(perRow.Reshape(new Shape(predictions.Rows, positions)), false, ones, false, perSample.Reshape(new Shape(predictions.Rows, 1)),
                    T.One / T.CreateChecked(positions), T.Zero);
            }
            finally
            {
                perRow.Storage.Dispose();
                ones.Storage.Dispose();
            }
            return;
        }
        PerSampleCore(backend, predictions, targets, perSample, T.CreateChecked(Epsilon), T.CreateChecked(predictions.Columns));
    }

    /// <summary>Whether the loss is defined over the last axis (categorical cross-entropy): on rank ≥ 3 predictions
    /// (batch, T, …, classes) it is then applied at every position and averaged over the positions, as Keras does.</summary>
    protected virtual bool OverLastAxis => false;

    private bool PerPosition<T>(Tensor<T> predictions, out int positions, out Shape rows)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!OverLastAxis || predictions.Shape.Rank <= 2)
        {
            // The common case allocates nothing (a training step must not allocate).
            (positions, rows) = (1, predictions.Shape);
            return false;
        }
        int classes = predictions.Shape[predictions.Shape.Rank - 1];
        positions = predictions.Rows == 0 ? 0 : predictions.Length / (predictions.Rows * classes);
        rows = new Shape(predictions.Rows * positions, classes);
        return true;
    }

    private void Core<T>(IBackend<T> backend, Tensor<T> predictions, Tensor<T> targets, T scale, Tensor<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Tensor<T> dense = DenseTargets(backend, predictions, targets);
        try
        {
            CoreOf(backend, predictions, dense, scale, gradient);
        }
        finally
        {
            if (!ReferenceEquals(dense, targets))
            {
                dense.Storage.Dispose();
            }
        }
    }

    private void CoreOf<T>(IBackend<T> backend, Tensor<T> predictions, Tensor<T> targets, T scale, Tensor<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (PerPosition(predictions, out int positions, out Shape rows))
        {
            ScaledGradientCore(backend, predictions.Reshape(rows), targets.Reshape(rows), scale / T.CreateChecked(positions), gradient.Reshape(rows));
            return;
        }
        ScaledGradientCore(backend, predictions, targets, scale, gradient);
    }

    /// <summary>perSample[i] = loss of row i; <paramref name="columns"/> is the number of columns as T (for per-feature means).</summary>
    protected abstract void PerSampleCore<T>(IBackend<T> backend, Tensor<T> predictions, Tensor<T> targets, Tensor<T> perSample, T epsilon, T columns)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>gradient = scale · ∂(Σ_i perSample[i]) / ∂predictions (the clipped region has zero gradient).</summary>
    protected abstract void ScaledGradientCore<T>(IBackend<T> backend, Tensor<T> predictions, Tensor<T> targets, T scale, Tensor<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>Looks up a loss by Keras name ("mse", "mae", "binary_crossentropy", "categorical_crossentropy",
    /// "sparse_categorical_crossentropy"); as in Keras, a name gives the probability form (fromLogits false).</summary>
    public static Loss FromName(string name) => name.Trim().ToLowerInvariant() switch
    {
        "mse" or "mean_squared_error" => new MeanSquaredError(),
        "mae" or "mean_absolute_error" => new MeanAbsoluteError(),
        "binary_crossentropy" or "bce" => new BinaryCrossentropy(),
        "categorical_crossentropy" or "cce" => new CategoricalCrossentropy(),
        "sparse_categorical_crossentropy" or "scce" => new SparseCategoricalCrossentropy(),
        _ => throw new ArgumentException($"Unknown loss '{name}' (expected mse, mae, binary_crossentropy, categorical_crossentropy or sparse_categorical_crossentropy)", nameof(name)),
    };

    /// <summary>The per-sample shape of the targets this loss takes for a per-sample output shape: the output's own
    /// shape (the sparse loss: without the class axis).</summary>
    public virtual Shape TargetShape(Shape outputShape) => outputShape;

    /// <summary>Whether per-sample targets of shape <paramref name="given"/> are accepted for <paramref name="outputShape"/>;
    /// they are then read as <see cref="TargetShape"/> (the sparse loss also takes a trailing axis of 1, as Keras does).</summary>
    public virtual bool AcceptsTargets(Shape outputShape, Shape given) => given == TargetShape(outputShape);

    /// <summary>The targets in the form the formulas read: the targets themselves, or a new tensor of the predictions'
    /// shape (the sparse loss's one-hot rows), which the caller disposes.</summary>
    protected virtual Tensor<T> DenseTargets<T>(IBackend<T> backend, Tensor<T> predictions, Tensor<T> targets)
        where T : unmanaged, IFloatingPointIeee754<T> => targets;

    /// <summary>Throws unless the targets fit the predictions (by default: the same shape).</summary>
    /// <exception cref="ShapeMismatchException">They do not.</exception>
    protected virtual void CheckTargets<T>(Tensor<T> predictions, Tensor<T> targets)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(targets);
        if (predictions.Shape != targets.Shape)
        {
            ShapeMismatchException.ThrowIfDifferent($"{Name} targets vs predictions", predictions.Shape, targets.Shape);
        }
    }
}
