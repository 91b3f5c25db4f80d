// OpenBlasGemm: cblas_sgemm / cblas_dgemm from a system OpenBLAS, loaded at run time with NativeLibrary.
// Used when the library loads (Debian: apt-get install libopenblas0); otherwise RefNet falls back to ManagedGemm.
using System.Numerics;
using System.Runtime.InteropServices;

namespace RefNet.Backends.Cpu;

/// <summary>GEMM through OpenBLAS' CBLAS interface (row-major), found by probing the usual library names.</summary>
/// <remarks>OpenBLAS runs its own threads; their number follows <see cref="CpuThreads.Count"/> (1 for products below
/// <see cref="SingleThreadBelow"/>) through
/// <c>openblas_set_num_threads</c>, and RefNet never calls it from inside a parallel .NET loop, so the cores
/// are not oversubscribed. Both the 32-bit-integer (<c>cblas_sgemm</c>) and the 64-bit-integer
/// (<c>cblas_sgemm64_</c>, libopenblas64_) interfaces are supported.</remarks>
public sealed unsafe class OpenBlasGemm : IGemm
{
    private const int RowMajor = 101;
    private const int NoTrans = 111;
    private const int Trans = 112;

    /// <summary>Library names tried in order (Linux, macOS, Windows).</summary>
    public static readonly IReadOnlyList<string> CandidateNames =
    [
        "libopenblas.so.0", "libopenblas.so", "libopenblas64_.so.0", "libopenblas64_.so", "libopenblasp.so.0",
        "libopenblas.dylib", "libopenblas.0.dylib", "libopenblas.dll", "openblas",
    ];

    private static readonly Lazy<OpenBlasGemm?> s_loaded = new(TryLoad);

    private readonly delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void> _sgemm;
    private readonly delegate* unmanaged<int, int, int, int, int, int, double, double*, int, double*, int, double, double*, int, void> _dgemm;
    private readonly delegate* unmanaged<int, int, int, long, long, long, float, float*, long, float*, long, float, float*, long, void> _sgemm64;
    private readonly delegate* unmanaged<int, int, int, long, long, long, double, double*, long, double*, long, double, double*, long, void> _dgemm64;
    private readonly delegate* unmanaged<int, void> _setThreads;
    private readonly string _coreName;
    private readonly IntPtr _handle;
    private int _threads;

    private OpenBlasGemm(string libraryName, IntPtr handle)
    {
        LibraryName = libraryName;
        _handle = handle;
        // Each export is looked up on its own (no out variable shared between conditions), so every condition
        // can be changed independently, as mutation testing does.
        IntPtr sgemm = Export(handle, "cblas_sgemm"), dgemm = Export(handle, "cblas_dgemm");
        IntPtr sgemm64 = Export(handle, "cblas_sgemm64_"), dgemm64 = Export(handle, "cblas_dgemm64_");
        if (sgemm != IntPtr.Zero && dgemm != IntPtr.Zero)
        {
            _sgemm = (delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)sgemm;
            _dgemm = (delegate* unmanaged<int, int, int, int, int, int, double, double*, int, double*, int, double, double*, int, void>)dgemm;
        }
        else if (sgemm64 != IntPtr.Zero && dgemm64 != IntPtr.Zero)
        {
            _sgemm64 = (delegate* unmanaged<int, int, int, long, long, long, float, float*, long, float*, long, float, float*, long, void>)sgemm64;
            _dgemm64 = (delegate* unmanaged<int, int, int, long, long, long, double, double*, long, double*, long, double, double*, long, void>)dgemm64;
        }
        else
        {
            throw new EntryPointNotFoundException($"{libraryName} exports neither cblas_sgemm nor cblas_sgemm64_");
        }
        if (NativeLibrary.TryGetExport(handle, "openblas_set_num_threads", out IntPtr t)
            || NativeLibrary.TryGetExport(handle, "openblas_set_num_threads64_", out t))
        {
            _setThreads = (delegate* unmanaged<int, void>)t;
        }
        _coreName = "unknown core";
        if (NativeLibrary.TryGetExport(handle, "openblas_get_corename", out IntPtr c)
            || NativeLibrary.TryGetExport(handle, "openblas_get_corename64_", out c))
        {
            _coreName = Marshal.PtrToStringAnsi(((delegate* unmanaged<IntPtr>)c)()) ?? _coreName;
        }
    }

    /// <summary>The OpenBLAS instance, or null when no OpenBLAS library could be loaded.</summary>
    public static OpenBlasGemm? Instance => s_loaded.Value;

    /// <summary>True when an OpenBLAS library was found.</summary>
    public static bool IsAvailable => Instance is not null;

    /// <summary>The kernel OpenBLAS chose for this CPU (openblas_get_corename), e.g. "Haswell" or "Prescott".</summary>
    public string CoreName => _coreName;

    /// <summary>The library file name that loaded, e.g. "libopenblas.so.0".</summary>
    public string LibraryName { get; }

    /// <inheritdoc/>
    public string Name => "openblas";

    /// <inheritdoc/>
    public string Description => $"openblas ({LibraryName}, core {_coreName}, {CpuThreads.Count} thread(s))";

