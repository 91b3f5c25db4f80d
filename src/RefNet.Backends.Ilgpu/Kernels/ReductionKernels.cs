// ILGPU reductions with a fixed shape and no atomics, so a result never depends on thread timing.
// Column sums give each column to one thread; whole-tensor sums go through a fixed number of strided partials.
using System.Numerics;
using ILGPU;

namespace RefNet.Backends.Ilgpu.Kernels;

/// <summary>What a whole-tensor sum adds up.</summary>
internal enum SumTerm
{
    /// <summary>x.</summary>
    Value,

    /// <summary>x².</summary>
    Square,

    /// <summary>|x|.</summary>
    Absolute,
}

/// <summary>Column sums, whole-tensor sums and count totals.</summary>
internal static class ReductionKernels
{
    /// <summary>Number of partial sums in the first stage of a whole-tensor sum (a fixed tree shape).</summary>
    public const int Partials = 256;

    /// <summary>y[j] = Σ_r x[r, j], r ascending, one thread per column. CPU twin: <see cref="CpuBackend{T}.SumRows"/>.</summary>
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

    /// <summary>partials[t] = Σ_{i ≡ t (mod P)} term(x[i]) in ascending i, for t &lt; P = <see cref="Partials"/>.</summary>
    /// <remarks>First stage of <see cref="CpuBackend{T}.Sum"/>, <see cref="CpuBackend{T}.SumOfSquares"/> and
    /// <see cref="CpuBackend{T}.SumOfAbsolute"/>. When x has at most P elements each partial is one term, and with
    /// <see cref="FinishSum{T}"/> the result equals the CPU's left-to-right sum bit for bit.</remarks>
    public static void PartialSums<T>(ArrayView<T> x, ArrayView<T> partials, SumTerm term)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int t = GridStride.Start, step = GridStride.Step; t < Partials; t += step)
        {
            T sum = T.Zero;
            for (int i = t; i < x.IntLength; i += Partials)
            {
                T v = x[i];
                sum += term == SumTerm.Value ? v : term == SumTerm.Square ? v * v : T.Abs(v);
            }
            partials[t] = sum;
        }
    }

    /// <summary>result[0] = Σ_t partials[t], t ascending, by a single thread (second stage of a whole-tensor sum).
    /// CPU twin: the left-to-right loop of <see cref="CpuBackend{T}.Sum"/>.</summary>
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

    /// <summary>total[0] = Σ_r counts[r] by a single thread (total of the per-row counts of <see cref="LossKernels"/>).
    /// CPU twin: the running count of <see cref="CpuBackend{T}.CountCorrect"/>.</summary>
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
}
