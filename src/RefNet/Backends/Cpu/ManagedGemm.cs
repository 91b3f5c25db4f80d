// ManagedGemm: a packed, register-blocked GEMM in C# with Vector512/Vector256 FMA micro-kernels.
// Same blocking scheme as BLIS/GotoBLAS, written for reading; float and double share one generic code path.
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RefNet.Backends.Cpu;

/// <summary>Which micro-kernel <see cref="ManagedGemm"/> uses.</summary>
public enum ManagedGemmKernel
{
    /// <summary>Vector512 if the hardware accelerates it, else Vector256 if accelerated, else scalar.</summary>
    Auto,

    /// <summary>8 rows × 2 Vector512 columns (8×32 floats, 8×16 doubles), 16 accumulator registers.</summary>
    Vector512,

    /// <summary>6 rows × 2 Vector256 columns (6×16 floats, 6×8 doubles), 12 accumulator registers.</summary>
    Vector256,

    /// <summary>4×4 plain scalar code (no SIMD); the fallback on hardware without wide vectors.</summary>
    Scalar,
}

/// <summary>The managed GEMM: packs A and B into cache-sized panels and multiplies them with a SIMD micro-kernel.</summary>
/// <remarks>
/// <para><b>Blocking scheme</b> (the loops from outside in; BLIS/GotoBLAS names in brackets):</para>
/// <list type="number">
/// <item>Columns of C in blocks of <see cref="ColumnBlock"/> [NC].</item>
/// <item>The shared dimension in blocks of <see cref="DepthBlock"/> = 256 [KC]. The block of B
/// (KC × NC) is <i>packed</i>: copied into column panels NR wide, each stored depth-major
/// (KC rows of NR contiguous values), zero-padded past the edge of B. Whatever op(B) was
/// (transposed or not), the kernel then reads B with unit stride.</item>
/// <item>Rows of C in blocks of <see cref="RowBlock"/> [MC]; that block of A is packed into row
/// panels MR tall, stored depth-major (KC columns of MR contiguous values), zero-padded.</item>
/// <item>The MC × NC block of C is cut into <i>tiles</i> of 64 rows × 256 columns (rounded to MR/NR).
/// Tiles are the unit of parallel work: the calling thread and up to <see cref="CpuThreads.Count"/> − 1
/// workers take tiles from a counter.</item>
/// <item>Inside a tile: for each NR-wide panel of B (kept in L1), for each MR-tall panel of A (streamed
/// from L2), the micro-kernel computes an MR × NR block of C.</item>
/// <item>The micro-kernel keeps the MR × NR block in registers (e.g. 8 × 2 Vector512 = 16 zmm registers
/// for float) and for each of the KC depth steps loads 2 vectors of B, broadcasts MR values of A and
/// does 2·MR fused multiply-adds. At the end it adds alpha·acc into C (beta·C on the first depth block).</item>
/// </list>
/// <para><b>Determinism:</b> the tiling depends only on the matrix sizes, never on the thread count, and each
/// element of C is owned by one tile, so it always sees the same depth blocks in the same order. The result is
/// bitwise identical for 1, 2 or any number of threads.</para>
/// <para><b>Thin products</b> (C narrower than one NR panel and at least twice as tall): with A not transposed and
/// the Vector512 kernel, C is computed as dot products of A's rows with op(B)'s columns (4 × 4 at a time), which
/// reads A where it lies instead of packing (transposing) it; otherwise as Cᵀ = op(B)ᵀ·op(A)ᵀ with the blocked
/// loops, so the tall side of C fills the NR-wide panels.</para>
/// <para>Edge tiles (fewer than MR rows or NR columns left) are computed into a zero-padded scratch tile and
/// only the valid part is written back.</para>
/// </remarks>
public sealed class ManagedGemm : IGemm
{
    /// <summary>Depth of a packed block [KC].</summary>
    public const int DepthBlock = 256;

    /// <summary>Columns of C per packed block of B [NC] (before rounding to NR).</summary>
    public const int ColumnBlock = 4096;

    /// <summary>Rows of C per packed block of A [MC] (before rounding to the tile height).</summary>
    public const int RowBlock = 1024;

    /// <summary>Target tile height (rows) of one parallel task.</summary>
    public const int TileRows = 64;

    /// <summary>Target tile width (columns) of one parallel task.</summary>
    public const int TileColumns = 256;

    /// <summary>Below this many multiply-adds (m·n·k) the whole product runs on the calling thread.</summary>
    public const long ParallelThreshold = 1L << 16;

