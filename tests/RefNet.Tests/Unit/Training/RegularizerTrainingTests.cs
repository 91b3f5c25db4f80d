// L1/L2 kernel penalties inside training: the reported loss is data loss + penalty, and one SGD step
// includes the penalty's gradient λ₁·sign(w) + 2λ₂·w (checked against a hand-written formula).
using RefNet.Activations;
using RefNet.Backends;
using RefNet.Engine;
using RefNet.Layers;
using RefNet.Losses;
using RefNet.Optimizers;
using RefNet.Regularizers;
using RefNet.Tensors;
using Xunit;

namespace RefNet.Tests.Unit.Training;

public class RegularizerTrainingTests
{
    private const double L1 = 0.01;
    private const double L2 = 0.02;

    private static readonly double[,] X = { { 0.5, -1.0 }, { 1.5, 0.25 }, { -0.75, 2.0 } };
    private static readonly double[] Y = [0.3, 1.2, -0.4];
    private static readonly double[] W = [0.6, -0.3];
    private const double B = 0.1;

    private static Network<double> Net(double lr)
    {
        var net = new Network<double>();
        net.Add(new Dense<double>(1, ActivationFunction.Linear, inputDim: 2, kernelRegularizer: new Regularizer(l1: L1, l2: L2)));
        net.SetWeights([W, [B]]);
        net.Compile(new Sgd(learningRate: lr), new MeanSquaredError());
        return net;
    }

    private static (Tensor<double>, Tensor<double>) Data() =>
        (Tensor<double>.FromRows(X), Tensor<double>.FromRows(new double[,] { { Y[0] }, { Y[1] }, { Y[2] } }));

    private static double DataLoss()
    {
        double mse = 0;
        for (int i = 0; i < 3; i++)
        {
            double err = (X[i, 0] * W[0]) + (X[i, 1] * W[1]) + B - Y[i];
            mse += err * err / 3;
        }
        return mse;
    }

    private static double Penalty() => (L1 * (Math.Abs(W[0]) + Math.Abs(W[1]))) + (L2 * ((W[0] * W[0]) + (W[1] * W[1])));

    [Fact]
    public void ReportedLoss_IsDataLossPlusPenalty()
    {
        Network<double> net = Net(lr: 0);
        var (x, y) = Data();
        History h = net.Fit(x, y, batchSize: 3, epochs: 1, verbose: 0);
        Assert.Equal(DataLoss() + Penalty(), h["loss"][0], 14);
        Assert.Equal(DataLoss() + Penalty(), net.Evaluate(x, y).Loss, 14);
        Assert.Equal(Penalty(), net.RegularizationPenalty(), 15);
    }

    [Fact]
    public void OneSgdStep_IncludesThePenaltyGradient()
    {
        const double lr = 0.1;
        Network<double> net = Net(lr);
        var (x, y) = Data();
        net.Fit(x, y, batchSize: 3, epochs: 1, shuffle: false, verbose: 0);

        // ∂J/∂w_j = (2/N) Σ_i err_i·x_ij + λ₁·sign(w_j) + 2λ₂·w_j ;  ∂J/∂b = (2/N) Σ_i err_i (bias unregularized).
        double[] grad = new double[2];
        double gradB = 0;
        for (int i = 0; i < 3; i++)
        {
            double err = (X[i, 0] * W[0]) + (X[i, 1] * W[1]) + B - Y[i];
            grad[0] += 2 * err * X[i, 0] / 3;
            grad[1] += 2 * err * X[i, 1] / 3;
            gradB += 2 * err / 3;
        }
        double[][] w = net.GetWeights();
        for (int j = 0; j < 2; j++)
        {
            double expected = W[j] - (lr * (grad[j] + (L1 * Math.Sign(W[j])) + (2 * L2 * W[j])));
            Assert.Equal(expected, w[0][j], 14);
        }
        Assert.Equal(B - (lr * gradB), w[1][0], 14);
    }
}
