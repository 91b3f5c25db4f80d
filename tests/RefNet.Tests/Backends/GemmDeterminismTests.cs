// Determinism of the fast GEMMs: the managed kernel gives bitwise the same C for any thread count,
// and every implementation gives bitwise the same C when called twice with the same inputs.
using RefNet.Backends.Cpu;
using Xunit;

namespace RefNet.Tests.Backends;

/// <summary>Tests that change <see cref="CpuThreads.Count"/> run alone (it is process-wide).</summary>
[CollectionDefinition("CpuThreads", DisableParallelization = true)]
public sealed class CpuThreadsCollection
{
}

[Collection("CpuThreads")]
public class GemmDeterminismTests
{
    [Theory]
    [InlineData(ManagedGemmKernel.Vector512)]
    [InlineData(ManagedGemmKernel.Vector256)]
    public void Managed_IsBitwiseIdentical_ForAnyThreadCount(ManagedGemmKernel kernel)
    {
        var gemm = new ManagedGemm(kernel);
        // 130×300×600: 3 tile rows × 2 tile columns × 3 depth blocks, so threads really share the work.
        var p = GemmTests.Problem.Create(130, 300, 600, true, false, seed: 11, padding: 0);
        float[] a = p.A.Select(v => (float)v).ToArray();
        float[] b = p.B.Select(v => (float)v).ToArray();
        int saved = CpuThreads.Count;
        try
        {
            float[]? first = null;
            foreach (int threads in new[] { 1, 2, 3, 1 })
            {
                CpuThreads.Count = threads;
                float[] c = new float[130 * 300];
                gemm.Multiply(true, false, 130, 300, 600, 1f, a, p.Lda, b, p.Ldb, 0f, c, p.Ldc);
                first ??= c;
                Assert.True(first.AsSpan().SequenceEqual(c), $"{kernel}: result with {threads} thread(s) differs from 1 thread");
            }
        }
        finally
        {
            CpuThreads.Count = saved;
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ManagedThinProduct_IsBitwiseIdentical_ForAnyThreadCount(bool transposeB)
    {
        // 200×10×600 with A not transposed: the dot-product path (7 row tasks of 32), C pre-filled with NaN.
        var gemm = new ManagedGemm(ManagedGemmKernel.Vector512);
        var p = GemmTests.Problem.Create(200, 10, 600, false, transposeB, seed: 5, padding: 0);
        float[] a = p.A.Select(v => (float)v).ToArray();
        float[] b = p.B.Select(v => (float)v).ToArray();
        int saved = CpuThreads.Count;
        try
        {
            float[]? first = null;
            foreach (int threads in new[] { 1, 2, 3, 1 })
            {
                CpuThreads.Count = threads;
                float[] c = Enumerable.Repeat(float.NaN, 200 * 10).ToArray();
                gemm.Multiply(false, transposeB, 200, 10, 600, 1f, a, p.Lda, b, p.Ldb, 0f, c, p.Ldc);
                Assert.DoesNotContain(c, float.IsNaN);
                first ??= c;
                Assert.True(first.AsSpan().SequenceEqual(c), $"result with {threads} thread(s) differs from 1 thread");
            }
        }
        finally
        {
            CpuThreads.Count = saved;
        }
    }

    [Theory]
    [MemberData(nameof(GemmTests.Implementations), MemberType = typeof(GemmTests))]
    public void SameInputs_GiveBitwiseSameResult(string implementation)
    {
        IGemm gemm = GemmTests.Create(implementation);
        var p = GemmTests.Problem.Create(128, 512, 300, false, true, seed: 3, padding: 0);
        float[] a = p.A.Select(v => (float)v).ToArray();
        float[] b = p.B.Select(v => (float)v).ToArray();
        float[] c1 = new float[128 * 512];
        float[] c2 = new float[128 * 512];
        gemm.Multiply(false, true, 128, 512, 300, 1f, a, p.Lda, b, p.Ldb, 0f, c1, p.Ldc);
        gemm.Multiply(false, true, 128, 512, 300, 1f, a, p.Lda, b, p.Ldb, 0f, c2, p.Ldc);
        Assert.True(c1.AsSpan().SequenceEqual(c2));
    }

    [Fact]
    public void ThreadCount_RejectsZero()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CpuThreads.Count = 0);
    }
}
