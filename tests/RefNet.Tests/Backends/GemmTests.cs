// Equivalence tests: every fast GEMM (managed kernels, OpenBLAS when installed) against the plain reference loop.
// float32 within the √K forward-error model (gradcheck.md §9), float64 within 1e-12 of the magnitude Σ|a||b|.
using RefNet.Backends.Cpu;
using Xunit;

namespace RefNet.Tests.Backends;

public class GemmTests
{
    // Sizes chosen around the block edges: 1, odd, MR/NR (6, 8, 16, 32) ± 1, KC = 256 ± 1, two KC blocks,
    // more than one 64×256 tile, the 1024-row A block and the 4096-column B block.
    public static readonly (int M, int N, int K)[] Shapes =
    [
        (1, 1, 1), (1, 7, 3), (7, 1, 5), (2, 3, 1), (5, 9, 2), (13, 17, 19), (8, 32, 16), (9, 33, 17), (6, 16, 8),
        (7, 15, 9), (16, 64, 255), (17, 31, 256), (12, 40, 257), (70, 300, 40), (65, 257, 513), (130, 10, 70),
        (1030, 9, 3), (3, 4100, 2),
    ];

    public static IEnumerable<object[]> Implementations()
    {
        yield return ["managed-Vector512"];
        yield return ["managed-Vector256"];
        yield return ["managed-Scalar"];
        if (OpenBlasGemm.IsAvailable)
        {
            yield return ["openblas"];
        }
    }

    internal static IGemm Create(string name) => name switch
    {
        "managed-Vector512" => new ManagedGemm(ManagedGemmKernel.Vector512),
        "managed-Vector256" => new ManagedGemm(ManagedGemmKernel.Vector256),
        "managed-Scalar" => new ManagedGemm(ManagedGemmKernel.Scalar),
        _ => GemmSelector.FromName(name),
    };

    private static readonly (double Alpha, double Beta)[] Scalars = [(1, 0), (0.5, 2), (-1.5, 1), (2.5, 0), (1, 1)];

