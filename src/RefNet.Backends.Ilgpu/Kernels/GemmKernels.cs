// The ILGPU matrix product: a shared-memory tiled GEMM, C = alpha·op(A)·op(B) + beta·C, row-major.
// Each thread owns one C element and accumulates over k in ascending order, exactly like the CPU loop.
using System.Numerics;
using ILGPU;

namespace RefNet.Backends.Ilgpu.Kernels;

/// <summary>Sizes and layout of one GEMM call (passed to the kernel by value).</summary>
/// <param name="M">Rows of op(A) and C.</param>
/// <param name="N">Columns of op(B) and C.</param>
/// <param name="K">The reduction length: columns of op(A), rows of op(B).</param>
/// <param name="Lda">Row length of A as stored.</param>
/// <param name="Ldb">Row length of B as stored.</param>
/// <param name="TransposeA">1 when op(A) = Aᵀ, else 0 (an int: ILGPU kernel arguments must be blittable, bool is not).</param>
/// <param name="TransposeB">1 when op(B) = Bᵀ, else 0.</param>
/// <param name="Tile">Tile edge: the group is Tile × Tile threads and holds one Tile × Tile block of each operand.</param>
internal readonly record struct GemmShape(int M, int N, int K, int Lda, int Ldb, int TransposeA, int TransposeB, int Tile);

/// <summary>The matrix product: a shared-memory tiled kernel (for GPUs) and a grid-stride kernel (for the CPU accelerator).</summary>
internal static class GemmKernels
{
    /// <summary>
    /// c[i, j] = alpha·Σ_p op(A)[i, p]·op(B)[p, j] (+ beta·c[i, j] when beta ≠ 0), one output element per loop
    /// iteration, p ascending. Same formula and order as <see cref="Gemm{T}"/>, without shared memory or barriers.
    /// CPU twin: ReferenceBackend MatMul on <see cref="ReferenceBackend{T}"/>.
    /// </summary>
    /// <remarks>For ILGPU's CPU accelerator, where every group barrier synchronises OS threads and costs far more
    /// than the arithmetic; a grid-stride loop over the M·N outputs needs no barrier at all.</remarks>
    public static void GemmGridStride<T>(ArrayView<T> a, ArrayView<T> b, ArrayView<T> c, GemmShape s, T alpha, T beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // op(A)[i, p] = a[i·aRow + p·aCol] and op(B)[p, j] = b[p·bRow + j·bCol], whichever is transposed.
        int aRow = s.TransposeA == 1 ? 1 : s.Lda;
        int aCol = s.TransposeA == 1 ? s.Lda : 1;
        int bRow = s.TransposeB == 1 ? 1 : s.Ldb;
        int bCol = s.TransposeB == 1 ? s.Ldb : 1;
        int count = s.M * s.N;
        for (int idx = GridStride.Start, step = GridStride.Step; idx < count; idx += step)
        {
            int row = idx / s.N;
            int col = idx - (row * s.N);
            T sum = T.Zero;
            for (int p = 0; p < s.K; p++)
            {
                sum += a[(row * aRow) + (p * aCol)] * b[(p * bRow) + (col * bCol)];
            }
            c[idx] = beta == T.Zero ? alpha * sum : (alpha * sum) + (beta * c[idx]);
        }
    }

    /// <summary>
    /// c[i, j] = alpha·Σ_p op(A)[i, p]·op(B)[p, j] (+ beta·c[i, j] when beta ≠ 0), the sum taken for p = 0, 1, …, K−1.
    /// CPU twin: ReferenceBackend MatMul on <see cref="ReferenceBackend{T}"/> (the triple loop of <see cref="Cpu.ReferenceGemm"/>).
    /// </summary>
    /// <remarks>
    /// Launch with a (⌈N/Tile⌉, ⌈M/Tile⌉) grid of (Tile, Tile) groups and 2·Tile² elements of dynamic shared memory.
    /// The loop runs over K in steps of Tile (the ILGPU sample's bug was bounding it by M); each step loads one
    /// tile of op(A) and one of op(B), zero outside the matrices, and adds only the min(Tile, K − t0) real terms.
    /// </remarks>
    public static void Gemm<T>(ArrayView<T> a, ArrayView<T> b, ArrayView<T> c, GemmShape s, T alpha, T beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int tile = s.Tile;
        ArrayView<T> shared = SharedMemory.GetDynamic<T>();
        ArrayView<T> tileA = shared.SubView(0, tile * tile);
        ArrayView<T> tileB = shared.SubView(tile * tile, tile * tile);
        int ty = Group.IdxY;
        int tx = Group.IdxX;
        int row = (Grid.IdxY * tile) + ty;
        int col = (Grid.IdxX * tile) + tx;
        T sum = T.Zero;
        for (int t0 = 0; t0 < s.K; t0 += tile)
        {
            int pa = t0 + tx;
            tileA[(ty * tile) + tx] = row < s.M && pa < s.K ? ElementA(a, s, row, pa) : T.Zero;
            int pb = t0 + ty;
            tileB[(ty * tile) + tx] = pb < s.K && col < s.N ? ElementB(b, s, pb, col) : T.Zero;
            Group.Barrier();
            int count = s.K - t0 < tile ? s.K - t0 : tile;
            for (int q = 0; q < count; q++)
            {
                sum += tileA[(ty * tile) + q] * tileB[(q * tile) + tx];
            }
            Group.Barrier();
        }
        if (row < s.M && col < s.N)
        {
            int idx = (row * s.N) + col;
            c[idx] = beta == T.Zero ? alpha * sum : (alpha * sum) + (beta * c[idx]);
        }
    }

    /// <summary>op(A)[i, p]: A[i, p], or A[p, i] when transposed.</summary>
    private static T ElementA<T>(ArrayView<T> a, GemmShape s, int i, int p)
        where T : unmanaged, IFloatingPointIeee754<T>
        => s.TransposeA == 1 ? a[(p * s.Lda) + i] : a[(i * s.Lda) + p];

    /// <summary>op(B)[p, j]: B[p, j], or B[j, p] when transposed.</summary>
    private static T ElementB<T>(ArrayView<T> b, GemmShape s, int p, int j)
        where T : unmanaged, IFloatingPointIeee754<T>
        => s.TransposeB == 1 ? b[(j * s.Ldb) + p] : b[(p * s.Ldb) + j];
}
