// Seeded data builders for gradient checks: values with margins from kinks and clip bounds.
// Every value comes from a System.Random seeded by the test, so each case can be replayed.
using RefNet.Activations;
using RefNet.Backends;
using RefNet.Layers;
using RefNet.Tensors;
using RefNet.Verification;

namespace RefNet.Tests.Common;

public static class CheckData
{
    /// <summary>Uniform in [lo, hi].</summary>
    public static double Uniform(Random r, double lo, double hi) => lo + (r.NextDouble() * (hi - lo));

    /// <summary>A (rows, cols) tensor with values in ±[margin, max].</summary>
    public static Tensor<double> AwayFromZero(Random r, int rows, int cols, double margin = 1e-3, double max = 1.0)
    {
        var t = new Tensor<double>(rows, cols);
        for (int i = 0; i < t.Length; i++)
        {
            t.Span[i] = GradientCheck.AwayFromZero(r, margin, max);
        }
        return t;
    }

    /// <summary>A (rows, cols) tensor uniform in [lo, hi].</summary>
    public static Tensor<double> UniformTensor(Random r, int rows, int cols, double lo, double hi)
    {
        var t = new Tensor<double>(rows, cols);
        for (int i = 0; i < t.Length; i++)
        {
            t.Span[i] = Uniform(r, lo, hi);
        }
        return t;
    }

    /// <summary>Rows of probabilities: softmax of random logits in [−2, 2] (every entry well inside [ε, 1−ε]).</summary>
    public static Tensor<double> SoftmaxRows(Random r, int rows, int cols)
    {
        Tensor<double> logits = UniformTensor(r, rows, cols, -2, 2);
        var p = new Tensor<double>(rows, cols);
        ActivationFunction.Softmax.Forward(ReferenceBackend<double>.Instance, logits, p);
        return p;
    }

    /// <summary>One-hot rows (a random class per row).</summary>
    public static Tensor<double> OneHot(Random r, int rows, int cols)
    {
        var t = new Tensor<double>(rows, cols);
        for (int i = 0; i < rows; i++)
        {
            t[i, r.Next(cols)] = 1;
        }
        return t;
    }

    /// <summary>0/1 targets.</summary>
    public static Tensor<double> Binary(Random r, int rows, int cols)
    {
        var t = new Tensor<double>(rows, cols);
        for (int i = 0; i < t.Length; i++)
        {
            t.Span[i] = r.Next(2);
        }
        return t;
    }

    /// <summary>Overwrites every parameter of a built layer: values in ±[0.1, 1] (so none sits at an L1 kink).</summary>
    public static void FillParameters(RefNet.Engine.Layer<double> layer, Random r)
    {
        foreach (var p in layer.Parameters)
        {
            Span<double> v = p.Value.Span;
            for (int i = 0; i < v.Length; i++)
            {
                v[i] = GradientCheck.AwayFromZero(r, 0.1, 1.0);
            }
        }
    }

    /// <summary>An input for a built Dense layer whose pre-activations z = xW + b all satisfy |z| ≥ margin (ReLU kink).</summary>
    /// <remarks>Rejection sampling: a new input is drawn until every |z| clears the margin.</remarks>
    public static Tensor<double> DenseInputAwayFromKink(Dense<double> dense, int batch, Random r, double margin = 1e-2)
    {
        int inputs = dense.InputShape![0];
        double[] w = dense.Kernel.Value.ToArray();
        double[] b = dense.Bias?.Value.ToArray() ?? new double[dense.Units];
        for (int attempt = 0; attempt < 1000; attempt++)
        {
            Tensor<double> x = AwayFromZero(r, batch, inputs, 0.05, 1.0);
            bool ok = true;
            for (int i = 0; i < batch && ok; i++)
            {
                for (int j = 0; j < dense.Units && ok; j++)
                {
                    double z = b[j];
                    for (int k = 0; k < inputs; k++)
                    {
                        z += x[i, k] * w[(k * dense.Units) + j];
                    }
                    ok = Math.Abs(z) >= margin;
                }
            }
            if (ok)
            {
                return x;
            }
        }
        throw new InvalidOperationException("could not draw an input away from the ReLU kink");
    }
}
