// One ILGPU backend per element type for the whole test assembly: kernels are loaded (compiled) only once.
// The tests using it share the non-parallel "Ilgpu" collection, so the CPU accelerator is never used concurrently.
using RefNet.Backends.Ilgpu;
using Xunit;

namespace RefNet.Backends.Ilgpu.Tests;

/// <summary>ILGPU backends on the CPU accelerator, and on CUDA when a CUDA device exists.</summary>
public sealed class IlgpuFixture : IDisposable
{
    private readonly Lazy<IlgpuBackend<float>> _cpuFloat = new(() => IlgpuBackend<float>.Create(IlgpuDevice.Cpu));
    private readonly Lazy<IlgpuBackend<double>> _cpuDouble = new(() => IlgpuBackend<double>.Create(IlgpuDevice.Cpu));
    private readonly Lazy<IlgpuBackend<float>?> _cudaFloat = new(() => CudaPresent ? IlgpuBackend<float>.Create(IlgpuDevice.Cuda) : null);
    private readonly Lazy<IlgpuBackend<double>?> _cudaDouble = new(() => CudaPresent ? IlgpuBackend<double>.Create(IlgpuDevice.Cuda) : null);

    /// <summary>True when ILGPU sees a CUDA device (never on the CI machines, which have no GPU).</summary>
    public static bool CudaPresent { get; } = IlgpuDevices.CudaAvailable();

    /// <summary>The backend for <typeparamref name="T"/> on the CPU accelerator or on CUDA (null when CUDA is absent).</summary>
    public IBackend<T>? Get<T>(IlgpuDevice device)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        object? backend = (device, typeof(T)) switch
        {
            (IlgpuDevice.Cpu, Type t) when t == typeof(float) => _cpuFloat.Value,
            (IlgpuDevice.Cpu, Type t) when t == typeof(double) => _cpuDouble.Value,
            (IlgpuDevice.Cuda, Type t) when t == typeof(float) => _cudaFloat.Value,
            (IlgpuDevice.Cuda, Type t) when t == typeof(double) => _cudaDouble.Value,
            _ => throw new ArgumentException($"No fixture backend for {device}/{typeof(T).Name}"),
        };
        return (IBackend<T>?)backend;
    }

    public void Dispose()
    {
        if (_cpuFloat.IsValueCreated)
        {
            _cpuFloat.Value.Dispose();
        }
        if (_cpuDouble.IsValueCreated)
        {
            _cpuDouble.Value.Dispose();
        }
        if (_cudaFloat.IsValueCreated)
        {
            _cudaFloat.Value?.Dispose();
        }
        if (_cudaDouble.IsValueCreated)
        {
            _cudaDouble.Value?.Dispose();
        }
    }
}

/// <summary>Every ILGPU test class joins this collection: one shared fixture, no parallel use of the accelerator.</summary>
[CollectionDefinition("Ilgpu", DisableParallelization = true)]
public sealed class IlgpuCollection : ICollectionFixture<IlgpuFixture>
{
}
