// IGemm: the one matrix-product contract of the CPU backend, C = alpha·op(A)·op(B) + beta·C.
// Row-major arrays with leading dimensions, exactly like cblas_?gemm with CblasRowMajor.
using System.Numerics;

namespace RefNet.Backends.Cpu;

/// <summary>A general matrix multiply on row-major host memory: C = alpha·op(A)·op(B) + beta·C.</summary>
/// <remarks>
/// Shapes follow BLAS: op(A) is m×k, op(B) is k×n, C is m×n. A is stored row-major with leading dimension
/// <c>lda</c> (so A is m×k with lda ≥ k, or, when transposed, k×m with lda ≥ m); likewise B and C.
/// When beta is zero, C is not read (NaN in C does not propagate), as in BLAS.
/// Implementations: <see cref="ReferenceGemm"/> (the plain triple loop, the specification),
/// <see cref="ManagedGemm"/> (packed SIMD kernel in C#), <see cref="OpenBlasGemm"/> (native OpenBLAS).
/// </remarks>
public interface IGemm
{
    /// <summary>Short name: "reference", "managed" or "openblas".</summary>
    string Name { get; }

    /// <summary>One line describing the implementation (kernel, library, threads) for <c>refnet info</c>.</summary>
    string Description { get; }

    /// <summary>C = alpha·op(A)·op(B) + beta·C.</summary>
    void Multiply<T>(bool transposeA, bool transposeB, int m, int n, int k, T alpha,
        ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc)
        where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>Argument checks and the degenerate cases every implementation shares.</summary>
internal static class GemmArguments
{
    /// <summary>Validates sizes and buffer lengths; returns false when nothing is left to multiply (m, n or k is 0).</summary>
    /// <remarks>For k = 0 the product is empty, so C = beta·C (C = 0 when beta = 0) is applied here.</remarks>
    public static bool Prepare<T>(bool transposeA, bool transposeB, int m, int n, int k,
        int aLength, int lda, int bLength, int ldb, T beta, Span<T> c, int ldc)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (m < 0 || n < 0 || k < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(m), $"GEMM sizes must be non-negative (m={m}, n={n}, k={k})");
        }
        if (m == 0 || n == 0)
        {
            return false;
        }
        CheckOperand("C", m, n, ldc, c.Length);
        if (k == 0)
        {
            for (int i = 0; i < m; i++)
            {
                Span<T> row = c.Slice(i * ldc, n);
                if (beta == T.Zero)
                {
                    row.Clear();
                }
                else
                {
                    for (int j = 0; j < n; j++)
                    {
                        row[j] *= beta;
                    }
                }
            }
            return false;
        }
        CheckOperand("A", transposeA ? k : m, transposeA ? m : k, lda, aLength);
        CheckOperand("B", transposeB ? n : k, transposeB ? k : n, ldb, bLength);
        return true;
    }

    private static void CheckOperand(string name, int rows, int cols, int ld, int length)
    {
        if (ld < cols)
        {
            throw new ArgumentException($"GEMM {name}: leading dimension {ld} is smaller than its {cols} columns");
        }
        long needed = ((long)(rows - 1) * ld) + cols;
        if (length < needed)
        {
            throw new ArgumentException($"GEMM {name}: a {rows}×{cols} matrix with leading dimension {ld} needs {needed} elements, got {length}");
        }
    }
}
