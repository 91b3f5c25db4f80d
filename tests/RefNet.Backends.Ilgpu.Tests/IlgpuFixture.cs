// One ILGPU backend per (device, GEMM kernel, element type) for the whole test assembly: kernels load only once.
// The tests using it share the non-parallel "Ilgpu" collection, so an accelerator is never used concurrently.
using System.Numerics;
using RefNet.Backends.Ilgpu;
using Xunit;

namespace RefNet.Backends.Ilgpu.Tests;

/// <summary>ILGPU backends on the CPU accelerator, and on CUDA when a CUDA device exists; created on first use.</summary>
public sealed class IlgpuFixture : IDisposable
{
    private readonly Dictionary<(IlgpuDevice, IlgpuGemm?, Type), IDisposable?> _backends = [];

    /// <summary>True when ILGPU sees a CUDA device (never on the CI machines, which have no GPU).</summary>
    public static bool CudaPresent { get; } = IlgpuDevices.CudaAvailable();

    /// <summary>The backend for <typeparamref name="T"/>; null for CUDA when no CUDA device exists.</summary>
    /// <param name="device">Cpu (the CPU accelerator) or Cuda.</param>
    /// <param name="gemm">The GEMM kernel (the device's default when null).</param>
    public IBackend<T>? Get<T>(IlgpuDevice device, IlgpuGemm? gemm = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        lock (_backends)
        {
            var key = (device, gemm, typeof(T));
            if (!_backends.TryGetValue(key, out IDisposable? backend))
            {
                backend = device == IlgpuDevice.Cuda && !CudaPresent ? null : IlgpuBackend<T>.Create(device, gemm);
                _backends[key] = backend;
            }
            return (IBackend<T>?)backend;
        }
    }

    public void Dispose()
    {
        foreach (IDisposable? backend in _backends.Values)
        {
            backend?.Dispose();
        }
        _backends.Clear();
    }
}

/// <summary>Every ILGPU test class joins this collection: one shared fixture, no parallel use of the accelerator.</summary>
[CollectionDefinition("Ilgpu", DisableParallelization = true)]
public sealed class IlgpuCollection : ICollectionFixture<IlgpuFixture>
{
}
