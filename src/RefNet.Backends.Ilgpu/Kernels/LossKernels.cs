// ILGPU kernels for the Keras 2 losses (per-sample forward, gradient) and the accuracy counts.
// One thread per sample row, summing its columns in the CPU's order with the CPU's clipping rules.
using System.Numerics;
using ILGPU;

namespace RefNet.Backends.Ilgpu.Kernels;

/// <summary>Per-sample losses, their gradients, and correct-prediction counts; p = predictions, y = targets.</summary>
/// <remarks><c>d</c> is the row length converted to T on the host.</remarks>
internal static class LossKernels
{
    /// <summary>l[r] = Σ_j (p − y)² / d. CPU twin: <see cref="CpuBackend{T}.LossForward"/> (MeanSquaredError).</summary>
    public static void MseForward<T>(ArrayView<T> p, ArrayView<T> y, ArrayView<T> l, T d)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int cols = p.IntLength / l.IntLength;
        for (int r = GridStride.Start, step = GridStride.Step; r < l.IntLength; r += step)
        {
            T acc = T.Zero;
            for (int j = r * cols; j < (r + 1) * cols; j++)
            {
                T e = p[j] - y[j];
                acc += e * e;
            }
            l[r] = acc / d;
        }
    }

    /// <summary>l[r] = Σ_j |p − y| / d. CPU twin: <see cref="CpuBackend{T}.LossForward"/> (MeanAbsoluteError).</summary>
    public static void MaeForward<T>(ArrayView<T> p, ArrayView<T> y, ArrayView<T> l, T d)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int cols = p.IntLength / l.IntLength;
        for (int r = GridStride.Start, step = GridStride.Step; r < l.IntLength; r += step)
        {
            T acc = T.Zero;
            for (int j = r * cols; j < (r + 1) * cols; j++)
            {
                acc += T.Abs(p[j] - y[j]);
            }
            l[r] = acc / d;
        }
    }

    /// <summary>l[r] = −Σ_j [y ln q + (1−y) ln(1−q)] / d with q = clip(p, ε, 1−ε).
    /// CPU twin: <see cref="CpuBackend{T}.LossForward"/> (BinaryCrossentropy).</summary>
    public static void BceForward<T>(ArrayView<T> p, ArrayView<T> y, ArrayView<T> l, T d, T epsilon)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int cols = p.IntLength / l.IntLength;
        for (int r = GridStride.Start, step = GridStride.Step; r < l.IntLength; r += step)
        {
            T acc = T.Zero;
            for (int j = r * cols; j < (r + 1) * cols; j++)
            {
                T q = Clip(p[j], epsilon, T.One - epsilon);
                acc -= (y[j] * T.Log(q)) + ((T.One - y[j]) * T.Log(T.One - q));
            }
            l[r] = acc / d;
        }
    }

    /// <summary>l[r] = −Σ_j y_j ln clip(p_j / Σ_k p_k, ε, 1−ε) (rows renormalised first).
    /// CPU twin: <see cref="CpuBackend{T}.LossForward"/> (CategoricalCrossentropy).</summary>
    public static void CceForward<T>(ArrayView<T> p, ArrayView<T> y, ArrayView<T> l, T epsilon)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int cols = p.IntLength / l.IntLength;
        for (int r = GridStride.Start, step = GridStride.Step; r < l.IntLength; r += step)
        {
            int o = r * cols;
            T s = T.Zero;
            for (int j = o; j < o + cols; j++)
            {
                s += p[j];
            }
            T acc = T.Zero;
            for (int j = o; j < o + cols; j++)
            {
                T q = Clip(p[j] / s, epsilon, T.One - epsilon);
                acc -= y[j] * T.Log(q);
            }
            l[r] = acc;
        }
    }

    /// <summary>g = scale·2(p − y)/d. CPU twin: <see cref="CpuBackend{T}.LossBackward"/> (MeanSquaredError).</summary>
    public static void MseBackward<T>(ArrayView<T> p, ArrayView<T> y, ArrayView<T> g, T scale, T d)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T two = T.One + T.One;
        for (int i = GridStride.Start, step = GridStride.Step; i < g.IntLength; i += step)
        {
            g[i] = scale * two * (p[i] - y[i]) / d;
        }
    }

    /// <summary>g = scale·sign(p − y)/d, sign(0) = 0. CPU twin: <see cref="CpuBackend{T}.LossBackward"/> (MeanAbsoluteError).</summary>
    public static void MaeBackward<T>(ArrayView<T> p, ArrayView<T> y, ArrayView<T> g, T scale, T d)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = GridStride.Start, step = GridStride.Step; i < g.IntLength; i += step)
        {
            T e = p[i] - y[i];
            T s = e > T.Zero ? T.One : e < T.Zero ? -T.One : T.Zero;
            g[i] = scale * s / d;
        }
    }

    /// <summary>g = scale·(p − y)/(p(1 − p))/d inside (ε, 1−ε), 0 where the clip is active.
    /// CPU twin: <see cref="CpuBackend{T}.LossBackward"/> (BinaryCrossentropy).</summary>
    public static void BceBackward<T>(ArrayView<T> p, ArrayView<T> y, ArrayView<T> g, T scale, T d, T epsilon)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = GridStride.Start, step = GridStride.Step; i < g.IntLength; i += step)
        {
            T pj = p[i];
            bool inside = pj > epsilon && pj < T.One - epsilon;
            g[i] = inside ? scale * (pj - y[i]) / (pj * (T.One - pj)) / d : T.Zero;
        }
    }

    /// <summary>Row r, q = p/Σp, u_j = −y_j/q_j (0 where clipped): g_k = scale·(u_k − Σ_j u_j q_j)/Σp.
    /// CPU twin: <see cref="CpuBackend{T}.LossBackward"/> (CategoricalCrossentropy).</summary>
    public static void CceBackward<T>(ArrayView<T> p, ArrayView<T> y, ArrayView<T> g, T scale, int cols, T epsilon)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = g.IntLength / cols;
        for (int r = GridStride.Start, step = GridStride.Step; r < rows; r += step)
        {
            int o = r * cols;
            T sum = T.Zero;
            for (int j = o; j < o + cols; j++)
            {
                sum += p[j];
            }
            T uq = T.Zero;
            for (int j = o; j < o + cols; j++)
            {
                T q = p[j] / sum;
                bool inside = q > epsilon && q < T.One - epsilon;
                T u = inside ? -y[j] / q : T.Zero;
                g[j] = u;
                uq += u * q;
            }
            for (int j = o; j < o + cols; j++)
            {
                g[j] = scale * (g[j] - uq) / sum;
            }
        }
    }

    /// <summary>counts[r] = 1 if argmax(p row r) == argmax(y row r) (first maximum wins) else 0.
    /// CPU twin: <see cref="CpuBackend{T}.CountCorrect"/> (Categorical).</summary>
    public static void CountCategorical<T>(ArrayView<T> p, ArrayView<T> y, ArrayView<int> counts)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int cols = p.IntLength / counts.IntLength;
        for (int r = GridStride.Start, step = GridStride.Step; r < counts.IntLength; r += step)
        {
            counts[r] = ArgMax(p, r * cols, cols) == ArgMax(y, r * cols, cols) ? 1 : 0;
        }
    }

    /// <summary>counts[r] = #{j : round(p[r, j]) == y[r, j]} with round(p) = 1 if p &gt; 0.5 else 0.
    /// CPU twin: <see cref="CpuBackend{T}.CountCorrect"/> (Binary).</summary>
    public static void CountBinary<T>(ArrayView<T> p, ArrayView<T> y, ArrayView<int> counts, T half)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int cols = p.IntLength / counts.IntLength;
        for (int r = GridStride.Start, step = GridStride.Step; r < counts.IntLength; r += step)
        {
            int correct = 0;
            for (int j = r * cols; j < (r + 1) * cols; j++)
            {
                T rounded = p[j] > half ? T.One : T.Zero;
                correct += rounded == y[j] ? 1 : 0;
            }
            counts[r] = correct;
        }
    }

    /// <summary>x limited to [lo, hi] (NaN stays NaN), as Math.Clamp; written out because Math.Clamp's throw path does not compile for GPUs.</summary>
    private static T Clip<T>(T x, T lo, T hi)
        where T : unmanaged, IFloatingPointIeee754<T>
        => x < lo ? lo : x > hi ? hi : x;

    /// <summary>Offset (from <paramref name="start"/>) of the first maximum of v[start .. start + n).</summary>
    private static int ArgMax<T>(ArrayView<T> v, int start, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int best = 0;
        for (int j = 1; j < n; j++)
        {
            if (v[start + j] > v[start + best])
            {
                best = j;
            }
        }
        return best;
    }
}
