// Preprocessing helpers with Keras / scikit-learn semantics: to_categorical and train_test_split.
// Deterministic: every random choice takes a seed.
using System.Numerics;
using RefNet.Tensors;

namespace RefNet.Data;

/// <summary>Label encoding and splitting (Keras <c>to_categorical</c>, scikit-learn <c>train_test_split</c>).</summary>
public static class Preprocessing
{
    /// <summary>One-hot encodes integer class labels: row i has a 1 in column labels[i] and 0 elsewhere.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="labels">Class indices.</param>
    /// <param name="numClasses">Number of columns; max(labels)+1 when null (as Keras does).</param>
    /// <returns>A (labels.Length, numClasses) tensor.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A label is negative or not below <paramref name="numClasses"/>.</exception>
    /// <remarks>Keras: <c>keras.utils.to_categorical(y, num_classes)</c>. Keras silently fails on bad labels (numpy index error); here they are reported with their position.</remarks>
    public static Tensor<T> ToCategorical<T>(ReadOnlySpan<int> labels, int? numClasses = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int classes = numClasses ?? (labels.Length == 0 ? 0 : Max(labels) + 1);
        if (classes <= 0 && labels.Length > 0)
        {
            throw new ArgumentOutOfRangeException(nameof(numClasses), $"numClasses must be positive (got {classes})");
        }
        var y = new Tensor<T>(labels.Length, classes);
        Span<T> data = y.Span;
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] < 0 || labels[i] >= classes)
            {
                throw new ArgumentOutOfRangeException(nameof(labels), $"label {labels[i]} at index {i} is outside 0..{classes - 1} (numClasses = {classes})");
            }
            data[i * classes + labels[i]] = T.One;
        }
        return y;
    }

    /// <summary>Splits a dataset into shuffled train and test parts (scikit-learn <c>train_test_split</c>).</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="data">Samples to split.</param>
    /// <param name="testSize">Fraction of samples for the test part, in (0, 1); the test part gets ceil(testSize·N) samples.</param>
    /// <param name="seed">Seed of the permutation; the same seed gives the same split.</param>
    /// <param name="shuffle">False keeps the order: the first samples train, the last ones test.</param>
    /// <exception cref="ArgumentOutOfRangeException">testSize is outside (0, 1) or leaves one part empty.</exception>
    public static TrainTest<T> TrainTestSplit<T>(Dataset<T> data, double testSize = 0.25, int seed = 0, bool shuffle = true)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!(testSize > 0 && testSize < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(testSize), $"testSize must be in (0, 1) (got {testSize})");
        }
        int n = data.Count;
        int nTest = (int)Math.Ceiling(testSize * n);
        int nTrain = n - nTest;
        if (nTrain <= 0 || nTest <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(testSize), $"testSize {testSize} of {n} samples leaves {nTrain} to train and {nTest} to test; both must be positive");
        }
        int[] order = Enumerable.Range(0, n).ToArray();
        if (shuffle)
        {
            new Random(seed).Shuffle(order);
        }
        return new TrainTest<T>(Take(data, order.AsSpan(0, nTrain)), Take(data, order.AsSpan(nTrain)));
    }

    /// <summary>The samples at <paramref name="indices"/>, in that order, copied into a new dataset.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="data">Source samples (host tensors).</param>
    /// <param name="indices">Row indices to keep.</param>
    public static Dataset<T> Take<T>(Dataset<T> data, ReadOnlySpan<int> indices)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(data);
        int[]? labels = data.Labels is null ? null : new int[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            if (labels is not null)
            {
                labels[i] = data.Labels![indices[i]];
            }
        }
        return new Dataset<T>(TakeRows(data.X, indices), TakeRows(data.Y, indices), labels);
    }

    /// <summary>The rows of a host tensor at <paramref name="indices"/>, copied.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="x">Source tensor (N, ...).</param>
    /// <param name="indices">Row indices, each in 0..N-1.</param>
    public static Tensor<T> TakeRows<T>(Tensor<T> x, ReadOnlySpan<int> indices)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        int cols = x.Columns;
        int[] dims = x.Shape.ToArray();
        dims[0] = indices.Length;
        var result = new Tensor<T>(dims);
        ReadOnlySpan<T> src = x.Span;
        Span<T> dst = result.Span;
        for (int i = 0; i < indices.Length; i++)
        {
            if ((uint)indices[i] >= (uint)x.Rows)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), $"row index {indices[i]} is outside 0..{x.Rows - 1}");
            }
            src.Slice(indices[i] * cols, cols).CopyTo(dst.Slice(i * cols, cols));
        }
        return result;
    }

    private static int Max(ReadOnlySpan<int> values)
    {
        int max = int.MinValue;
        foreach (int v in values)
        {
            max = Math.Max(max, v);
        }
        return max;
    }
}
