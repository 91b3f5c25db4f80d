// The bounds hook itself: a kernel that reads one element past its input is recorded, not fatal, and the hook turns
// it into a failure that names the test.
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using Xunit;

namespace RefNet.Backends.Ilgpu.Tests;

[Collection("Ilgpu")]
public sealed class KernelBoundsCheckTests
{
    /// <summary>y[i] = a[i + 1]: the last thread reads a[a.Length], one past the end (a read, so nothing is corrupted).</summary>
    private static void ReadOnePastTheEnd(Index1D i, ArrayView<float> a, ArrayView<float> y) => y[i] = a[i + 1];

    /// <summary>Runs <see cref="ReadOnePastTheEnd"/> over 4 threads with an input of <paramref name="inputLength"/>
    /// elements on a fresh CPU accelerator; returns the bounds failures recorded meanwhile.</summary>
    private static List<string> RunReadingInputOf(int inputLength)
    {
        KernelBoundsListener.Install();
        using var context = Context.Create(b => b.CPU(IlgpuDevices.SmallCpuDevice));
        using var accelerator = context.CreateCPUAccelerator(0);
        using var a = accelerator.Allocate1D<float>(inputLength);
        using var y = accelerator.Allocate1D<float>(4);
        var kernel = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(ReadOnePastTheEnd);
        KernelBoundsListener.Drain();
        kernel(4, a.View, y.View);
        accelerator.Synchronize();
        return KernelBoundsListener.Drain(); // taken here, so the hook does not fail the calling test
    }

    [Fact]
    public void KernelReadingPastItsBuffer_IsRecorded_AndBecomesANamedFailure()
    {
        List<string> failures = RunReadingInputOf(4);
        Assert.Single(failures);
        Assert.Contains("Index out of range", failures[0]);
        var test = typeof(KernelBoundsCheckTests).GetMethod(nameof(KernelReadingPastItsBuffer_IsRecorded_AndBecomesANamedFailure))!;
        string? message = KernelBoundsCheckAttribute.Message(test, failures);
        Assert.NotNull(message);
        Assert.StartsWith("KernelBoundsCheckTests.KernelReadingPastItsBuffer_IsRecorded_AndBecomesANamedFailure: a kernel indexed outside its buffer (1 failed bounds check)", message);
        Assert.Null(KernelBoundsCheckAttribute.Message(test, []));
    }

    [Fact]
    public void InBoundsKernel_RecordsNothing() => Assert.Empty(RunReadingInputOf(5));
}
