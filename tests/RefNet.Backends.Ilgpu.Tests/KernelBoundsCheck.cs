// ILGPU's CPU accelerator checks every ArrayView index with Trace.Assert, and the default trace listener ends the
// process on a failed assert: a kernel that read or wrote past its buffer used to kill the test host, with no test
// named. Here the failure is recorded instead, and the assembly-wide [KernelBoundsCheck] hook fails the test during
// which it happened, naming the test and the first failure. (On CUDA nothing checks indices: the CPU accelerator
// runs the same kernels, with the same shapes, so this is where out-of-bounds indexing is caught.)
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using Xunit.Sdk;

[assembly: RefNet.Backends.Ilgpu.Tests.KernelBoundsCheck]

namespace RefNet.Backends.Ilgpu.Tests;

/// <summary>A trace listener that records failed asserts (ILGPU's "Index out of range") instead of ending the process.</summary>
public sealed class KernelBoundsListener : TraceListener
{
    private static readonly ConcurrentQueue<string> Failures = new();
    private static int _installed;

    /// <summary>Replaces the process-ending default listener with this one (once per process).</summary>
    public static void Install()
    {
        if (Interlocked.Exchange(ref _installed, 1) == 1)
        {
            return;
        }
        Trace.Listeners.Remove("Default");
        Trace.Listeners.Add(new KernelBoundsListener());
    }

    /// <summary>The failures recorded since the last call, oldest first.</summary>
    public static List<string> Drain()
    {
        var list = new List<string>();
        while (Failures.TryDequeue(out string? f))
        {
            list.Add(f);
        }
        return list;
    }

    public override void Fail(string? message, string? detailMessage)
    {
        // The kernel that indexed (and the method that called it, if any): the first frames outside System and ILGPU.
        string where = string.Join(" ← ", new StackTrace(1, false).GetFrames()
            .Select(f => f.GetMethod())
            .Where(m => m?.DeclaringType?.Namespace is { } ns && !ns.StartsWith("System", StringComparison.Ordinal) && !ns.StartsWith("ILGPU", StringComparison.Ordinal))
            .Take(2)
            .Select(m => $"{m!.DeclaringType!.Name}.{m.Name}"));
        Failures.Enqueue($"{message}{(string.IsNullOrEmpty(detailMessage) ? "" : $" ({detailMessage})")} at {where}");
    }

    public override void Write(string? message)
    {
    }

    public override void WriteLine(string? message)
    {
    }
}

/// <summary>Raised after a test during which a kernel indexed outside its buffer.</summary>
public sealed class KernelBoundsException(string message) : Exception(message);

/// <summary>Fails any test of this assembly during which an assert (a kernel's bounds check) failed.</summary>
[AttributeUsage(AttributeTargets.Assembly | AttributeTargets.Class | AttributeTargets.Method)]
public sealed class KernelBoundsCheckAttribute : BeforeAfterTestAttribute
{
    public override void Before(MethodInfo methodUnderTest)
    {
        KernelBoundsListener.Install();
        KernelBoundsListener.Drain();
    }

    public override void After(MethodInfo methodUnderTest)
    {
        string? message = Message(methodUnderTest, KernelBoundsListener.Drain());
        if (message is not null)
        {
            throw new KernelBoundsException(message);
        }
    }

    /// <summary>The failure message for <paramref name="failures"/> recorded during a test; null when there are none.</summary>
    public static string? Message(MethodInfo test, IReadOnlyList<string> failures) => failures.Count == 0 ? null
        : $"{test.DeclaringType?.Name}.{test.Name}: a kernel indexed outside its buffer ({failures.Count} failed bounds check{(failures.Count == 1 ? "" : "s")}); first: {failures[0]}";
}
