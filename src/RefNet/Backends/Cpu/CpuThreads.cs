// CpuThreads: how many cores RefNet's CPU path may use, shared by the managed GEMM and OpenBLAS.
// One number for both, so a parallel .NET loop and OpenBLAS threads never run on top of each other.
namespace RefNet.Backends.Cpu;

/// <summary>The thread budget of the CPU backend (default: the environment variable REFNET_THREADS, else all cores).</summary>
/// <remarks>GEMM and long elementwise calls run in parallel. <see cref="ManagedGemm"/> splits C into tiles that a fixed team of
/// <c>Count − 1</c> worker threads plus the caller share; <see cref="OpenBlasGemm"/> is told to use
/// <c>Count</c> threads. Elementwise calls on at least <see cref="CpuBackend{T}.ParallelThreshold"/> elements
/// use the same team, one chunk of whole vectors per thread.</remarks>
public static class CpuThreads
{
    private static int s_count = Initial();

    /// <summary>Threads used by GEMM (≥ 1). Changing it takes effect at the next GEMM call.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Less than 1.</exception>
    public static int Count
    {
        get => s_count;
        set
        {
            if (value < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(value), $"Thread count must be at least 1, got {value}");
            }
            s_count = value;
        }
    }

    /// <summary>REFNET_THREADS if it holds a positive integer, else <see cref="Environment.ProcessorCount"/>.</summary>
    public static int Initial() =>
        int.TryParse(Environment.GetEnvironmentVariable("REFNET_THREADS"), out int n) && n > 0 ? n : Environment.ProcessorCount;
}
