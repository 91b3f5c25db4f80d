// The backend contract instantiated for the CPU reference backend, in float and double.
using RefNet.Backends;

namespace RefNet.Tests.BackendContract;

public class CpuBackendContractTests_Float : BackendContractTests<float>
{
    protected override IBackend<float> CreateBackend() => new CpuBackend<float>();
}

public class CpuBackendContractTests_Double : BackendContractTests<double>
{
    protected override IBackend<double> CreateBackend() => new CpuBackend<double>();
}
