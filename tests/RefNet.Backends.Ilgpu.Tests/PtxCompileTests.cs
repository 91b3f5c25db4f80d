// The CUDA path cannot run here (no GPU), but it can be compiled: every kernel is translated to PTX offline
// by ILGPU's PTX backend, for float and double, and the PTX must not call unresolved external functions.
using System.Reflection;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using RefNet.Backends.Ilgpu.Kernels;
using Xunit;

namespace RefNet.Backends.Ilgpu.Tests;

/// <summary>One ILGPU context and PTX backend shared by every compile test.</summary>
public sealed class PtxBackendFixture : IDisposable
{
    public PtxBackendFixture()
    {
        Context = IlgpuDevices.CreateContext(withCuda: true);
        Backend = new PTXBackend(Context, CudaArchitecture.SM_90, CudaInstructionSet.ISA_80, null!);
    }

    public Context Context { get; }

    public PTXBackend Backend { get; }

    public void Dispose()
    {
        Backend.Dispose();
        Context.Dispose();
    }
}

public sealed class PtxCompileTests(PtxBackendFixture ptx) : IClassFixture<PtxBackendFixture>
{
    /// <summary>Every kernel: the public static methods of the kernel classes, closed over float and double.</summary>
    public static TheoryData<string, string> Kernels()
    {
        var data = new TheoryData<string, string>();
        foreach (MethodInfo m in KernelMethods())
        {
            data.Add(m.DeclaringType!.Name, m.Name);
        }
        return data;
    }

    private static IEnumerable<MethodInfo> KernelMethods() =>
        typeof(GemmKernels).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(GemmKernels).Namespace && t.IsClass && t.IsAbstract && t.IsSealed)
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
            .Where(m => m.ReturnType == typeof(void));

    [Fact]
    public void TheKernelListCoversEveryFamily()
    {
        string[] families = KernelMethods().Select(m => m.DeclaringType!.Name).Distinct().Order().ToArray();
        Assert.Equal(new[] { "ElementwiseKernels", "FormulaKernels", "GemmKernels", "ReductionKernels", "WindowKernels" }, families);
        Assert.True(KernelMethods().Count() >= 25, $"only {KernelMethods().Count()} kernels found");
        // Every formula kernel is compiled below with at least one formula struct.
        foreach (MethodInfo m in KernelMethods().Where(m => m.GetGenericArguments().Length == 2))
        {
            Assert.NotEmpty(Formulas(m, typeof(float)));
        }
    }

    /// <summary>Every formula struct of RefNet (closed over t) that satisfies the formula parameter F of kernel m.</summary>
    private static IEnumerable<Type> Formulas(MethodInfo m, Type t)
    {
        Type constraint = m.GetGenericArguments()[1].GetGenericParameterConstraints().Single(c => c.IsInterface);
        Type closedConstraint = constraint.GetGenericTypeDefinition().MakeGenericType(t);
        foreach (Type s in typeof(RefNet.Backends.Backend<>).Assembly.GetTypes().Where(x => x.IsValueType && x.IsGenericTypeDefinition && x.GetGenericArguments().Length == 1))
        {
            Type closed;
            try
            {
                closed = s.MakeGenericType(t);
            }
            catch (ArgumentException)
            {
                continue; // constraint not met
            }
            if (closedConstraint.IsAssignableFrom(closed))
            {
                yield return closed;
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Kernel_CompilesToPtx_ForSm90_InFloatAndDouble(string family, string name)
    {
        MethodInfo method = KernelMethods().Single(m => m.DeclaringType!.Name == family && m.Name == name);
        PTXBackend backend = ptx.Backend;
        Type[] types = method.IsGenericMethodDefinition ? [typeof(float), typeof(double)] : [typeof(int)];
        foreach (Type t in types)
        {
            IEnumerable<MethodInfo> closedKernels = !method.IsGenericMethodDefinition ? [method]
                : method.GetGenericArguments().Length == 1 ? [method.MakeGenericMethod(t)]
                : Formulas(method, t).Select(f => method.MakeGenericMethod(t, f));
            foreach (MethodInfo closed in closedKernels)
            {
                EntryPointDescription entry = EntryPointDescription.FromExplicitlyGroupedKernel(closed);
                var compiled = (PTXCompiledKernel)backend.Compile(entry, default(KernelSpecialization));
                Assert.Contains(".entry", compiled.PTXAssembly);
                Assert.DoesNotContain(".extern .func", compiled.PTXAssembly);
            }
        }
    }
}
