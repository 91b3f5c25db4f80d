// ILGPU reductions with a fixed shape and no atomics, so a result never depends on thread timing.
// Column sums give each column to one thread; whole-tensor sums go through a fixed number of strided partials.
using System.Numerics;
using ILGPU;

namespace RefNet.Backends.Ilgpu.Kernels;

/// <summary>Column sums, whole-tensor sums and count totals.</summary>
internal static class ReductionKernels
{
    /// <summary>Number of partial sums in the first stage of a whole-tensor sum (a fixed tree shape).</summary>
    public const int Partials = 256;

    /// <summary>y[j] = Σ_r x[r, j], r ascending, one thread per column. CPU twin: ReferenceBackend SumRows.</summary>
    public static void SumRows<T>(ArrayView<T> x, ArrayView<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int cols = y.IntLength;
        int rows = x.IntLength / cols;
        for (int j = GridStride.Start, step = GridStride.Step; j < cols; j += step)
        {
            T sum = T.Zero;
            for (int r = 0; r < rows; r++)
            {
                sum += x[(r * cols) + j];
            }
            y[j] = sum;
        }
    }

    /// <summary>result[0] = Σ_t partials[t], t ascending, by a single thread (second stage of a whole-tensor sum).
    /// CPU twin: the left-to-right loop of ReferenceBackend Sum.</summary>
    public static void FinishSum<T>(ArrayView<T> partials, ArrayView<T> result)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Grid.GlobalIndex.X == 0)
        {
            T sum = T.Zero;
            for (int t = 0; t < partials.IntLength; t++)
            {
                sum += partials[t];
            }
            result[0] = sum;
        }
    }

    /// <summary>total[0] = Σ_r counts[r] by a single thread (total of the per-row counts of FormulaKernels.PartialCounts).
    /// CPU twin: the running count of ReferenceBackend CountWhere.</summary>
    public static void SumCounts(ArrayView<int> counts, ArrayView<int> total)
    {
        if (Grid.GlobalIndex.X == 0)
        {
            int sum = 0;
            for (int r = 0; r < counts.IntLength; r++)
            {
                sum += counts[r];
            }
            total[0] = sum;
        }
    }

    /// <summary>indices[r] = the column of the first maximum of row r, one thread per row. Twin: ReferenceBackend ArgMaxRows.</summary>
    public static void ArgMaxRows<T>(ArrayView<T> x, ArrayView<T> indices, int cols)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = GridStride.Start, step = GridStride.Step; r < indices.IntLength; r += step)
        {
            int o = r * cols;
            int best = 0;
            T bestIndex = T.Zero;
            T index = T.Zero;
            for (int j = 1; j < cols; j++)
            {
                index += T.One; // j as a T, counted up exactly (no int → T conversion in the kernel)
                if (x[o + j] > x[o + best])
                {
                    best = j;
                    bestIndex = index;
                }
            }
            indices[r] = bestIndex;
        }
    }
}