    /// <inheritdoc/>
    public void Multiply<T>(bool transposeA, bool transposeB, int m, int n, int k, T alpha,
        ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!GemmArguments.Prepare(transposeA, transposeB, m, n, k, a.Length, lda, b.Length, ldb, beta, c, ldc))
        {
            return;
        }
        SyncThreads((long)m * n * k < SingleThreadBelow ? 1 : CpuThreads.Count);
        int ta = transposeA ? Trans : NoTrans;
        int tb = transposeB ? Trans : NoTrans;
        fixed (T* pa = a)
        fixed (T* pb = b)
        fixed (T* pc = c)
        {
            if (typeof(T) == typeof(float))
            {
                float al = float.CreateTruncating(alpha);
                float be = float.CreateTruncating(beta);
                if (_sgemm != null)
                {
                    _sgemm(RowMajor, ta, tb, m, n, k, al, (float*)pa, lda, (float*)pb, ldb, be, (float*)pc, ldc);
                }
                else
                {
                    _sgemm64(RowMajor, ta, tb, m, n, k, al, (float*)pa, lda, (float*)pb, ldb, be, (float*)pc, ldc);
                }
            }
            else if (typeof(T) == typeof(double))
            {
                double al = double.CreateTruncating(alpha);
                double be = double.CreateTruncating(beta);
                if (_dgemm != null)
                {
                    _dgemm(RowMajor, ta, tb, m, n, k, al, (double*)pa, lda, (double*)pb, ldb, be, (double*)pc, ldc);
                }
                else
                {
                    _dgemm64(RowMajor, ta, tb, m, n, k, al, (double*)pa, lda, (double*)pb, ldb, be, (double*)pc, ldc);
                }
            }
            else
            {
                throw new NotSupportedException($"OpenBLAS GEMM supports float and double, not {typeof(T).Name}");
            }
        }
    }

    /// <summary>Products with m·n·k below this (4 Mi multiply-adds, 8 MFLOP) run on one OpenBLAS thread.</summary>
    /// <remarks>OpenBLAS 0.3.21 goes multi-threaded from m·n·k = 262 144 on; on 2 cores a recurrent step's products
    /// (32×512×128 = 2 Mi) are then slower than on one (addition_rnn: 1.07 s vs 0.88 s for 100 steps), while
    /// mnist_mlp's large products (128×512×512 = 32 Mi and up) keep both; its 128×10 classifier products (0.6 Mi) now run
    /// on one.</remarks>
    public const long SingleThreadBelow = 1L << 22;

    // OpenBLAS keeps one global thread count; set it whenever the wanted count changed since the last call.
    private void SyncThreads(int wanted)
    {
        if (wanted != _threads && _setThreads != null)
        {
            _setThreads(wanted);
            _threads = wanted;
        }
    }

    /// <summary>
    /// Set when OpenBLAS first loaded with a generic fallback core and was reloaded with OPENBLAS_CORETYPE: that
    /// first core (e.g. "Prescott") and the core type RefNet set; null when OpenBLAS' own choice was kept.
    /// </summary>
    public (string FallbackCore, string CoreType)? Retuned { get; private set; }

    private static OpenBlasGemm? TryLoad()
    {
        OpenBlasGemm? blas = LoadFirst();
        // OpenBLAS picks its kernel once, when it loads, and falls back to a generic SSE one on CPUs its build does
        // not know. Where that happened (and the user did not choose a core), unload it, set OPENBLAS_CORETYPE to the
        // tuned kernel for this CPU's SIMD level, and load it again: OpenBLAS reads the variable at load time.
        if (blas is null || !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(GemmSelector.OpenBlasCoreTypeVariable))
            || GemmSelector.TunedCoreType(blas.CoreName, GemmSelector.CpuLevel) is not { } coreType
            || !OperatingSystem.IsLinux())
        {
            return blas;
        }
        string fallback = blas.CoreName;
        NativeLibrary.Free(blas._handle);
        SetProcessEnvironment(GemmSelector.OpenBlasCoreTypeVariable, coreType);
        OpenBlasGemm? retuned = LoadFirst();
        if (retuned is not null)
        {
            retuned.Retuned = (fallback, coreType);
        }
        return retuned;
    }

    private static OpenBlasGemm? LoadFirst()
    {
        foreach (string name in CandidateNames)
        {
            if (NativeLibrary.TryLoad(name, typeof(OpenBlasGemm).Assembly, DllImportSearchPath.SafeDirectories | DllImportSearchPath.AssemblyDirectory, out IntPtr handle)
                || NativeLibrary.TryLoad(name, out handle))
            {
                try
                {
                    return new OpenBlasGemm(name, handle);
                }
                catch (EntryPointNotFoundException)
                {
                    // A library of that name without CBLAS; try the next name.
                    NativeLibrary.Free(handle);
                }
            }
        }
        return null;
    }

    /// <summary>Sets a variable in the process environment that native code reads with getenv (.NET's own copy too).</summary>
    private static IntPtr Export(IntPtr handle, string name) =>
        NativeLibrary.TryGetExport(handle, name, out IntPtr address) ? address : IntPtr.Zero;

    private static void SetProcessEnvironment(string name, string value)
    {
        Environment.SetEnvironmentVariable(name, value);
        _ = setenv(name, value, 1);
    }

    [DllImport("libc", EntryPoint = "setenv", CharSet = CharSet.Ansi, BestFitMapping = false)]
    private static extern int setenv(string name, string value, int overwrite);
}
