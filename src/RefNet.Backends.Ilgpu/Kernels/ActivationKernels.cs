// ILGPU kernels for activations and their derivatives (written in terms of the forward output y = f(x)).
// Elementwise ones are grid-stride loops; softmax gives each row to one thread and sums it in CPU order.
using System.Numerics;
using ILGPU;

namespace RefNet.Backends.Ilgpu.Kernels;

/// <summary>relu, sigmoid, tanh and row-wise softmax, forward and backward.</summary>
internal static class ActivationKernels
{
    /// <summary>y[i] = max(x[i], 0). CPU twin: <see cref="CpuBackend{T}.Activation"/> (Relu).</summary>
    public static void Relu<T>(ArrayView<T> x, ArrayView<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = GridStride.Start, step = GridStride.Step; i < y.IntLength; i += step)
        {
            y[i] = x[i] > T.Zero ? x[i] : T.Zero;
        }
    }

    /// <summary>y[i] = σ(x[i]) via the CPU's own overflow-safe <see cref="CpuBackend{T}.Sigmoid"/> (its twin).</summary>
    public static void Sigmoid<T>(ArrayView<T> x, ArrayView<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = GridStride.Start, step = GridStride.Step; i < y.IntLength; i += step)
        {
            y[i] = CpuBackend<T>.Sigmoid(x[i]);
        }
    }

    /// <summary>y[i] = tanh(x[i]). CPU twin: <see cref="CpuBackend{T}.Activation"/> (Tanh).</summary>
    public static void Tanh<T>(ArrayView<T> x, ArrayView<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = GridStride.Start, step = GridStride.Step; i < y.IntLength; i += step)
        {
            y[i] = T.Tanh(x[i]);
        }
    }

    /// <summary>Row r: y_j = e^(x_j − max) / Σ_k e^(x_k − max), one thread per row.
    /// CPU twin: <see cref="CpuBackend{T}.Activation"/> (Softmax).</summary>
    public static void Softmax<T>(ArrayView<T> x, ArrayView<T> y, int cols)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = y.IntLength / cols;
        for (int r = GridStride.Start, step = GridStride.Step; r < rows; r += step)
        {
            int o = r * cols;
            T max = x[o];
            for (int j = 1; j < cols; j++)
            {
                if (x[o + j] > max)
                {
                    max = x[o + j];
                }
            }
            T sum = T.Zero;
            for (int j = 0; j < cols; j++)
            {
                y[o + j] = T.Exp(x[o + j] - max);
                sum += y[o + j];
            }
            for (int j = 0; j < cols; j++)
            {
                y[o + j] /= sum;
            }
        }
    }

    /// <summary>dx[i] = g[i]·1[y[i] &gt; 0]. CPU twin: <see cref="CpuBackend{T}.ActivationBackward"/> (Relu).</summary>
    public static void ReluBackward<T>(ArrayView<T> y, ArrayView<T> g, ArrayView<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = GridStride.Start, step = GridStride.Step; i < dx.IntLength; i += step)
        {
            dx[i] = y[i] > T.Zero ? g[i] : T.Zero;
        }
    }

    /// <summary>dx[i] = g[i]·y[i]·(1 − y[i]). CPU twin: <see cref="CpuBackend{T}.ActivationBackward"/> (Sigmoid).</summary>
    public static void SigmoidBackward<T>(ArrayView<T> y, ArrayView<T> g, ArrayView<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = GridStride.Start, step = GridStride.Step; i < dx.IntLength; i += step)
        {
            dx[i] = g[i] * y[i] * (T.One - y[i]);
        }
    }

    /// <summary>dx[i] = g[i]·(1 − y[i]²). CPU twin: <see cref="CpuBackend{T}.ActivationBackward"/> (Tanh).</summary>
    public static void TanhBackward<T>(ArrayView<T> y, ArrayView<T> g, ArrayView<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = GridStride.Start, step = GridStride.Step; i < dx.IntLength; i += step)
        {
            dx[i] = g[i] * (T.One - (y[i] * y[i]));
        }
    }

    /// <summary>Row r: dx_j = y_j·(g_j − ⟨g, y⟩), one thread per row.
    /// CPU twin: <see cref="CpuBackend{T}.ActivationBackward"/> (Softmax).</summary>
    public static void SoftmaxBackward<T>(ArrayView<T> y, ArrayView<T> g, ArrayView<T> dx, int cols)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = dx.IntLength / cols;
        for (int r = GridStride.Start, step = GridStride.Step; r < rows; r += step)
        {
            int o = r * cols;
            T dot = T.Zero;
            for (int j = 0; j < cols; j++)
            {
                dot += g[o + j] * y[o + j];
            }
            for (int j = 0; j < cols; j++)
            {
                dx[o + j] = y[o + j] * (g[o + j] - dot);
            }
        }
    }
}
