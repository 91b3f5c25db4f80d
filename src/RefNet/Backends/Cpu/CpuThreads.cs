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
    private static int s_count; // 0: not read yet (REFNET_THREADS is read on first use, so setting Count first never reads it)

    /// <summary>Threads used by GEMM (≥ 1). Changing it takes effect at the next GEMM call.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Less than 1.</exception>
    /// <exception cref="ArgumentException">Read before being set, while REFNET_THREADS is not a positive integer.</exception>
    public static int Count
    {
        get => s_count > 0 ? s_count : (s_count = Initial());
        set
        {
            if (value < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(value), $"Thread count must be at least 1, got {value}");
            }
            s_count = value;
        }
    }

    /// <summary>The environment variable that sets the initial <see cref="Count"/>.</summary>
    public const string EnvironmentVariable = "REFNET_THREADS";

    /// <summary>REFNET_THREADS when set, else <see cref="Environment.ProcessorCount"/>.</summary>
    /// <exception cref="ArgumentException">REFNET_THREADS is set but not a positive integer (never silently ignored).</exception>
    public static int Initial() => Parse(Environment.GetEnvironmentVariable(EnvironmentVariable));

    /// <summary>A REFNET_THREADS value: null or blank gives <see cref="Environment.ProcessorCount"/>, a positive integer itself.</summary>
    /// <exception cref="ArgumentException">Anything else, naming the variable and the value.</exception>
    public static int Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return Environment.ProcessorCount;
        }
        return int.TryParse(value.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) && n > 0
            ? n
            : throw new ArgumentException($"{EnvironmentVariable}='{value}' is not a positive integer (unset it to use all {Environment.ProcessorCount} cores)", nameof(value));
    }
}
