// The slides' 3-observation example: the backpropagation formulas written out independently with
// MathNet.Numerics matrices, from the engine's initial weights, must equal the engine's gradients.
using MathNet.Numerics.LinearAlgebra;
using RefNet.Engine;
using RefNet.Layers;
using RefNet.Losses;
using RefNet.Tensors;
using RefNet.Tests.Common;
using Xunit;

namespace RefNet.Tests.Slides;

public class ThreeObservationBackpropTests
{
    private static readonly MatrixBuilder<double> M = Matrix<double>.Build;

    // Keras layout: W⁽ˡ⁾ is (inputs × units), rows are observations, so z⁽ˡ⁾ = a⁽ˡ⁻¹⁾·W⁽ˡ⁾ + 1·b⁽ˡ⁾ᵀ.
    private static Matrix<double> Sigmoid(Matrix<double> z) => z.Map(v => 1.0 / (1.0 + Math.Exp(-v)));

    private static Matrix<double> AddBias(Matrix<double> z, Vector<double> b) => z + M.Dense(z.RowCount, b.Count, (_, j) => b[j]);

    private static Matrix<double> Kernel(Dense<double> d)
    {
        double[] w = d.Kernel.Value.ToArray(); // row-major (inputs × units)
        return M.Dense(d.Kernel.Value.Shape[0], d.Units, (i, j) => w[(i * d.Units) + j]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(42)]
    public void EngineGradients_EqualTheSlidesFormulas(int seed)
    {
        // Slides: X = [[5,2],[1,0],[3,1]], y = [0,1,1]; a 2-4-3-1 sigmoid network; J = Σ over observations of BCE.
        double[,] xData = { { 5, 2 }, { 1, 0 }, { 3, 1 } };
        double[,] yData = { { 0 }, { 1 }, { 1 } };
        var net = new Network<double>(2, [4, 3], 1, seed: seed);
        Dense<double>[] layers = net.Layers.Cast<Dense<double>>().ToArray();

        // The engine's initial weights, copied out before anything runs.
        Matrix<double>[] w = layers.Select(Kernel).ToArray();
        Vector<double>[] b = layers.Select(d => Vector<double>.Build.DenseOfArray(d.Bias!.Value.ToArray())).ToArray();

        // ---- the slides' formulas (layers numbered 1..3; a⁽⁰⁾ = X) ----
        Matrix<double> x = M.DenseOfArray(xData);
        Matrix<double> y = M.DenseOfArray(yData);
        Matrix<double> a0 = x;
        Matrix<double> z1 = AddBias(a0 * w[0], b[0]);
        Matrix<double> a1 = Sigmoid(z1);
        Matrix<double> z2 = AddBias(a1 * w[1], b[1]);
        Matrix<double> a2 = Sigmoid(z2);
        Matrix<double> z3 = AddBias(a2 * w[2], b[2]);
        Matrix<double> yHat = Sigmoid(z3);
        double j = 0;
        for (int i = 0; i < 3; i++)
        {
            j -= (y[i, 0] * Math.Log(yHat[i, 0])) + ((1 - y[i, 0]) * Math.Log(1 - yHat[i, 0]));
        }
        Matrix<double> SigmoidPrime(Matrix<double> a) => a.PointwiseMultiply(1 - a); // σ'(z) = σ(z)(1 − σ(z))

        Matrix<double> delta3 = -(y - yHat);                                   // δ⁽³⁾ = −(y − ŷ)
        Matrix<double> dW3 = a2.TransposeThisAndMultiply(delta3);              // ∂J/∂W⁽³⁾ = a⁽²⁾ᵀ δ⁽³⁾
        Matrix<double> delta2 = (delta3 * w[2].Transpose()).PointwiseMultiply(SigmoidPrime(a2)); // δ⁽²⁾ = δ⁽³⁾W⁽³⁾ᵀ ⊙ σ'(z⁽²⁾)
        Matrix<double> dW2 = a1.TransposeThisAndMultiply(delta2);              // ∂J/∂W⁽²⁾ = a⁽¹⁾ᵀ δ⁽²⁾
        Matrix<double> delta1 = (delta2 * w[1].Transpose()).PointwiseMultiply(SigmoidPrime(a1)); // δ⁽¹⁾ = δ⁽²⁾W⁽²⁾ᵀ ⊙ σ'(z⁽¹⁾)
        Matrix<double> dW1 = a0.TransposeThisAndMultiply(delta1);              // ∂J/∂W⁽¹⁾ = Xᵀ δ⁽¹⁾
        Matrix<double> dX = delta1 * w[0].Transpose();
        Vector<double>[] db = [delta1.ColumnSums(), delta2.ColumnSums(), delta3.ColumnSums()]; // ∂J/∂b = column sums of δ

        // ---- the engine ----
        var loss = new BinaryCrossentropy(Reduction.Sum);
        Tensor<double> xt = Tensor<double>.FromRows(xData);
        Tensor<double> yt = Tensor<double>.FromRows(yData);
        Tensor<double> prediction = net.Forward(xt, training: true);
        double engineJ = loss.Value(net.Backend, prediction, yt);
        var dJdYHat = new Tensor<double>(3, 1);
        loss.Gradient(net.Backend, prediction, yt, dJdYHat);
        Tensor<double> engineDx = net.Backward(dJdYHat);

        const double tol = 1e-12;
        TensorAssert.Close(yHat.ToRowMajorArray(), prediction, tol, tol, "ŷ");
        TensorAssert.Close(j, engineJ, tol, tol, "J");
        Matrix<double>[] dW = [dW1, dW2, dW3];
        for (int l = 0; l < 3; l++)
        {
            TensorAssert.Close(dW[l].ToRowMajorArray(), layers[l].Kernel.Gradient, tol, tol, $"∂J/∂W⁽{l + 1}⁾");
            TensorAssert.Close(db[l].ToArray(), layers[l].Bias!.Gradient, tol, tol, $"∂J/∂b⁽{l + 1}⁾");
        }
        TensorAssert.Close(dX.ToRowMajorArray(), engineDx, tol, tol, "∂J/∂X");
    }
}
