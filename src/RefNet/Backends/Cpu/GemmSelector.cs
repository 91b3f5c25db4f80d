// GemmSelector: picks the GEMM implementation once per process — unless REFNET_GEMM=openblas|managed|reference says
// otherwise — and records why. OpenBLAS is the default when it loads and runs a kernel tuned for this CPU. When the
// OpenBLAS build does not recognise the CPU it silently falls back to a generic SSE kernel ("Prescott"), about 3×
// slower; that case is detected from openblas_get_corename, and OpenBlasGemm loads the library again with the tuned
// OPENBLAS_CORETYPE (SKYLAKEX or HASWELL). If OpenBLAS still runs a generic kernel, the managed kernel is used.
// A user's OPENBLAS_CORETYPE is never overridden: with it set, OpenBLAS runs what the user asked for.
using System.Runtime.Intrinsics.X86;

namespace RefNet.Backends.Cpu;

/// <summary>The widest SIMD instruction set a CPU offers or an OpenBLAS kernel uses (x86; other CPUs are <see cref="Unknown"/>).</summary>
public enum SimdLevel
{
    /// <summary>Not an x86 CPU or kernel RefNet knows.</summary>
    Unknown,

    /// <summary>SSE up to 4.2 (OpenBLAS: Prescott, Core2, Nehalem, Atom, Opteron, Barcelona, …).</summary>
    Sse,

    /// <summary>AVX without FMA (OpenBLAS: Sandybridge, Bulldozer).</summary>
    Avx,

    /// <summary>AVX2 with FMA (OpenBLAS: Haswell, Zen).</summary>
    Avx2,

    /// <summary>AVX-512 (OpenBLAS: SkylakeX, Cooperlake, SapphireRapids).</summary>
    Avx512,
}

/// <summary>The GEMM the CPU backend uses by default, and the reason it was chosen.</summary>
/// <param name="Gemm">The implementation.</param>
/// <param name="Reason">One line for <c>refnet info</c>: what was chosen and why.</param>
public sealed record GemmChoice(IGemm Gemm, string Reason);

/// <summary>Chooses the <see cref="IGemm"/> the CPU backend uses by default.</summary>
public static class GemmSelector
{
    /// <summary>The environment variable that overrides the automatic choice.</summary>
    public const string EnvironmentVariable = "REFNET_GEMM";

    /// <summary>OpenBLAS' own variable that forces its kernel (read by OpenBLAS when it loads).</summary>
    public const string OpenBlasCoreTypeVariable = "OPENBLAS_CORETYPE";

    private static readonly Lazy<GemmChoice> s_default = new(() => Select(Environment.GetEnvironmentVariable(EnvironmentVariable)));

    /// <summary>The default GEMM and why: REFNET_GEMM if set, else <see cref="Automatic"/>; decided once per process.</summary>
    /// <exception cref="ArgumentException">REFNET_GEMM names an unknown GEMM, or OpenBLAS when none loads.</exception>
    public static GemmChoice DefaultChoice => s_default.Value;

    /// <summary>The default GEMM (<see cref="DefaultChoice"/>).</summary>
    public static IGemm Default => DefaultChoice.Gemm;

    /// <summary>The names <see cref="FromName"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["auto", "openblas", "managed", "portable", "reference"];

    /// <summary>This CPU's widest SIMD level, from the .NET hardware intrinsics.</summary>
    public static SimdLevel CpuLevel { get; } = Avx512F.IsSupported ? SimdLevel.Avx512
        : Avx2.IsSupported && Fma.IsSupported ? SimdLevel.Avx2
        : Avx.IsSupported ? SimdLevel.Avx
        : Sse42.IsSupported ? SimdLevel.Sse
        : SimdLevel.Unknown;

    /// <summary>The automatic choice on this machine: see <see cref="Decide"/>.</summary>
    public static GemmChoice Automatic()
    {
        OpenBlasGemm? blas = OpenBlasGemm.Instance;
        if (blas?.Retuned is { } r && CoreLevel(blas.CoreName) >= SimdLevel.Avx2)
        {
            return new GemmChoice(blas, $"automatic: OpenBLAS core {blas.CoreName}: this OpenBLAS build fell back to its generic {r.FallbackCore} kernel "
                + $"on this {Describe(CpuLevel)} CPU, so RefNet loaded it again with {OpenBlasCoreTypeVariable}={r.CoreType}");
        }
        (string name, string reason) = Decide(blas?.CoreName, CpuLevel, Environment.GetEnvironmentVariable(OpenBlasCoreTypeVariable));
        return new GemmChoice(name == "openblas" ? blas! : ManagedGemm.Instance, reason);
    }

