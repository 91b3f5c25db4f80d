// ILGPU kernel for dropout masks from the counter-based hash: the mask is a pure function of (seed, index).
// It calls CounterRng.Hash itself (ILGPU compiles it for the GPU), so CPU and GPU masks are identical.
using System.Numerics;
using ILGPU;

namespace RefNet.Backends.Ilgpu.Kernels;

/// <summary>Dropout mask generation.</summary>
internal static class DropoutKernels
{
    /// <summary>
    /// mask[i] = keepScale if u_i ≥ rate else 0, with u_i = (Hash(seed, i) &gt;&gt; 40)·2⁻²⁴.
    /// CPU twin: <see cref="CpuBackend{T}.DropoutMask"/>; hash twin: <see cref="CounterRng.Hash"/>.
    /// </summary>
    /// <remarks>
    /// The CPU compares u_i ≥ rate in <typeparamref name="T"/>. Both u_i = k_i·2⁻²⁴ (k_i a 24-bit integer) and
    /// rate·2²⁴ are exact in float and double, so u_i ≥ rate ⇔ k_i ≥ rate·2²⁴ ⇔ k_i ≥ ⌈rate·2²⁴⌉ = <paramref name="minKept"/>,
    /// which the host computes once from the rate rounded to <typeparamref name="T"/>. The kernel thus compares
    /// integers and never converts an integer to <typeparamref name="T"/> (generic conversions do not compile for GPUs).
    /// </remarks>
    public static void DropoutMask<T>(ArrayView<T> mask, ulong seed, long minKept, T keepScale)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = GridStride.Start, step = GridStride.Step; i < mask.IntLength; i += step)
        {
            long k = (long)(CounterRng.Hash(seed, (ulong)i) >> 40);
            mask[i] = k >= minKept ? keepScale : T.Zero;
        }
    }
}
