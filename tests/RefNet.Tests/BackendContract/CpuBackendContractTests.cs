// The backend contract instantiated for the CPU backends, in float and double: the plain specification
// (reference GEMM), the vectorized default (FastCpuBackend with the automatic GEMM) and the managed GEMM.
using RefNet.Backends;
using RefNet.Backends.Cpu;

namespace RefNet.Tests.BackendContract;

public class CpuBackendContractTests_Float : BackendContractTests<float>
{
    protected override IBackend<float> CreateBackend() => new CpuBackend<float>(ReferenceGemm.Instance);
}

public class CpuBackendContractTests_Double : BackendContractTests<double>
{
    protected override IBackend<double> CreateBackend() => new CpuBackend<double>(ReferenceGemm.Instance);
}

public class FastCpuBackendContractTests_Float : BackendContractTests<float>
{
    protected override IBackend<float> CreateBackend() => new FastCpuBackend<float>();
}

public class FastCpuBackendContractTests_Double : BackendContractTests<double>
{
    protected override IBackend<double> CreateBackend() => new FastCpuBackend<double>();
}

public class FastCpuManagedGemmContractTests_Float : BackendContractTests<float>
{
    protected override IBackend<float> CreateBackend() => new FastCpuBackend<float>(ManagedGemm.Instance);
}

public class FastCpuManagedGemmContractTests_Double : BackendContractTests<double>
{
    protected override IBackend<double> CreateBackend() => new FastCpuBackend<double>(ManagedGemm.Instance);
}