    /// <summary>The default instance (automatic kernel choice).</summary>
    public static ManagedGemm Instance { get; } = new();

    /// <summary>The Vector256 kernel whatever the CPU: every element of C is summed in the same order (KC-deep
    /// blocks, one fused multiply-add per depth step), so a product gives the same bits on every x64 CPU, with or
    /// without AVX-512 ("portable" in REFNET_GEMM and --gemm; what reproductions judged in CI use).</summary>
    public static ManagedGemm Portable { get; } = new(ManagedGemmKernel.Vector256);

    /// <summary>Creates a managed GEMM with the given micro-kernel.</summary>
    public ManagedGemm(ManagedGemmKernel kernel = ManagedGemmKernel.Auto)
    {
        Kernel = kernel != ManagedGemmKernel.Auto ? kernel
            : Vector512.IsHardwareAccelerated ? ManagedGemmKernel.Vector512
            : Vector256.IsHardwareAccelerated ? ManagedGemmKernel.Vector256
            : ManagedGemmKernel.Scalar;
    }

    /// <summary>The micro-kernel in use (never Auto).</summary>
    public ManagedGemmKernel Kernel { get; }

    /// <inheritdoc/>
    public string Name => "managed";

    /// <inheritdoc/>
    public string Description => $"managed (packed {Kernel} micro-kernel, KC={DepthBlock}, {CpuThreads.Count} thread(s))";

    /// <inheritdoc/>
    public unsafe void Multiply<T>(bool transposeA, bool transposeB, int m, int n, int k, T alpha,
        ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!GemmArguments.Prepare(transposeA, transposeB, m, n, k, a.Length, lda, b.Length, ldb, beta, c, ldc))
        {
            return;
        }
        GemmRun<T> run = GemmRun<T>.ForThisThread(Kernel);
        fixed (T* pa = a)
        fixed (T* pb = b)
        fixed (T* pc = c)
        {
            if (run.PrefersDotProducts(transposeA, transposeB, m, n, k))
            {
                // Thin C whose rows of A are contiguous (the classifier's forward product): dot products of
                // A's rows with op(B)'s columns, which reads A in place instead of packing it.
                run.ExecuteThin(transposeB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
            }
            else if (run.PrefersTransposed(m, n))
            {
                // Other thin C (fewer columns than one NR panel, e.g. a classifier's dW = xᵀ·dy with A transposed):
                // compute Cᵀ = op(B)ᵀ·op(A)ᵀ instead, so the wide side of C fills the NR-wide vector panels.
                run.Execute(!transposeB, !transposeA, n, m, k, alpha, pb, ldb, pa, lda, beta, pc, ldc, transposeC: true);
            }
            else
            {
                run.Execute(transposeA, transposeB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, transposeC: false);
            }
        }
    }
}

