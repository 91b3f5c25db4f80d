// The shared backend contract (tests/RefNet.Tests/BackendContract) run against the ILGPU backend on
// ILGPU's CPU accelerator (always) and on CUDA (when a device is present), float and double.
using RefNet.Backends.Ilgpu;
using RefNet.Tests.BackendContract;
using Xunit;

namespace RefNet.Backends.Ilgpu.Tests;

[Collection("Ilgpu")]
public class IlgpuCpuBackendContractTests_Float(IlgpuFixture fixture) : BackendContractTests<float>
{
    protected override IBackend<float> CreateBackend() => fixture.Get<float>(IlgpuDevice.Cpu)!;

    // The CPU accelerator simulates GPU threads; small shapes keep the contract quick.
    protected override int MaxDimension => 12;

    protected override (int M, int K, int N) LargeMatMulShape => (25, 36, 27);
}

[Collection("Ilgpu")]
public class IlgpuCpuBackendContractTests_Double(IlgpuFixture fixture) : BackendContractTests<double>
{
    protected override IBackend<double> CreateBackend() => fixture.Get<double>(IlgpuDevice.Cpu)!;

    protected override int MaxDimension => 12;

    protected override (int M, int K, int N) LargeMatMulShape => (25, 36, 27);
}
