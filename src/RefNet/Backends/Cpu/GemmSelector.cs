// GemmSelector: picks the GEMM implementation at startup — OpenBLAS if it loads, else the managed kernel —
// unless the environment variable REFNET_GEMM=openblas|managed|reference says otherwise.
namespace RefNet.Backends.Cpu;

/// <summary>Chooses the <see cref="IGemm"/> the CPU backend uses by default.</summary>
public static class GemmSelector
{
    /// <summary>The environment variable that overrides the automatic choice.</summary>
    public const string EnvironmentVariable = "REFNET_GEMM";

    private static readonly Lazy<IGemm> s_default = new(() => FromName(Environment.GetEnvironmentVariable(EnvironmentVariable)));

    /// <summary>The default GEMM: REFNET_GEMM if set, else OpenBLAS when it loads, else <see cref="ManagedGemm"/>.</summary>
    public static IGemm Default => s_default.Value;

    /// <summary>The names <see cref="FromName"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["auto", "openblas", "managed", "reference"];

    /// <summary>OpenBLAS if it loads, else the managed kernel.</summary>
    public static IGemm Automatic() => OpenBlasGemm.Instance is { } blas ? blas : ManagedGemm.Instance;

    /// <summary>"openblas", "managed", "reference", or "auto"/null/"" for the automatic choice.</summary>
    /// <exception cref="ArgumentException">Unknown name, or "openblas" when no OpenBLAS library loads.</exception>
    public static IGemm FromName(string? name) => (name ?? "").Trim().ToLowerInvariant() switch
    {
        "" or "auto" => Automatic(),
        "openblas" => OpenBlasGemm.Instance ?? throw new ArgumentException(
            $"GEMM 'openblas' requested but no OpenBLAS library could be loaded (tried {string.Join(", ", OpenBlasGemm.CandidateNames)}); " +
            "on Debian/Ubuntu: apt-get install libopenblas0"),
        "managed" => ManagedGemm.Instance,
        "reference" => ReferenceGemm.Instance,
        _ => throw new ArgumentException($"Unknown GEMM '{name}' (expected {string.Join(", ", Names)})", nameof(name)),
    };
}
