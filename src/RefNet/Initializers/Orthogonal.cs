// Keras' orthogonal initializer: a random matrix with orthonormal rows or columns (times a gain).
// Built from the QR factorisation of a Gaussian matrix by modified Gram–Schmidt; favours clarity over speed.
namespace RefNet.Initializers;

/// <summary>Keras orthogonal: the shape is flattened to (rows = Π shape[..^1], cols = shape[^1]) and filled with
/// gain·Q, where Q has orthonormal columns (rows ≥ cols) or orthonormal rows (rows &lt; cols).</summary>
/// <remarks>Implemented as tf.keras 2.x does it: Q from the QR factorisation of an N(0, 1) matrix of shape
/// (max, min), with the signs fixed so that diag(R) &gt; 0 (which makes Q Haar-distributed), transposed when
/// rows &lt; cols. Modified Gram–Schmidt with one re-orthogonalisation pass gives R with a positive diagonal
/// directly. Keras 2.0–2.3 take Q from an SVD instead; both give a uniformly random orthogonal matrix.</remarks>
/// <param name="gain">Multiplier of Q (Keras default 1).</param>
public sealed class Orthogonal(double gain = 1.0) : Initializer
{
    /// <summary>The multiplier.</summary>
    public double Gain { get; } = gain;

    /// <inheritdoc/>
    public override string Name => "orthogonal";

    /// <inheritdoc/>
    public override void Fill(Span<double> values, int[] shape, Random random)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Length < 2)
        {
            throw new ArgumentException($"orthogonal needs a weight of rank 2 or more, got shape ({string.Join(", ", shape)})", nameof(shape));
        }
        int cols = shape[^1];
        int rows = values.Length / Math.Max(1, cols);
        int tall = Math.Max(rows, cols);
        int wide = Math.Min(rows, cols);

        // a: tall × wide Gaussian matrix, stored column by column (q[j] is column j).
        var q = new double[wide][];
        for (int j = 0; j < wide; j++)
        {
            q[j] = new double[tall];
        }
        for (int i = 0; i < tall; i++)
        {
            for (int j = 0; j < wide; j++)
            {
                q[j][i] = Gaussian.Next(random);
            }
        }

        // Modified Gram–Schmidt: q_j ← q_j − Σ_{k<j} ⟨q_k, q_j⟩ q_k (twice for accuracy), then normalise.
        for (int j = 0; j < wide; j++)
        {
            for (int pass = 0; pass < 2; pass++)
            {
                for (int k = 0; k < j; k++)
                {
                    double dot = Dot(q[k], q[j]);
                    for (int i = 0; i < tall; i++)
                    {
                        q[j][i] -= dot * q[k][i];
                    }
                }
            }
            double norm = Math.Sqrt(Dot(q[j], q[j]));
            for (int i = 0; i < tall; i++)
            {
                q[j][i] /= norm;
            }
        }

        // rows ≥ cols: W[i, j] = gain·Q[i, j];  rows < cols: W = gain·Qᵀ, i.e. W[i, j] = gain·Q[j, i].
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                values[(r * cols) + c] = Gain * (rows >= cols ? q[c][r] : q[r][c]);
            }
        }
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }
        return s;
    }
}
