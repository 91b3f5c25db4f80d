// The backend contract instantiated for the CPU backends, in float and double: the plain specification
// (ReferenceBackend), the vectorized default (CpuBackend with the automatic GEMM) and CpuBackend with the managed GEMM.
using RefNet.Backends;
using RefNet.Backends.Cpu;

namespace RefNet.Tests.BackendContract;

public class ReferenceBackendContractTests_Float : BackendContractTests<float>
{
    protected override IBackend<float> CreateBackend() => new ReferenceBackend<float>();
}

public class ReferenceBackendContractTests_Double : BackendContractTests<double>
{
    protected override IBackend<double> CreateBackend() => new ReferenceBackend<double>();
}

public class CpuBackendContractTests_Float : BackendContractTests<float>
{
    protected override IBackend<float> CreateBackend() => new CpuBackend<float>();
}

public class CpuBackendContractTests_Double : BackendContractTests<double>
{
    protected override IBackend<double> CreateBackend() => new CpuBackend<double>();
}

public class CpuManagedGemmContractTests_Float : BackendContractTests<float>
{
    protected override IBackend<float> CreateBackend() => new CpuBackend<float>(ManagedGemm.Instance);
}

public class CpuManagedGemmContractTests_Double : BackendContractTests<double>
{
    protected override IBackend<double> CreateBackend() => new CpuBackend<double>(ManagedGemm.Instance);
}