/// <summary>The state of one GEMM call: operands, the current block, and the packing buffers (reused per thread).</summary>
internal sealed unsafe class GemmRun<T> : ITaskBody
    where T : unmanaged, IFloatingPointIeee754<T>
{
    [ThreadStatic]
    private static GemmRun<T>?[]? t_runs;

    private readonly ManagedGemmKernel _kernel;
    private readonly int _mr;
    private readonly int _nr;
    private readonly int _tilePanelsM;
    private readonly int _tilePanelsN;
    private T[] _aPack = [];
    private T[] _bPack = [];

    // The call.
    private bool _transA;
    private bool _transB;
    private bool _transC;
    private int _m;
    private int _n;
    private T _alpha;
    private T _beta;
    private T* _a;
    private T* _b;
    private T* _c;
    private int _lda;
    private int _ldb;
    private int _ldc;
    private T* _ap;
    private T* _bp;

    // The current block: columns jc..jc+nc, depth pc..pc+kc, rows ic..ic+mc.
    private int _jc;
    private int _nc;
    private int _pc;
    private int _kc;
    private int _ic;
    private int _mc;
    private bool _packing;
    private bool _packB;
    private int _bPanels;
    private int _aPanels;
    private int _tilesN;

    private const int PanelsPerPackTask = 8;

    // The thin (dot-product) path: op(B)'s columns as contiguous rows of _btRows, _btStride apart.
    private bool _thin;
    private int _k;
    private T* _btRows;
    private int _btStride;
    private const int ThinRowsPerTask = 32;
    private const long MaxThinCopy = 1L << 22;

    // The copied rows of op(B) are 16 values longer than k, so that at power-of-two k they do not start at the same
    // offset modulo 4 KiB as each other and as A's rows (8 read streams mapping to the same L1 sets evict each other).
    private const int ThinRowPadding = 16;

    private GemmRun(ManagedGemmKernel kernel)
    {
        _kernel = kernel;
        (_mr, _nr) = kernel switch
        {
            ManagedGemmKernel.Vector512 => (8, 2 * Vector512<T>.Count),
            ManagedGemmKernel.Vector256 => (6, 2 * Vector256<T>.Count),
            _ => (4, 4),
        };
        _tilePanelsM = Math.Max(1, ManagedGemm.TileRows / _mr);
        _tilePanelsN = Math.Max(1, ManagedGemm.TileColumns / _nr);
    }

    /// <summary>This thread's reusable state for a kernel (GEMM may be called from several threads at once).</summary>
    public static GemmRun<T> ForThisThread(ManagedGemmKernel kernel)
    {
        t_runs ??= new GemmRun<T>?[4];
        return t_runs[(int)kernel] ??= new GemmRun<T>(kernel);
    }

    /// <summary>True when C has fewer columns than an NR panel but at least twice as many rows.</summary>
    public bool PrefersTransposed(int m, int n) => n < _nr && m >= 2 * n;

    /// <summary>True for the thin products that <see cref="ExecuteThin"/> handles: C has fewer columns than an NR
    /// panel and at least twice as many rows, op(A) is A itself (rows contiguous), Vector512 is in use, and the
    /// copy of op(B)'s columns (needed when B is not transposed) stays small (n·k ≤ 2²²).</summary>
    public bool PrefersDotProducts(bool transA, bool transB, int m, int n, int k) =>
        !transA && _kernel == ManagedGemmKernel.Vector512 && PrefersTransposed(m, n) && (transB || (long)n * k <= MaxThinCopy);

    /// <summary>Thin C = alpha·A·op(B) + beta·C as m·n dot products: element (i, j) is the dot product of row i
    /// of A with column j of op(B), both read with unit stride (op(B)'s columns are copied into contiguous rows
    /// first unless B is transposed). Each task owns 32 rows of C, so the result does not depend on the thread
    /// count.</summary>
    public void ExecuteThin(bool transB, int m, int n, int k, T alpha, T* a, int lda, T* b, int ldb, T beta, T* c, int ldc)
    {
        (_m, _n, _k, _alpha, _beta) = (m, n, k, alpha, beta);
        _a = a;
        _c = c;
        (_lda, _ldc) = (lda, ldc);
        int threads = (long)m * n * k < ManagedGemm.ParallelThreshold ? 1 : CpuThreads.Count;
        int stride = k + ThinRowPadding;
        EnsureBuffers(0, transB ? 0 : n * stride);
        fixed (T* bp = _bPack)
        {
            if (transB)
            {
                // op(B)(p, j) = b[j·ldb + p]: column j of op(B) is already row j of B.
                _btRows = b;
                _btStride = ldb;
            }
            else
            {
                // op(B)(p, j) = b[p·ldb + j]: copy the n columns into n rows of length k, k + 16 apart (n·k ≤ 2²²).
                for (int p = 0; p < k; p++)
                {
                    T* src = b + ((long)p * ldb);
                    for (int j = 0; j < n; j++)
                    {
                        bp[((long)j * stride) + p] = src[j];
                    }
                }
                _btRows = bp;
                _btStride = stride;
            }
            _thin = true;
            try
            {
                WorkerTeam.Shared.Run(this, CeilDiv(m, ThinRowsPerTask), threads);
            }
            finally
            {
                _thin = false;
                _btRows = null;
                _a = null;
                _c = null;
            }
        }
    }

    // Thin task: rows i0..i0+32 of C in blocks of 4 rows × 4 columns.
    private void ComputeThinRows(int index)
    {
        bool overwrite = _beta == T.Zero;
        int iEnd = Math.Min(_m, (index + 1) * ThinRowsPerTask);
        for (int i = index * ThinRowsPerTask; i < iEnd; i += 4)
        {
            int rows = Math.Min(4, iEnd - i);
            for (int j = 0; j < _n; j += 4)
            {
                int cols = Math.Min(4, _n - j);
                MicroKernels<T>.Dot4x4V512(_k, _a + ((long)i * _lda), _lda, rows,
                    _btRows + ((long)j * _btStride), _btStride, cols, _c + ((long)i * _ldc) + j, _ldc, _alpha, _beta, overwrite);
            }
        }
    }

    /// <summary>Runs the blocked loops described on <see cref="ManagedGemm"/>; with transposeC the m×n result
    /// is stored transposed, element (i, j) at c[j·ldc + i].</summary>
    public void Execute(bool transA, bool transB, int m, int n, int k, T alpha,
        T* a, int lda, T* b, int ldb, T beta, T* c, int ldc, bool transposeC)
    {
        (_transA, _transB, _transC, _m, _n, _alpha, _beta) = (transA, transB, transposeC, m, n, alpha, beta);
        _a = a;
        _b = b;
        _c = c;
        (_lda, _ldb, _ldc) = (lda, ldb, ldc);
        int threads = (long)m * n * k < ManagedGemm.ParallelThreshold ? 1 : CpuThreads.Count;
        int columnBlock = RoundUp(ManagedGemm.ColumnBlock, _nr);
        int rowBlock = RoundUp(ManagedGemm.RowBlock, _tilePanelsM * _mr);
        EnsureBuffers(Math.Min(RoundUp(m, _mr), rowBlock) * Math.Min(k, ManagedGemm.DepthBlock),
            Math.Min(k, ManagedGemm.DepthBlock) * Math.Min(RoundUp(n, _nr), columnBlock));
        fixed (T* ap = _aPack)
        fixed (T* bp = _bPack)
        {
            _ap = ap;
            _bp = bp;
            for (_jc = 0; _jc < n; _jc += columnBlock)
            {
                _nc = Math.Min(columnBlock, n - _jc);
                _bPanels = CeilDiv(_nc, _nr);
                _tilesN = CeilDiv(_bPanels, _tilePanelsN);
                for (_pc = 0; _pc < k; _pc += ManagedGemm.DepthBlock)
                {
                    _kc = Math.Min(ManagedGemm.DepthBlock, k - _pc);
                    for (_ic = 0; _ic < m; _ic += rowBlock)
                    {
                        _mc = Math.Min(rowBlock, m - _ic);
                        _aPanels = CeilDiv(_mc, _mr);
                        _packB = _ic == 0;
                        _packing = true;
                        int packTasks = CeilDiv(_aPanels, PanelsPerPackTask) + (_packB ? CeilDiv(_bPanels, PanelsPerPackTask) : 0);
                        WorkerTeam.Shared.Run(this, packTasks, threads);
                        _packing = false;
                        WorkerTeam.Shared.Run(this, CeilDiv(_aPanels, _tilePanelsM) * _tilesN, threads);
                    }
                }
            }
            _ap = null;
            _bp = null;
            _a = null;
            _b = null;
            _c = null;
        }
    }

    /// <inheritdoc/>
    public void Execute(int index)
    {
        if (_thin)
        {
            ComputeThinRows(index);
            return;
        }
        if (!_packing)
        {
            ComputeTile(index / _tilesN, index % _tilesN);
            return;
        }
        int bTasks = _packB ? CeilDiv(_bPanels, PanelsPerPackTask) : 0;
        if (index < bTasks)
        {
            int first = index * PanelsPerPackTask;
            for (int q = first; q < Math.Min(_bPanels, first + PanelsPerPackTask); q++)
            {
                PackB(q);
            }
        }
        else
        {
            int first = (index - bTasks) * PanelsPerPackTask;
            for (int q = first; q < Math.Min(_aPanels, first + PanelsPerPackTask); q++)
            {
                PackA(q);
            }
        }
    }

    // A panel q: rows ic + q·MR .. +MR of op(A), depth pc..pc+kc, stored as dst[p·MR + r].
    private void PackA(int q)
    {
        int mr = _mr;
        T* dst = _ap + ((long)q * _kc * mr);
        int i0 = _ic + (q * mr);
        int rows = Math.Min(mr, _ic + _mc - i0);
        if (_transA)
        {
            // op(A)(i, p) = a[p·lda + i]: the MR values of one depth step are contiguous.
            for (int p = 0; p < _kc; p++)
            {
                T* src = _a + ((long)(_pc + p) * _lda) + i0;
                T* d = dst + (p * mr);
                for (int r = 0; r < rows; r++)
                {
                    d[r] = src[r];
                }
                for (int r = rows; r < mr; r++)
                {
                    d[r] = T.Zero;
                }
            }
            return;
        }
        // op(A)(i, p) = a[i·lda + p]: walk the MR rows side by side (MR sequential read streams) and
        // write each depth step's MR values contiguously.
        T* rowsStart = _a + ((long)i0 * _lda) + _pc;
        for (int p = 0; p < _kc; p++)
        {
            T* d = dst + (p * mr);
            for (int r = 0; r < rows; r++)
            {
                d[r] = rowsStart[((long)r * _lda) + p];
            }
            for (int r = rows; r < mr; r++)
            {
                d[r] = T.Zero;
            }
        }
    }

    // B panel q: columns jc + q·NR .. +NR of op(B), depth pc..pc+kc, stored as dst[p·NR + j].
    private void PackB(int q)
    {
        int nr = _nr;
        T* dst = _bp + ((long)q * _kc * nr);
        int j0 = _jc + (q * nr);
        int cols = Math.Min(nr, _jc + _nc - j0);
        if (!_transB)
        {
            // op(B)(p, j) = b[p·ldb + j]: each depth step copies NR contiguous values.
            for (int p = 0; p < _kc; p++)
            {
                var src = new ReadOnlySpan<T>(_b + ((long)(_pc + p) * _ldb) + j0, cols);
                var d = new Span<T>(dst + (p * nr), nr);
                src.CopyTo(d);
                d[cols..].Clear();
            }
            return;
        }
        // op(B)(p, j) = b[j·ldb + p]: walk 8 stored rows side by side at a time (8 sequential read streams;
        // all NR at once would overflow L1's associativity when ldb is a power of two).
        const int group = 8;
        T* bsrc = _b + ((long)j0 * _ldb) + _pc;
        for (int jg = 0; jg < cols; jg += group)
        {
            int jEnd = Math.Min(cols, jg + group);
            for (int p = 0; p < _kc; p++)
            {
                T* d = dst + (p * nr);
                for (int j = jg; j < jEnd; j++)
                {
                    d[j] = bsrc[((long)j * _ldb) + p];
                }
            }
        }
        for (int p = 0; p < _kc; p++)
        {
            new Span<T>(dst + (p * nr) + cols, nr - cols).Clear();
        }
    }

    // One tile: up to _tilePanelsM A panels × _tilePanelsN B panels of the current block.
    private void ComputeTile(int tileRow, int tileCol)
    {
        bool overwrite = _pc == 0 && _beta == T.Zero;
        T beta = _pc == 0 ? _beta : T.One;
        int qaEnd = Math.Min(_aPanels, (tileRow + 1) * _tilePanelsM);
        int qbEnd = Math.Min(_bPanels, (tileCol + 1) * _tilePanelsN);
        for (int qb = tileCol * _tilePanelsN; qb < qbEnd; qb++)
        {
            T* bPanel = _bp + ((long)qb * _kc * _nr);
            int j = qb * _nr;
            int cols = Math.Min(_nr, _nc - j);
            for (int qa = tileRow * _tilePanelsM; qa < qaEnd; qa++)
            {
                T* aPanel = _ap + ((long)qa * _kc * _mr);
                int i = qa * _mr;
                int rows = Math.Min(_mr, _mc - i);
                T* c = _transC
                    ? _c + ((long)(_jc + j) * _ldc) + _ic + i
                    : _c + ((long)(_ic + i) * _ldc) + _jc + j;
                switch (_kernel)
                {
                    case ManagedGemmKernel.Vector512:
                        MicroKernels<T>.Kernel8x2V512(_kc, aPanel, bPanel, c, _ldc, rows, cols, _alpha, beta, overwrite, _transC);
                        break;
                    case ManagedGemmKernel.Vector256:
                        MicroKernels<T>.Kernel6x2V256(_kc, aPanel, bPanel, c, _ldc, rows, cols, _alpha, beta, overwrite, _transC);
                        break;
                    default:
                        MicroKernels<T>.Kernel4x4Scalar(_kc, aPanel, bPanel, c, _ldc, rows, cols, _alpha, beta, overwrite, _transC);
                        break;
                }
            }
        }
    }

    private void EnsureBuffers(int aLength, int bLength)
    {
        if (_aPack.Length < aLength)
        {
            _aPack = GC.AllocateUninitializedArray<T>(aLength);
        }
        if (_bPack.Length < bLength)
        {
            _bPack = GC.AllocateUninitializedArray<T>(bLength);
        }
    }

    private static int CeilDiv(int x, int y) => (x + y - 1) / y;

    private static int RoundUp(int x, int y) => CeilDiv(x, y) * y;
}

