// ReferenceGemm: the textbook triple loop, the specification the fast GEMMs are tested against.
// One dot product per element of C, summed in order p = 0..k−1; favours clarity over speed.
using System.Numerics;

namespace RefNet.Backends.Cpu;

/// <summary>The plain triple-loop GEMM (the specification; slow).</summary>
public sealed class ReferenceGemm : IGemm
{
    /// <summary>The shared instance.</summary>
    public static ReferenceGemm Instance { get; } = new();

    /// <inheritdoc/>
    public string Name => "reference";

    /// <inheritdoc/>
    public string Description => "reference (plain triple loop, single thread)";

    /// <inheritdoc/>
    public void Multiply<T>(bool transposeA, bool transposeB, int m, int n, int k, T alpha,
        ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!GemmArguments.Prepare(transposeA, transposeB, m, n, k, a.Length, lda, b.Length, ldb, beta, c, ldc))
        {
            return;
        }
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                T sum = T.Zero;
                for (int p = 0; p < k; p++)
                {
                    T aip = transposeA ? a[p * lda + i] : a[i * lda + p];
                    T bpj = transposeB ? b[j * ldb + p] : b[p * ldb + j];
                    sum += aip * bpj;
                }
                int idx = i * ldc + j;
                c[idx] = beta == T.Zero ? alpha * sum : alpha * sum + beta * c[idx];
            }
        }
    }
}
