// ILGPU kernels for the optimizer updates (Keras 2 forms), one grid-stride loop per rule.
// Same expressions and evaluation order as CpuBackend, so the CPU accelerator reproduces it bit for bit.
using System.Numerics;
using ILGPU;

namespace RefNet.Backends.Ilgpu.Kernels;

/// <summary>Parameter updates; p = parameter, g = gradient.</summary>
internal static class OptimizerKernels
{
    /// <summary>p −= lr·g. CPU twin: <see cref="CpuBackend{T}.SgdUpdate"/> (no velocity).</summary>
    public static void Sgd<T>(ArrayView<T> p, ArrayView<T> g, T learningRate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = GridStride.Start, step = GridStride.Step; i < p.IntLength; i += step)
        {
            p[i] -= learningRate * g[i];
        }
    }

    /// <summary>v = m·v − lr·g; p += v, or p += m·v − lr·g when nesterov = 1 (an int: bool is not blittable). CPU twin: <see cref="CpuBackend{T}.SgdUpdate"/>.</summary>
    public static void SgdMomentum<T>(ArrayView<T> p, ArrayView<T> g, ArrayView<T> v, T learningRate, T momentum, int nesterov)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = GridStride.Start, step = GridStride.Step; i < p.IntLength; i += step)
        {
            v[i] = (momentum * v[i]) - (learningRate * g[i]);
            p[i] = nesterov == 1 ? p[i] + (momentum * v[i]) - (learningRate * g[i]) : p[i] + v[i];
        }
    }

    /// <summary>a = ρ·a + (1−ρ)·g²; p −= lr·g/(√a + ε). CPU twin: <see cref="CpuBackend{T}.RmsPropUpdate"/>.</summary>
    public static void RmsProp<T>(ArrayView<T> p, ArrayView<T> g, ArrayView<T> a, T learningRate, T rho, T epsilon)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = GridStride.Start, step = GridStride.Step; i < p.IntLength; i += step)
        {
            a[i] = (rho * a[i]) + ((T.One - rho) * g[i] * g[i]);
            p[i] -= learningRate * g[i] / (T.Sqrt(a[i]) + epsilon);
        }
    }

    /// <summary>m = β₁m + (1−β₁)g; v = β₂v + (1−β₂)g²; p −= lr_t·m/(√v + ε). CPU twin: <see cref="CpuBackend{T}.AdamUpdate"/>.</summary>
    public static void Adam<T>(ArrayView<T> p, ArrayView<T> g, ArrayView<T> m, ArrayView<T> v, T learningRateT, T beta1, T beta2, T epsilon)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = GridStride.Start, step = GridStride.Step; i < p.IntLength; i += step)
        {
            m[i] = (beta1 * m[i]) + ((T.One - beta1) * g[i]);
            v[i] = (beta2 * v[i]) + ((T.One - beta2) * g[i] * g[i]);
            p[i] -= learningRateT * m[i] / (T.Sqrt(v[i]) + epsilon);
        }
    }

    /// <summary>a += g²; p −= lr·g/(√a + ε). CPU twin: <see cref="CpuBackend{T}.AdaGradUpdate"/>.</summary>
    public static void AdaGrad<T>(ArrayView<T> p, ArrayView<T> g, ArrayView<T> a, T learningRate, T epsilon)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = GridStride.Start, step = GridStride.Step; i < p.IntLength; i += step)
        {
            a[i] += g[i] * g[i];
            p[i] -= learningRate * g[i] / (T.Sqrt(a[i]) + epsilon);
        }
    }
}
