// Accuracy counts: binary (per element, round(ŷ) == y), categorical (per row, argmax ŷ == argmax y) and sparse
// categorical (per row, argmax ŷ == the class index y), as backend counts and row argmaxes. Favours clarity over speed.
using System.Numerics;
using RefNet.Backends;
using RefNet.Tensors;

namespace RefNet.Metrics;

/// <summary>Counts correct predictions the way Keras' accuracy metrics do.</summary>
public static class Accuracy
{
    /// <summary>How many rows (categorical) or elements (binary) are predicted correctly.</summary>
    /// <param name="backend">Backend of the tensors.</param>
    /// <param name="kind">Binary, categorical, or sparse categorical (targets are class indices).</param>
    /// <param name="predictions">ŷ.</param>
    /// <param name="targets">y, same shape (sparse: the predictions' shape without the class axis).</param>
    /// <param name="predictedClass">Scratch of one element per row (categorical only; allocated when null).</param>
    /// <param name="trueClass">Scratch of one element per row (categorical only; allocated when null).</param>
    /// <exception cref="ShapeMismatchException">The shapes differ.</exception>
    public static int CountCorrect<T>(IBackend<T> backend, AccuracyKind kind, Tensor<T> predictions, Tensor<T> targets,
        Tensor<T>? predictedClass = null, Tensor<T>? trueClass = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(targets);
        if (kind == AccuracyKind.SparseCategorical)
        {
            return CountSparse(backend, predictions, targets, predictedClass);
        }
        if (predictions.Shape != targets.Shape)
        {
            ShapeMismatchException.ThrowIfDifferent($"{kind} accuracy targets vs predictions", predictions.Shape, targets.Shape);
        }
        if (kind == AccuracyKind.Binary)
        {
            return backend.CountWhere(predictions, targets, new BinaryMatch<T>(T.CreateChecked(0.5)));
        }
        if (predictions.Shape.Rank > 2)
        {
            // (batch, T, …, classes): argmax at every position (Keras' per-position categorical accuracy).
            int classes = predictions.Shape[predictions.Shape.Rank - 1];
            var rows = new Shape(predictions.Length / classes, classes);
            return CountCorrect(backend, kind, predictions.Reshape(rows), targets.Reshape(rows));
        }
        Tensor<T> p = predictedClass ?? backend.Allocate(new Shape(predictions.Rows));
        Tensor<T> y = trueClass ?? backend.Allocate(new Shape(predictions.Rows));
        try
        {
            backend.ArgMaxRows(predictions, p);
            backend.ArgMaxRows(targets, y);
            return backend.CountWhere(p, y, default(Arithmetic<T>.Equal));
        }
        finally
        {
            if (predictedClass is null)
            {
                p.Storage.Dispose();
            }
            if (trueClass is null)
            {
                y.Storage.Dispose();
            }
        }
    }

    /// <summary>argmax over the last axis == the class index, at every position; targets have the predictions' shape
    /// without the class axis (or with it as 1).</summary>
    private static int CountSparse<T>(IBackend<T> backend, Tensor<T> predictions, Tensor<T> targets, Tensor<T>? predictedClass)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int classes = predictions.Shape.Rank < 2 ? 0 : predictions.Shape[-1];
        int positions = classes == 0 ? 0 : predictions.Length / classes;
        Shape labels = new(predictions.Shape.Dims[..^1].ToArray());
        ReadOnlySpan<int> given = targets.Shape.Dims;
        bool fits = given.SequenceEqual(labels.Dims) || (given.Length == labels.Rank + 1 && given[^1] == 1 && given[..^1].SequenceEqual(labels.Dims));
        if (classes == 0 || !fits)
        {
            throw new ShapeMismatchException($"sparse categorical accuracy class-index targets for predictions {predictions.Shape}",
                $"{labels} or {new Shape([.. labels.Dims, 1])}", targets.Shape);
        }
        bool ownScratch = predictedClass is null || predictedClass.Length != positions;
        Tensor<T> p = ownScratch ? backend.Allocate(new Shape(positions)) : predictedClass!.Reshape(new Shape(positions));
        try
        {
            backend.ArgMaxRows(predictions.Reshape(new Shape(positions, classes)), p);
            return backend.CountWhere(p, targets.Reshape(new Shape(positions)), default(Arithmetic<T>.Equal));
        }
        finally
        {
            if (ownScratch)
            {
                p.Storage.Dispose();
            }
        }
    }

    /// <summary>Keras binary_accuracy: round(ŷ) == y, with round(ŷ) = ŷ &gt; 0.5 ? 1 : 0.</summary>
    public readonly struct BinaryMatch<T>(T half) : IBinaryPredicate<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <inheritdoc/>
        public bool Test(T p, T y) => (p > half ? T.One : T.Zero) == y;
    }
}