/// <summary>The micro-kernels: an MR×NR block of C += A panel · B panel, kept in registers.</summary>
internal static unsafe class MicroKernels<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>8 rows × 2 Vector512: 16 accumulators; per depth step 2 loads of B, 8 broadcasts of A, 16 FMAs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Kernel8x2V512(int kc, T* a, T* b, T* c, int ldc, int rows, int cols, T alpha, T beta, bool overwrite, bool transposeC)
    {
        int w = Vector512<T>.Count;
        Vector512<T> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector512<T> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<T> c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<T> c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<T> b0 = Vector512.Load(b);
            Vector512<T> b1 = Vector512.Load(b + w);
            Vector512<T> x = Vector512.Create(a[0]);
            c00 = Fma(x, b0, c00);
            c01 = Fma(x, b1, c01);
            x = Vector512.Create(a[1]);
            c10 = Fma(x, b0, c10);
            c11 = Fma(x, b1, c11);
            x = Vector512.Create(a[2]);
            c20 = Fma(x, b0, c20);
            c21 = Fma(x, b1, c21);
            x = Vector512.Create(a[3]);
            c30 = Fma(x, b0, c30);
            c31 = Fma(x, b1, c31);
            x = Vector512.Create(a[4]);
            c40 = Fma(x, b0, c40);
            c41 = Fma(x, b1, c41);
            x = Vector512.Create(a[5]);
            c50 = Fma(x, b0, c50);
            c51 = Fma(x, b1, c51);
            x = Vector512.Create(a[6]);
            c60 = Fma(x, b0, c60);
            c61 = Fma(x, b1, c61);
            x = Vector512.Create(a[7]);
            c70 = Fma(x, b0, c70);
            c71 = Fma(x, b1, c71);
            a += 8;
            b += 2 * w;
        }
        bool full = !transposeC && rows == 8 && cols == 2 * w;
        T* tile = stackalloc T[full ? 1 : 8 * 2 * w];
        int ld = full ? ldc : 2 * w;
        T* dst = full ? c : tile;
        bool direct = full;
        Store(dst, c00, c01, w, alpha, beta, overwrite, direct);
        Store(dst + ld, c10, c11, w, alpha, beta, overwrite, direct);
        Store(dst + (2 * ld), c20, c21, w, alpha, beta, overwrite, direct);
        Store(dst + (3 * ld), c30, c31, w, alpha, beta, overwrite, direct);
        Store(dst + (4 * ld), c40, c41, w, alpha, beta, overwrite, direct);
        Store(dst + (5 * ld), c50, c51, w, alpha, beta, overwrite, direct);
        Store(dst + (6 * ld), c60, c61, w, alpha, beta, overwrite, direct);
        Store(dst + (7 * ld), c70, c71, w, alpha, beta, overwrite, direct);
        if (!full)
        {
            MergeEdge(tile, 2 * w, c, ldc, rows, cols, alpha, beta, overwrite, transposeC);
        }
    }

    /// <summary>4 rows of A × 4 columns of op(B) as 16 dot products of length k: 16 Vector512 accumulators of
    /// lane-wise partial sums, per step 4 loads of A, 4 loads of B and 16 FMAs; the lanes are summed at the end and
    /// the k mod Count tail is added in order. Missing rows/columns (rows, cols &lt; 4) repeat the last valid one and
    /// are not stored.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Dot4x4V512(int k, T* a, int lda, int rows, T* bt, int ldbt, int cols, T* c, int ldc, T alpha, T beta, bool overwrite)
    {
        int w = Vector512<T>.Count;
        T* a0 = a;
        T* a1 = a + ((long)Math.Min(1, rows - 1) * lda);
        T* a2 = a + ((long)Math.Min(2, rows - 1) * lda);
        T* a3 = a + ((long)Math.Min(3, rows - 1) * lda);
        T* b0 = bt;
        T* b1 = bt + ((long)Math.Min(1, cols - 1) * ldbt);
        T* b2 = bt + ((long)Math.Min(2, cols - 1) * ldbt);
        T* b3 = bt + ((long)Math.Min(3, cols - 1) * ldbt);
        Vector512<T> s00 = default, s01 = default, s02 = default, s03 = default;
        Vector512<T> s10 = default, s11 = default, s12 = default, s13 = default;
        Vector512<T> s20 = default, s21 = default, s22 = default, s23 = default;
        Vector512<T> s30 = default, s31 = default, s32 = default, s33 = default;
        int p = 0;
        for (; p <= k - w; p += w)
        {
            Vector512<T> x0 = Vector512.Load(a0 + p);
            Vector512<T> x1 = Vector512.Load(a1 + p);
            Vector512<T> x2 = Vector512.Load(a2 + p);
            Vector512<T> x3 = Vector512.Load(a3 + p);
            Vector512<T> y = Vector512.Load(b0 + p);
            s00 = Fma(x0, y, s00);
            s10 = Fma(x1, y, s10);
            s20 = Fma(x2, y, s20);
            s30 = Fma(x3, y, s30);
            y = Vector512.Load(b1 + p);
            s01 = Fma(x0, y, s01);
            s11 = Fma(x1, y, s11);
            s21 = Fma(x2, y, s21);
            s31 = Fma(x3, y, s31);
            y = Vector512.Load(b2 + p);
            s02 = Fma(x0, y, s02);
            s12 = Fma(x1, y, s12);
            s22 = Fma(x2, y, s22);
            s32 = Fma(x3, y, s32);
            y = Vector512.Load(b3 + p);
            s03 = Fma(x0, y, s03);
            s13 = Fma(x1, y, s13);
            s23 = Fma(x2, y, s23);
            s33 = Fma(x3, y, s33);
        }
        T* sums = stackalloc T[16];
        sums[0] = Vector512.Sum(s00);
        sums[1] = Vector512.Sum(s01);
        sums[2] = Vector512.Sum(s02);
        sums[3] = Vector512.Sum(s03);
        sums[4] = Vector512.Sum(s10);
        sums[5] = Vector512.Sum(s11);
        sums[6] = Vector512.Sum(s12);
        sums[7] = Vector512.Sum(s13);
        sums[8] = Vector512.Sum(s20);
        sums[9] = Vector512.Sum(s21);
        sums[10] = Vector512.Sum(s22);
        sums[11] = Vector512.Sum(s23);
        sums[12] = Vector512.Sum(s30);
        sums[13] = Vector512.Sum(s31);
        sums[14] = Vector512.Sum(s32);
        sums[15] = Vector512.Sum(s33);
        for (int r = 0; r < rows; r++)
        {
            T* ar = a + ((long)r * lda);
            for (int j = 0; j < cols; j++)
            {
                T* bj = bt + ((long)j * ldbt);
                T acc = sums[(r * 4) + j];
                for (int q = p; q < k; q++)
                {
                    acc = T.FusedMultiplyAdd(ar[q], bj[q], acc);
                }
                T* cij = c + ((long)r * ldc) + j;
                *cij = overwrite ? alpha * acc : T.FusedMultiplyAdd(alpha, acc, beta * *cij);
            }
        }
    }

    /// <summary>6 rows × 2 Vector256: 12 accumulators (fits the 16 ymm registers of AVX2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Kernel6x2V256(int kc, T* a, T* b, T* c, int ldc, int rows, int cols, T alpha, T beta, bool overwrite, bool transposeC)
    {
        int w = Vector256<T>.Count;
        Vector256<T> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<T> c20 = default, c21 = default, c30 = default, c31 = default;
        Vector256<T> c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector256<T> b0 = Vector256.Load(b);
            Vector256<T> b1 = Vector256.Load(b + w);
            Vector256<T> x = Vector256.Create(a[0]);
            c00 = Fma(x, b0, c00);
            c01 = Fma(x, b1, c01);
            x = Vector256.Create(a[1]);
            c10 = Fma(x, b0, c10);
            c11 = Fma(x, b1, c11);
            x = Vector256.Create(a[2]);
            c20 = Fma(x, b0, c20);
            c21 = Fma(x, b1, c21);
            x = Vector256.Create(a[3]);
            c30 = Fma(x, b0, c30);
            c31 = Fma(x, b1, c31);
            x = Vector256.Create(a[4]);
            c40 = Fma(x, b0, c40);
            c41 = Fma(x, b1, c41);
            x = Vector256.Create(a[5]);
            c50 = Fma(x, b0, c50);
            c51 = Fma(x, b1, c51);
            a += 6;
            b += 2 * w;
        }
        bool full = !transposeC && rows == 6 && cols == 2 * w;
        T* tile = stackalloc T[full ? 1 : 6 * 2 * w];
        int ld = full ? ldc : 2 * w;
        T* dst = full ? c : tile;
        Store(dst, c00, c01, w, alpha, beta, overwrite, full);
        Store(dst + ld, c10, c11, w, alpha, beta, overwrite, full);
        Store(dst + (2 * ld), c20, c21, w, alpha, beta, overwrite, full);
        Store(dst + (3 * ld), c30, c31, w, alpha, beta, overwrite, full);
        Store(dst + (4 * ld), c40, c41, w, alpha, beta, overwrite, full);
        Store(dst + (5 * ld), c50, c51, w, alpha, beta, overwrite, full);
        if (!full)
        {
            MergeEdge(tile, 2 * w, c, ldc, rows, cols, alpha, beta, overwrite, transposeC);
        }
    }

    /// <summary>4×4 scalar kernel: the same loop structure without SIMD.</summary>
    public static void Kernel4x4Scalar(int kc, T* a, T* b, T* c, int ldc, int rows, int cols, T alpha, T beta, bool overwrite, bool transposeC)
    {
        T* acc = stackalloc T[16];
        for (int i = 0; i < 16; i++)
        {
            acc[i] = T.Zero;
        }
        for (int p = 0; p < kc; p++)
        {
            for (int r = 0; r < 4; r++)
            {
                T x = a[r];
                for (int j = 0; j < 4; j++)
                {
                    acc[(r * 4) + j] = T.FusedMultiplyAdd(x, b[j], acc[(r * 4) + j]);
                }
            }
            a += 4;
            b += 4;
        }
        MergeEdge(acc, 4, c, ldc, rows, cols, alpha, beta, overwrite, transposeC);
    }

    // Full row of a tile: C = alpha·acc (+ beta·C unless overwriting). When !direct, dst is the scratch tile
    // and the raw accumulators are stored; MergeEdge applies alpha/beta for the valid part.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(T* dst, Vector512<T> lo, Vector512<T> hi, int w, T alpha, T beta, bool overwrite, bool direct)
    {
        if (!direct)
        {
            lo.Store(dst);
            hi.Store(dst + w);
            return;
        }
        var al = Vector512.Create(alpha);
        if (overwrite)
        {
            (al * lo).Store(dst);
            (al * hi).Store(dst + w);
            return;
        }
        var be = Vector512.Create(beta);
        Fma(al, lo, be * Vector512.Load(dst)).Store(dst);
        Fma(al, hi, be * Vector512.Load(dst + w)).Store(dst + w);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(T* dst, Vector256<T> lo, Vector256<T> hi, int w, T alpha, T beta, bool overwrite, bool direct)
    {
        if (!direct)
        {
            lo.Store(dst);
            hi.Store(dst + w);
            return;
        }
        var al = Vector256.Create(alpha);
        if (overwrite)
        {
            (al * lo).Store(dst);
            (al * hi).Store(dst + w);
            return;
        }
        var be = Vector256.Create(beta);
        Fma(al, lo, be * Vector256.Load(dst)).Store(dst);
        Fma(al, hi, be * Vector256.Load(dst + w)).Store(dst + w);
    }

    // Edge tile: writes the valid rows × cols of the scratch tile into C with the same arithmetic as Store
    // (transposed, element (r, j) at c[j·ldc + r], when the caller computes Cᵀ).
    private static void MergeEdge(T* tile, int ldt, T* c, int ldc, int rows, int cols, T alpha, T beta, bool overwrite, bool transposeC)
    {
        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < cols; j++)
            {
                T acc = tile[(r * ldt) + j];
                T* cij = transposeC ? c + ((long)j * ldc) + r : c + ((long)r * ldc) + j;
                *cij = overwrite ? alpha * acc : T.FusedMultiplyAdd(alpha, acc, beta * *cij);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Fma(Vector512<T> x, Vector512<T> y, Vector512<T> z)
    {
        if (typeof(T) == typeof(float))
        {
            return Vector512.FusedMultiplyAdd(x.As<T, float>(), y.As<T, float>(), z.As<T, float>()).As<float, T>();
        }
        if (typeof(T) == typeof(double))
        {
            return Vector512.FusedMultiplyAdd(x.As<T, double>(), y.As<T, double>(), z.As<T, double>()).As<double, T>();
        }
        return (x * y) + z;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Fma(Vector256<T> x, Vector256<T> y, Vector256<T> z)
    {
        if (typeof(T) == typeof(float))
        {
            return Vector256.FusedMultiplyAdd(x.As<T, float>(), y.As<T, float>(), z.As<T, float>()).As<float, T>();
        }
        if (typeof(T) == typeof(double))
        {
            return Vector256.FusedMultiplyAdd(x.As<T, double>(), y.As<T, double>(), z.As<T, double>()).As<double, T>();
        }
        return (x * y) + z;
    }
}
