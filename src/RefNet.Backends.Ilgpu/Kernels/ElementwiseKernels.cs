// ILGPU kernels for memory and elementwise arithmetic; each is a grid-stride loop over the elements.
// Every kernel names its CPU twin in CpuBackend, which is the specification it must match.
using System.Numerics;
using ILGPU;

namespace RefNet.Backends.Ilgpu.Kernels;

/// <summary>Fill, elementwise arithmetic, bias add and row gather.</summary>
internal static class ElementwiseKernels
{
    /// <summary>y[i] = value. CPU twin: <see cref="CpuBackend{T}.Fill"/>.</summary>
    public static void Fill<T>(ArrayView<T> y, T value)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = GridStride.Start, step = GridStride.Step; i < y.IntLength; i += step)
        {
            y[i] = value;
        }
    }

    /// <summary>y[i] = a[i] + b[i]. CPU twin: <see cref="CpuBackend{T}.Add"/>.</summary>
    public static void Add<T>(ArrayView<T> a, ArrayView<T> b, ArrayView<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = GridStride.Start, step = GridStride.Step; i < y.IntLength; i += step)
        {
            y[i] = a[i] + b[i];
        }
    }

    /// <summary>y[i] = a[i] − b[i]. CPU twin: <see cref="CpuBackend{T}.Subtract"/>.</summary>
    public static void Subtract<T>(ArrayView<T> a, ArrayView<T> b, ArrayView<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = GridStride.Start, step = GridStride.Step; i < y.IntLength; i += step)
        {
            y[i] = a[i] - b[i];
        }
    }

    /// <summary>y[i] = a[i]·b[i]. CPU twin: <see cref="CpuBackend{T}.Multiply"/>.</summary>
    public static void Multiply<T>(ArrayView<T> a, ArrayView<T> b, ArrayView<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = GridStride.Start, step = GridStride.Step; i < y.IntLength; i += step)
        {
            y[i] = a[i] * b[i];
        }
    }

    /// <summary>y[i] = alpha·x[i]. CPU twin: <see cref="CpuBackend{T}.Scale"/>.</summary>
    public static void Scale<T>(ArrayView<T> x, T alpha, ArrayView<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = GridStride.Start, step = GridStride.Step; i < y.IntLength; i += step)
        {
            y[i] = alpha * x[i];
        }
    }

    /// <summary>y[i] += alpha·x[i]. CPU twin: <see cref="CpuBackend{T}.Axpy"/>.</summary>
    public static void Axpy<T>(T alpha, ArrayView<T> x, ArrayView<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = GridStride.Start, step = GridStride.Step; i < y.IntLength; i += step)
        {
            y[i] += alpha * x[i];
        }
    }

    /// <summary>y[i] += alpha·sign(x[i]) with sign(0) = 0. CPU twin: <see cref="CpuBackend{T}.AxpySign"/>.</summary>
    public static void AxpySign<T>(T alpha, ArrayView<T> x, ArrayView<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = GridStride.Start, step = GridStride.Step; i < y.IntLength; i += step)
        {
            T s = x[i] > T.Zero ? T.One : x[i] < T.Zero ? -T.One : T.Zero;
            y[i] += alpha * s;
        }
    }

    /// <summary>y[r, j] = x[r, j] + v[j] (bias add). CPU twin: <see cref="CpuBackend{T}.AddRowVector"/>.</summary>
    public static void AddRowVector<T>(ArrayView<T> x, ArrayView<T> v, ArrayView<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int cols = v.IntLength;
        for (int i = GridStride.Start, step = GridStride.Step; i < y.IntLength; i += step)
        {
            y[i] = x[i] + v[i % cols];
        }
    }

    /// <summary>destination[r, j] = source[rows[r], j] (mini-batch gather). CPU twin: <see cref="CpuBackend{T}.GatherRows"/>.</summary>
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
}