    [Theory]
    [MemberData(nameof(Implementations))]
    public void Float_MatchesReference_WithinSqrtKModel(string implementation)
    {
        IGemm gemm = Create(implementation);
        int caseIndex = 0;
        foreach ((int m, int n, int k) in Shapes)
        {
            foreach (bool ta in new[] { false, true })
            {
                foreach (bool tb in new[] { false, true })
                {
                    (double alpha, double beta) = Scalars[caseIndex++ % Scalars.Length];
                    CheckFloat(gemm, m, n, k, ta, tb, alpha, beta, seed: caseIndex);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void Double_MatchesReference_To1e12(string implementation)
    {
        IGemm gemm = Create(implementation);
        int caseIndex = 0;
        foreach ((int m, int n, int k) in Shapes)
        {
            foreach (bool ta in new[] { false, true })
            {
                foreach (bool tb in new[] { false, true })
                {
                    (double alpha, double beta) = Scalars[caseIndex++ % Scalars.Length];
                    CheckDouble(gemm, m, n, k, ta, tb, alpha, beta, seed: 1000 + caseIndex, padding: caseIndex % 3);
                }
            }
        }
    }

    // Every depth k in 1 … 2·(Vector512 width of float) + 1 = 33 (each remainder of the vector loops in float and double),
    // with heights and widths around the micro-kernel and thin-path edges (m ≥ 2n selects the dot-product path).
    private static readonly int[] SweepHeights = [1, 2, 3, 4, 5, 7, 8, 9, 17, 33, 64];
    private static readonly int[] SweepWidths = [1, 2, 3, 4, 5, 8, 15, 16, 17];

    [Theory]
    [MemberData(nameof(Implementations))]
    public void Sweep_EveryDepthUpToTwoVectorWidths_EveryTranspose_FloatAndDouble(string implementation)
    {
        IGemm gemm = Create(implementation);
        int caseIndex = 0;
        for (int k = 1; k <= 33; k++)
        {
            foreach (int m in SweepHeights)
            {
                foreach (int n in SweepWidths)
                {
                    bool ta = (caseIndex & 1) != 0, tb = (caseIndex & 2) != 0;
                    foreach ((bool a, bool b) in new[] { (ta, tb), (!ta, !tb) })
                    {
                        (double alpha, double beta) = Scalars[caseIndex++ % Scalars.Length];
                        CheckFloat(gemm, m, n, k, a, b, alpha, beta, seed: caseIndex);
                        CheckDouble(gemm, m, n, k, a, b, alpha, beta, seed: caseIndex);
                    }
                }
            }
        }
        // The thin path's remainder at k ≡ w − 1 (mod w) with B transposed, once per vector width (float 16, double 8).
        foreach (int k in new[] { 7, 15, 23, 31, 511 })
        {
            CheckFloat(gemm, 64, 4, k, false, true, 1, 0, seed: k);
            CheckDouble(gemm, 64, 4, k, false, true, 1, 0, seed: k);
        }
    }

    private static void CheckDouble(IGemm gemm, int m, int n, int k, bool ta, bool tb, double alpha, double beta, int seed, int? padding = null)
    {
        var p = Problem.Create(m, n, k, ta, tb, seed, padding: padding ?? seed % 3);
        double[] expected = p.C.ToArray();
        ReferenceGemm.Instance.Multiply(ta, tb, m, n, k, alpha, p.A, p.Lda, p.B, p.Ldb, beta, expected, p.Ldc);
        double[] actual = p.C.ToArray();
        gemm.Multiply(ta, tb, m, n, k, alpha, p.A, p.Lda, p.B, p.Ldb, beta, actual, p.Ldc);
        double[] magnitude = p.Magnitude(alpha, beta);
        for (int i = 0; i < expected.Length; i++)
        {
            double err = Math.Abs(actual[i] - expected[i]);
            Assert.True(err <= 1e-12 * magnitude[i],
                $"{gemm.Name} {m}x{n}x{k} ta={ta} tb={tb} element {i}: {actual[i]} vs {expected[i]} (|err| {err:E3}, Σ|a||b| {magnitude[i]:E3})");
        }
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void BetaZero_DoesNotReadC_AndPaddingIsUntouched(string implementation)
    {
        IGemm gemm = Create(implementation);
        var p = Problem.Create(19, 37, 21, false, true, seed: 5, padding: 2);
        double[] c = p.C.ToArray();
        for (int i = 0; i < 19; i++)
        {
            for (int j = 0; j < 37; j++)
            {
                c[i * p.Ldc + j] = double.NaN;
            }
        }
        double[] expected = c.ToArray();
        ReferenceGemm.Instance.Multiply(false, true, 19, 37, 21, 1.0, p.A, p.Lda, p.B, p.Ldb, 0.0, expected, p.Ldc);
        gemm.Multiply(false, true, 19, 37, 21, 1.0, p.A, p.Lda, p.B, p.Ldb, 0.0, c, p.Ldc);
        for (int i = 0; i < c.Length; i++)
        {
            Assert.False(double.IsNaN(c[i]), $"element {i} is NaN");
            Assert.True(Math.Abs(c[i] - expected[i]) <= 1e-12 * (1 + Math.Abs(expected[i])), $"element {i}: {c[i]} vs {expected[i]}");
        }
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void ZeroDepth_ScalesCByBeta(string implementation)
    {
        IGemm gemm = Create(implementation);
        float[] c = [1, 2, 3, 4];
        gemm.Multiply(false, false, 2, 2, 0, 1f, ReadOnlySpan<float>.Empty, 1, ReadOnlySpan<float>.Empty, 2, 3f, c, 2);
        Assert.Equal(new float[] { 3, 6, 9, 12 }, c);
        gemm.Multiply(false, false, 2, 2, 0, 1f, ReadOnlySpan<float>.Empty, 1, ReadOnlySpan<float>.Empty, 2, 0f, c, 2);
        Assert.Equal(new float[] { 0, 0, 0, 0 }, c);
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void TooShortBuffer_ThrowsNamingTheOperand(string implementation)
    {
        IGemm gemm = Create(implementation);
        var e = Assert.Throws<ArgumentException>(() => gemm.Multiply(false, false, 3, 3, 3, 1f, new float[8], 3, new float[9], 3, 0f, new float[9], 3));
        Assert.Contains("GEMM A", e.Message);
        e = Assert.Throws<ArgumentException>(() => gemm.Multiply(false, false, 3, 3, 3, 1f, new float[9], 2, new float[9], 3, 0f, new float[9], 3));
        Assert.Contains("leading dimension", e.Message);
    }

    [Fact]
    public void Selector_KnowsEveryName_AndRejectsUnknown()
    {
        Assert.Equal("managed", GemmSelector.FromName("managed").Name);
        Assert.Equal("reference", GemmSelector.FromName("Reference").Name);
        // "auto" is what the rule decides for this machine's OpenBLAS core and CPU.
        (string decided, _) = GemmSelector.Decide(OpenBlasGemm.Instance?.CoreName, GemmSelector.CpuLevel, Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE"));
        Assert.Equal(decided, GemmSelector.FromName("auto").Name);
        Assert.Throws<ArgumentException>(() => GemmSelector.FromName("mkl"));
        Assert.Equal("REFNET_GEMM=managed", GemmSelector.Select(" managed").Reason);
        Assert.Same(ManagedGemm.Instance, GemmSelector.Select("managed").Gemm);
    }

    [Theory]
    // OpenBLAS 0.3.21 on an Intel Xeon it does not recognise (AVX-512, AMX): the generic SSE kernel; managed wins.
    [InlineData("Prescott", SimdLevel.Avx512, null, "managed")]
    [InlineData("Core2", SimdLevel.Avx2, "", "managed")]
    [InlineData("NEHALEM", SimdLevel.Avx2, null, "managed")]
    // Tuned kernels: OpenBLAS stays (Zen 4 reports Cooperlake; Zen 2/3 report Zen).
    [InlineData("Cooperlake", SimdLevel.Avx512, null, "openblas")]
    [InlineData("Zen", SimdLevel.Avx512, null, "openblas")]
    [InlineData("Haswell", SimdLevel.Avx2, null, "openblas")]
    [InlineData("SkylakeX", SimdLevel.Avx512, null, "openblas")]
    // An AVX kernel on an AVX CPU, an SSE kernel on an SSE CPU: the best OpenBLAS has for that CPU.
    [InlineData("Sandybridge", SimdLevel.Avx, null, "openblas")]
    [InlineData("Prescott", SimdLevel.Sse, null, "openblas")]
    // The user forced the core: never overridden, even to a generic one.
    [InlineData("Prescott", SimdLevel.Avx512, "PRESCOTT", "openblas")]
    // Non-x86 cores and CPUs: OpenBLAS' own choice.
    [InlineData("NEOVERSEN1", SimdLevel.Unknown, null, "openblas")]
    [InlineData("unknown core", SimdLevel.Avx512, null, "openblas")]
    public void Automatic_PicksManaged_ExactlyWhenOpenBlasFellBackToAGenericKernel(string core, SimdLevel cpu, string? userCore, string expected)
    {
        (string gemm, string reason) = GemmSelector.Decide(core, cpu, userCore);
        Assert.Equal(expected, gemm);
        Assert.Contains(core, reason);
        if (expected == "managed")
        {
            Assert.Contains("fallback", reason);
        }
        if (!string.IsNullOrEmpty(userCore))
        {
            Assert.Contains($"OPENBLAS_CORETYPE={userCore}", reason);
        }
    }

    [Fact]
    public void Automatic_WithoutOpenBlas_IsManaged_AndSaysHowToGetIt()
    {
        (string gemm, string reason) = GemmSelector.Decide(null, SimdLevel.Avx512, null);
        Assert.Equal("managed", gemm);
        Assert.Contains("apt-get install libopenblas0", reason);
    }

    [Theory]
    [InlineData("Prescott", SimdLevel.Sse)]
    [InlineData("Sandybridge", SimdLevel.Avx)]
    [InlineData("Steamroller", SimdLevel.Avx)]
    [InlineData("haswell", SimdLevel.Avx2)]
    [InlineData("Excavator", SimdLevel.Avx2)]
    [InlineData("SapphireRapids", SimdLevel.Avx512)]
    [InlineData("ARMV8", SimdLevel.Unknown)]
    public void CoreLevel_RanksOpenBlasKernels(string core, SimdLevel level) => Assert.Equal(level, GemmSelector.CoreLevel(core));

    private static void CheckFloat(IGemm gemm, int m, int n, int k, bool ta, bool tb, double alpha, double beta, int seed)
    {
        var p = Problem.Create(m, n, k, ta, tb, seed, padding: seed % 3);
        float[] a = p.A.Select(v => (float)v).ToArray();
        float[] b = p.B.Select(v => (float)v).ToArray();
        float[] c = p.C.Select(v => (float)v).ToArray();
        // Reference in double from the same float-rounded inputs, so only the GEMM's own rounding remains.
        double[] expected = c.Select(v => (double)v).ToArray();
        double[] a64 = a.Select(v => (double)v).ToArray();
        double[] b64 = b.Select(v => (double)v).ToArray();
        ReferenceGemm.Instance.Multiply(ta, tb, m, n, k, alpha, a64, p.Lda, b64, p.Ldb, beta, expected, p.Ldc);
        gemm.Multiply(ta, tb, m, n, k, (float)alpha, a, p.Lda, b, p.Ldb, (float)beta, c, p.Ldc);
        var widened = p with { A = a64, B = b64, C = p.C.Select(v => (double)(float)v).ToArray() };
        double[] magnitude = widened.Magnitude(alpha, beta);
        const double u = 5.960464477539063e-8; // 2^-24
        double worstRatio = 0;
        for (int i = 0; i < c.Length; i++)
        {
            double err = Math.Abs(c[i] - expected[i]);
            double bound = (4 * Math.Sqrt(k + 2) * u * magnitude[i]) + 1e-30;
            worstRatio = Math.Max(worstRatio, err / bound);
            Assert.True(err <= bound,
                $"{gemm.Name} {m}x{n}x{k} ta={ta} tb={tb} alpha={alpha} beta={beta} element {i}: {c[i]} vs {expected[i]} (|err| {err:E3} > bound {bound:E3})");
        }
    }

    /// <summary>Random operands with optional extra leading-dimension padding (padding cells hold sentinels).</summary>
    internal sealed record Problem(double[] A, int Lda, double[] B, int Ldb, double[] C, int Ldc, int M, int N, int K, bool TransA, bool TransB)
    {
        public static Problem Create(int m, int n, int k, bool ta, bool tb, int seed, int padding)
        {
            var rng = new Random(seed);
            int aRows = ta ? k : m, aCols = ta ? m : k;
            int bRows = tb ? n : k, bCols = tb ? k : n;
            int lda = aCols + padding, ldb = bCols + padding, ldc = n + padding;
            double[] Fill(int rows, int ld) => Enumerable.Range(0, rows * ld).Select(_ => (rng.NextDouble() * 2) - 1).ToArray();
            return new Problem(Fill(aRows, lda), lda, Fill(bRows, ldb), ldb, Fill(m, ldc), ldc, m, n, k, ta, tb);
        }

        /// <summary>Per element of C: |alpha|·Σ_p |a_ip||b_pj| + |beta|·|c_ij| (padding cells: 1).</summary>
        public double[] Magnitude(double alpha, double beta)
        {
            var mag = Enumerable.Repeat(1.0, C.Length).ToArray();
            for (int i = 0; i < M; i++)
            {
                for (int j = 0; j < N; j++)
                {
                    double s = 0;
                    for (int p = 0; p < K; p++)
                    {
                        double aip = TransA ? A[p * Lda + i] : A[i * Lda + p];
                        double bpj = TransB ? B[j * Ldb + p] : B[p * Ldb + j];
                        s += Math.Abs(aip * bpj);
                    }
                    mag[i * Ldc + j] = (Math.Abs(alpha) * s) + (Math.Abs(beta) * Math.Abs(C[i * Ldc + j]));
                }
            }
            return mag;
        }
    }
}
