// Losses and accuracy on sequences (batch, T, classes), as Keras computes them: categorical cross-entropy over the
// last axis at every position, averaged over the positions and then the batch; accuracy per position.
// Expected values are written out from the formula in plain loops here, not taken from the code under test.
using RefNet.Activations;
using RefNet.Backends;
using RefNet.Engine;
using RefNet.Layers;
using RefNet.Losses;
using RefNet.Metrics;
using RefNet.Optimizers;
using RefNet.Tensors;
using Xunit;

namespace RefNet.Tests.Losses;

public class SequenceLossTests
{
    private static readonly IBackend<double> B = ReferenceBackend<double>.Instance;

    // (2 samples, 3 steps, 4 classes): rows are probability vectors; targets one-hot.
    private static readonly double[] P =
    [
        0.70, 0.10, 0.10, 0.10, /**/ 0.20, 0.50, 0.20, 0.10, /**/ 0.25, 0.25, 0.40, 0.10,
        0.05, 0.05, 0.05, 0.85, /**/ 0.30, 0.30, 0.30, 0.10, /**/ 0.60, 0.20, 0.10, 0.10,
    ];

    private static readonly int[] Labels = [0, 2, 2, /**/ 3, 1, 0];

    private static Tensor<double> Predictions() => Tensor<double>.FromArray(new Shape(2, 3, 4), (double[])P.Clone());

    private static Tensor<double> Targets()
    {
        var y = new double[24];
        for (int r = 0; r < 6; r++)
        {
            y[(r * 4) + Labels[r]] = 1;
        }
        return Tensor<double>.FromArray(new Shape(2, 3, 4), y);
    }

    // −ln p[sample, t, label] averaged over t: Keras' per-sample value for (batch, T, classes).
    private static double SampleLoss(double[] p, int sample) =>
        Enumerable.Range(0, 3).Average(t => -Math.Log(p[(((sample * 3) + t) * 4) + Labels[(sample * 3) + t]]));

    [Fact]
    public void CategoricalCrossentropy_OnSequences_IsThePerStepLossAveragedOverSteps()
    {
        var perSample = B.Allocate(new Shape(2));
        double value = new CategoricalCrossentropy().Value(B, Predictions(), Targets(), perSample);
        Assert.Equal(SampleLoss(P, 0), perSample[0], 12);
        Assert.Equal(SampleLoss(P, 1), perSample[1], 12);
        Assert.Equal((SampleLoss(P, 0) + SampleLoss(P, 1)) / 2, value, 12);
        // Not the loss of the flattened (2, 12) rows, which would sum three steps' −ln p and renormalise over 12 columns.
        Assert.NotEqual(new CategoricalCrossentropy().Value(B, Tensor<double>.FromArray(new Shape(2, 12), (double[])P.Clone()),
            Targets().Reshape(new Shape(2, 12))), value, 6);
    }

    [Fact]
    public void CategoricalCrossentropy_OnSequences_GradientMatchesCentralDifferences()
    {
        var g = B.Allocate(new Shape(2, 3, 4));
        new CategoricalCrossentropy().Gradient(B, Predictions(), Targets(), g);
        const double h = 1e-6;
        for (int i = 0; i < P.Length; i++)
        {
            double[] up = (double[])P.Clone(), down = (double[])P.Clone();
            up[i] += h;
            down[i] -= h;
            // Keras renormalises each row before the log, so the loss is defined off the simplex too.
            double numeric = (Renormalised(up) - Renormalised(down)) / (2 * h);
            Assert.True(Math.Abs(numeric - g.Span[i]) < 1e-7, $"element {i}: analytic {g.Span[i]}, numeric {numeric}");
        }

        static double Renormalised(double[] p)
        {
            var q = (double[])p.Clone();
            for (int r = 0; r < 6; r++)
            {
                double s = q[(r * 4)..((r * 4) + 4)].Sum();
                for (int j = 0; j < 4; j++)
                {
                    q[(r * 4) + j] /= s;
                }
            }
            return (SampleLoss(q, 0) + SampleLoss(q, 1)) / 2;
        }
    }

    [Fact]
    public void Accuracy_OnSequences_CountsEveryPosition()
    {
        // Argmax per row: 0, 1, 2 | 3, tie 0/1/2 → first (0), 0. Labels 0, 2, 2 | 3, 1, 0: correct at 4 of 6 positions.
        int correct = Accuracy.CountCorrect(B, AccuracyKind.Categorical, Predictions(), Targets());
        Assert.Equal(4, correct);
    }

    [Fact]
    public void Evaluate_TimeDistributedSoftmax_ReportsPerPositionLossAndAccuracy()
    {
        var net = new Sequential<double>(B, seed: 3);
        net.Add(new TimeDistributed<double>(new Dense<double>(4, ActivationFunction.Softmax), inputShape: new Shape(3, 2)));
        net.Compile(new Sgd(0.1), new CategoricalCrossentropy(), ["accuracy"]);
        var x = Tensor<double>.FromArray(new Shape(2, 3, 2), [0.5, -1, 2, 0.3, -0.7, 1.1, 0.9, 0.2, -1.5, 0.4, 0.1, -0.3]);
        Tensor<double> y = Targets();
        Tensor<double> p = net.Predict(x);
        double[] pv = p.ToArray();
        int correct = 0;
        for (int r = 0; r < 6; r++)
        {
            int arg = Enumerable.Range(0, 4).MaxBy(j => pv[(r * 4) + j]);
            correct += arg == Labels[r] ? 1 : 0;
        }
        Evaluation e = net.Evaluate(x, y, batchSize: 1);
        Assert.Equal((SampleLoss(pv, 0) + SampleLoss(pv, 1)) / 2, e.Loss, 10);
        Assert.Equal(correct / 6.0, e.Accuracy, 12);
    }

    [Fact]
    public void Fit_TimeDistributedSoftmax_LearnsTheSequenceLabels()
    {
        var net = new Sequential<double>(B, seed: 5);
        net.Add(new TimeDistributed<double>(new Dense<double>(4, ActivationFunction.Softmax), inputShape: new Shape(3, 2)));
        net.Compile(new Sgd(0.5), new CategoricalCrossentropy(), ["accuracy"]);
        var x = Tensor<double>.FromArray(new Shape(2, 3, 2), [1, 0, 0, 1, 0, 1, -1, -1, 1, 1, 1, 0]);
        History h = net.Fit(x, Targets(), batchSize: 2, epochs: 200, seed: 5, verbose: 0);
        Assert.True(h.Values["loss"][^1] < 0.25 * h.Values["loss"][0], $"loss {h.Values["loss"][0]} → {h.Values["loss"][^1]}");
        Assert.Equal(1.0, h.Values["acc"][^1]);
    }
}
