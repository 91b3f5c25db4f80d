// ILGPU kernels for memory: fill, bias add and row gathers; each is a grid-stride loop over the elements.
// Every kernel names its twin in ReferenceBackend, which is the specification it must match.
using System.Numerics;
using ILGPU;

namespace RefNet.Backends.Ilgpu.Kernels;

/// <summary>Fill, bias add and row gathers.</summary>
internal static class ElementwiseKernels
{
    /// <summary>y[i] = value. CPU twin: <see cref="ReferenceBackend{T}"/> Fill.</summary>
    public static void Fill<T>(ArrayView<T> y, T value)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = GridStride.Start, step = GridStride.Step; i < y.IntLength; i += step)
        {
            y[i] = value;
        }
    }

    /// <summary>y[r, j] = x[r, j] + v[j] (bias add). CPU twin: <see cref="ReferenceBackend{T}"/> AddRowVector.</summary>
    public static void AddRowVector<T>(ArrayView<T> x, ArrayView<T> v, ArrayView<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int cols = v.IntLength;
        for (int i = GridStride.Start, step = GridStride.Step; i < y.IntLength; i += step)
        {
            y[i] = x[i] + v[i % cols];
        }
    }

    /// <summary>destination[r, j] = source[rows[r], j] (mini-batch gather). CPU twin: <see cref="ReferenceBackend{T}"/> GatherRows.</summary>
    /// <remarks>Row indices are validated on the host before the launch.</remarks>
    public static void GatherRows<T>(ArrayView<T> source, ArrayView<int> rows, ArrayView<T> destination, int cols)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = GridStride.Start, step = GridStride.Step; i < destination.IntLength; i += step)
        {
            int r = i / cols;
            int j = i - (r * cols);
            destination[i] = source[(rows[r] * cols) + j];
        }
    }

    /// <summary>destination[v, j] += Σ_{i : indices[i] = v, i ascending} source[i, j], as a gather: one thread per destination element,
    /// so no two threads write one element and the order is the reference loop's. Twin: ReferenceBackend ScatterAddRows.</summary>
    public static void ScatterAddRows<T>(ArrayView<T> source, ArrayView<int> indices, ArrayView<T> destination, int cols)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = indices.IntLength;
        for (int e = GridStride.Start, step = GridStride.Step; e < destination.IntLength; e += step)
        {
            int v = e / cols;
            int j = e - (v * cols);
            T sum = destination[e];
            for (int i = 0; i < n; i++)
            {
                if (indices[i] == v)
                {
                    sum += source[(i * cols) + j];
                }
            }
            destination[e] = sum;
        }
    }

    /// <summary>destination[r, dc + j] (+)= source[r, sc + j] for j &lt; count. Twin: ReferenceBackend CopyColumns.</summary>
    public static void CopyColumns<T>(ArrayView<T> source, ArrayView<T> destination, ColumnBlock b)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int total = b.Rows * b.Count;
        for (int i = GridStride.Start, step = GridStride.Step; i < total; i += step)
        {
            int r = i / b.Count;
            int j = i - (r * b.Count);
            T v = source[(r * b.SourceColumns) + b.SourceColumn + j];
            int o = (r * b.DestinationColumns) + b.DestinationColumn + j;
            destination[o] = b.Accumulate != 0 ? destination[o] + v : v;
        }
    }
}

/// <summary>The arguments of <see cref="ElementwiseKernels.CopyColumns{T}"/>.</summary>
internal readonly record struct ColumnBlock(int Rows, int SourceColumns, int SourceColumn, int DestinationColumns, int DestinationColumn, int Count, int Accumulate);