    /// <summary>
    /// The automatic rule, as a pure function: OpenBLAS when it loaded and either runs a kernel at least as wide as
    /// AVX2 (or as wide as the CPU), was forced by the user's OPENBLAS_CORETYPE, or runs a core RefNet does not know
    /// (non-x86 builds); the managed kernel when no OpenBLAS loaded, or when OpenBLAS fell back to a generic kernel
    /// narrower than both AVX2 and the CPU.
    /// </summary>
    /// <param name="openBlasCore">openblas_get_corename(), or null when no OpenBLAS library loaded.</param>
    /// <param name="cpu">The CPU's SIMD level.</param>
    /// <param name="userCoreType">OPENBLAS_CORETYPE as the user set it (null or empty when unset).</param>
    /// <returns>"openblas" or "managed", and the reason in one line.</returns>
    public static (string Gemm, string Reason) Decide(string? openBlasCore, SimdLevel cpu, string? userCoreType)
    {
        if (openBlasCore is null)
        {
            return ("managed", "automatic: no OpenBLAS library loaded (apt-get install libopenblas0), so the managed kernel");
        }
        if (!string.IsNullOrWhiteSpace(userCoreType))
        {
            return ("openblas", $"automatic: OpenBLAS core {openBlasCore}, forced by {OpenBlasCoreTypeVariable}={userCoreType.Trim()} (left as the user set it)");
        }
        SimdLevel core = CoreLevel(openBlasCore);
        if (core == SimdLevel.Unknown || cpu == SimdLevel.Unknown)
        {
            return ("openblas", $"automatic: OpenBLAS core {openBlasCore} (not an x86 kernel RefNet ranks, so OpenBLAS' own choice is kept)");
        }
        if (core < cpu && core < SimdLevel.Avx2)
        {
            return ("managed", $"automatic: OpenBLAS runs its {openBlasCore} kernel ({Describe(core)}) on this {Describe(cpu)} CPU, a fallback "
                + $"(this OpenBLAS build does not recognise the CPU), so the managed kernel ({ManagedGemm.Instance.Kernel}) "
                + $"({OpenBlasCoreTypeVariable}=<core>, e.g. SKYLAKEX or HASWELL, makes OpenBLAS run a tuned kernel, and RefNet then uses it)");
        }
        return ("openblas", $"automatic: OpenBLAS recognises this CPU (core {openBlasCore}, {Describe(core)})");
    }

    /// <summary>
    /// The OPENBLAS_CORETYPE that gives a tuned kernel where OpenBLAS fell back to a generic one (the fallback
    /// condition of <see cref="Decide"/>): SKYLAKEX on an AVX-512 CPU, HASWELL on an AVX2 one; null where OpenBLAS'
    /// own choice is fine or unknown.
    /// </summary>
    public static string? TunedCoreType(string openBlasCore, SimdLevel cpu)
    {
        SimdLevel core = CoreLevel(openBlasCore);
        if (core == SimdLevel.Unknown || core >= cpu || core >= SimdLevel.Avx2)
        {
            return null;
        }
        return cpu switch
        {
            SimdLevel.Avx512 => "SKYLAKEX",
            SimdLevel.Avx2 => "HASWELL",
            _ => null,
        };
    }

    /// <summary>The SIMD level of an OpenBLAS x86 kernel by its core name (case-insensitive); Unknown for other names.</summary>
    public static SimdLevel CoreLevel(string coreName) => coreName.Trim().ToLowerInvariant() switch
    {
        "prescott" or "katmai" or "coppermine" or "northwood" or "banias" or "core2" or "penryn" or "dunnington" or "nehalem"
            or "atom" or "opteron" or "opteron_sse3" or "barcelona" or "bobcat" or "nano" or "generic" => SimdLevel.Sse,
        "sandybridge" or "bulldozer" or "piledriver" or "steamroller" => SimdLevel.Avx,
        "haswell" or "zen" or "excavator" => SimdLevel.Avx2,
        "skylakex" or "cooperlake" or "sapphirerapids" => SimdLevel.Avx512,
        _ => SimdLevel.Unknown,
    };

    private static string Describe(SimdLevel level) => level switch
    {
        SimdLevel.Sse => "SSE",
        SimdLevel.Avx => "AVX",
        SimdLevel.Avx2 => "AVX2",
        SimdLevel.Avx512 => "AVX-512",
        _ => "unknown SIMD",
    };

    /// <summary>REFNET_GEMM's value (null or "auto": the automatic choice) as a choice with its reason.</summary>
    /// <exception cref="ArgumentException">An unknown name (the message names REFNET_GEMM and its value).</exception>
    public static GemmChoice Select(string? name)
    {
        if ((name ?? "").Trim().ToLowerInvariant() is "" or "auto")
        {
            return Automatic();
        }
        try
        {
            return new GemmChoice(FromName(name), $"{EnvironmentVariable}={name!.Trim()}");
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{EnvironmentVariable}='{name}': {e.Message.Replace($" (Parameter '{e.ParamName}')", "")}", nameof(name), e);
        }
    }

    /// <summary>"openblas", "managed", "portable" (<see cref="ManagedGemm.Portable"/>), "reference", or "auto"/null/"" for the automatic choice.</summary>
    /// <exception cref="ArgumentException">Unknown name, or "openblas" when no OpenBLAS library loads.</exception>
    public static IGemm FromName(string? name) => (name ?? "").Trim().ToLowerInvariant() switch
    {
        "" or "auto" => Automatic().Gemm,
        "openblas" => OpenBlasGemm.Instance ?? throw new ArgumentException(
            $"GEMM 'openblas' requested but no OpenBLAS library could be loaded (tried {string.Join(", ", OpenBlasGemm.CandidateNames)}); " +
            "on Debian/Ubuntu: apt-get install libopenblas0"),
        "managed" => ManagedGemm.Instance,
        "portable" => ManagedGemm.Portable,
        "reference" => ReferenceGemm.Instance,
        _ => throw new ArgumentException($"Unknown GEMM '{name}' (expected {string.Join(", ", Names)})", nameof(name)),
    };
}
