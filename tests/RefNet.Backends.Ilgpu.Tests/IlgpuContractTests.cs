// The shared backend contract (RefNet.Tests' BackendContractTests) run against ILGPU: on the CPU accelerator
// with both GEMM kernels, and on CUDA (skipped when no CUDA device is present). Small shapes: the simulator is slow.
using System.Numerics;
using RefNet.Backends.Ilgpu;
using RefNet.Tests.BackendContract;
using Xunit;

namespace RefNet.Backends.Ilgpu.Tests;

/// <summary>The contract on one fixture backend; the backend is shared by the whole "Ilgpu" collection.</summary>
public abstract class IlgpuContractTests<T> : BackendContractTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly IBackend<T> _backend;

    /// <summary>Skips every test (from the constructor, before any assertion runs) when the device is absent.</summary>
    protected IlgpuContractTests(IlgpuFixture fixture, IlgpuDevice device, IlgpuGemm? gemm = null)
    {
        IBackend<T>? backend = fixture.Get<T>(device, gemm);
        Skip.If(backend is null, "no CUDA device present");
        _backend = backend!;
    }

    /// <summary>At most 12 × 12 matrices on ILGPU's CPU accelerator (it simulates every GPU thread).</summary>
    protected override int MaxDimension => 12;

    /// <summary>Larger than one 16 × 16 CUDA tile in every dimension, small enough for the simulator.</summary>
    protected override (int M, int K, int N) LargeMatMulShape => (25, 36, 27);

    protected override IBackend<T> CreateBackend() => _backend;
}

[Collection("Ilgpu")]
public sealed class IlgpuCpuFloatContractTests(IlgpuFixture fixture) : IlgpuContractTests<float>(fixture, IlgpuDevice.Cpu);

[Collection("Ilgpu")]
public sealed class IlgpuCpuDoubleContractTests(IlgpuFixture fixture) : IlgpuContractTests<double>(fixture, IlgpuDevice.Cpu);

[Collection("Ilgpu")]
public sealed class IlgpuCpuTiledGemmFloatContractTests(IlgpuFixture fixture) : IlgpuContractTests<float>(fixture, IlgpuDevice.Cpu, IlgpuGemm.Tiled);

[Collection("Ilgpu")]
public sealed class IlgpuCudaFloatContractTests(IlgpuFixture fixture) : IlgpuContractTests<float>(fixture, IlgpuDevice.Cuda);

[Collection("Ilgpu")]
public sealed class IlgpuCudaDoubleContractTests(IlgpuFixture fixture) : IlgpuContractTests<double>(fixture, IlgpuDevice.Cuda);
