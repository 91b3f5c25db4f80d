// Fit's Keras 2 semantics checked against an independent re-implementation: batching (full, mini with a
// partial last batch, stochastic), sample-weighted epoch means, validation split, shuffling and seeds.
using RefNet.Activations;
using RefNet.Backends;
using RefNet.Engine;
using RefNet.Layers;
using RefNet.Losses;
using RefNet.Optimizers;
using RefNet.Tensors;
using Xunit;

namespace RefNet.Tests.Unit.Training;

public class FitTests
{
    // 7 samples, 2 features, linear target with noise-like offsets.
    private static readonly double[,] X =
    {
        { 0.5, -1.0 }, { 1.5, 0.25 }, { -0.75, 2.0 }, { 0.1, 0.3 }, { 2.0, -0.5 }, { -1.2, -0.8 }, { 0.9, 1.1 },
    };

    private static readonly double[] Y = [0.3, 1.2, -0.4, 0.05, 1.7, -1.0, 0.6];

    private static Network<double> LinearNet(double w0, double w1, double b)
    {
        var net = new Network<double>(seed: 1);
        net.Add(new Dense<double>(1, ActivationFunction.Linear, inputDim: 2));
        net.SetWeights([[w0, w1], [b]]);
        return net;
    }

    private static Tensor<double> Xs() => Tensor<double>.FromRows(X);

    private static Tensor<double> Ys()
    {
        var rows = new double[Y.Length, 1];
        for (int i = 0; i < Y.Length; i++)
        {
            rows[i, 0] = Y[i];
        }
        return Tensor<double>.FromRows(rows);
    }

    /// <summary>Independent plain-SGD linear regression with Keras batching: returns (w0, w1, b, epoch losses).</summary>
    private static (double W0, double W1, double B, double[] Losses) Reference(int batchSize, int epochs, double lr, double w0, double w1, double b)
    {
        int n = Y.Length;
        var losses = new double[epochs];
        for (int e = 0; e < epochs; e++)
        {
            double weightedSum = 0;
            for (int start = 0; start < n; start += batchSize)
            {
                int size = Math.Min(batchSize, n - start);
                double loss = 0, g0 = 0, g1 = 0, gb = 0;
                for (int i = start; i < start + size; i++)
                {
                    double err = (X[i, 0] * w0) + (X[i, 1] * w1) + b - Y[i];
                    loss += err * err / size;
                    double d = 2 * err / size; // ∂(mean of squares)/∂prediction
                    g0 += d * X[i, 0];
                    g1 += d * X[i, 1];
                    gb += d;
                }
                weightedSum += loss * size;
                w0 -= lr * g0;
                w1 -= lr * g1;
                b -= lr * gb;
            }
            losses[e] = weightedSum / n;
        }
        return (w0, w1, b, losses);
    }

    [Theory]
    [InlineData(7)] // full batch
    [InlineData(3)] // mini-batch: 3 + 3 + 1 (partial batch kept)
    [InlineData(1)] // stochastic
    public void Fit_MatchesIndependentSgd_ForBatchSize(int batchSize)
    {
        Network<double> net = LinearNet(0.2, -0.1, 0.05);
        net.Compile(new Sgd(learningRate: 0.05), new MeanSquaredError());
        History h = net.Fit(Xs(), Ys(), batchSize: batchSize, epochs: 3, shuffle: false, verbose: 0);

        var expected = Reference(batchSize, 3, 0.05, 0.2, -0.1, 0.05);
        double[][] w = net.GetWeights();
        Assert.Equal(expected.W0, w[0][0], 12);
        Assert.Equal(expected.W1, w[0][1], 12);
        Assert.Equal(expected.B, w[1][0], 12);
        Assert.Equal(3, h["loss"].Count);
        for (int e = 0; e < 3; e++)
        {
            Assert.Equal(expected.Losses[e], h["loss"][e], 12);
        }
    }

    [Fact]
    public void Fit_NumberOfSteps_IsCeilingOfNOverBatch()
    {
        Network<double> net = LinearNet(0.2, -0.1, 0.05);
        var sgd = new Sgd(learningRate: 0.01);
        net.Compile(sgd, new MeanSquaredError());
        net.Fit(Xs(), Ys(), batchSize: 3, epochs: 2, verbose: 0);
        Assert.Equal(2 * 3, sgd.Iterations); // ceil(7/3) = 3 per epoch
    }

    [Fact]
    public void EpochLoss_IsSampleWeightedMean_NotMeanOfBatchMeans()
    {
        // With lr = 0 the weights never move, so the sample-weighted mean of the batch losses equals the
        // loss over the whole set; an unweighted mean of batch means (3 + 3 + 1 samples) would not.
        Network<double> net = LinearNet(0.7, 0.4, -0.2);
        net.Compile(new Sgd(learningRate: 0), new MeanSquaredError(), ["mae"]);
        History h = net.Fit(Xs(), Ys(), batchSize: 3, epochs: 1, shuffle: false, verbose: 0);
        Evaluation all = net.Evaluate(Xs(), Ys(), batchSize: 7);
        Assert.Equal(all.Loss, h["loss"][0], 13);
        Assert.Equal(all["mae"], h["mae"][0], 13);

        double mse = 0;
        for (int i = 0; i < Y.Length; i++)
        {
            double err = (X[i, 0] * 0.7) + (X[i, 1] * 0.4) - 0.2 - Y[i];
            mse += err * err / Y.Length;
        }
        Assert.Equal(mse, h["loss"][0], 13);
    }

    [Fact]
    public void EpochLoss_IsComputedDuringTraining_BeforeEachUpdate()
    {
        // One full-batch epoch reports the loss at the initial weights, not after the step.
        Network<double> net = LinearNet(0.7, 0.4, -0.2);
        net.Compile(new Sgd(learningRate: 0.1), new MeanSquaredError());
        double before = net.Evaluate(Xs(), Ys()).Loss;
        History h = net.Fit(Xs(), Ys(), batchSize: 7, epochs: 1, verbose: 0);
        Assert.Equal(before, h["loss"][0], 13);
        Assert.NotEqual(before, net.Evaluate(Xs(), Ys()).Loss);
    }

    [Fact]
    public void EpochLoss_HasDropoutActive()
    {
        var net = new Network<double>(seed: 4);
        net.Add(new Dense<double>(8, ActivationFunction.Relu, inputDim: 2));
        net.Add(new Dropout<double>(0.5));
        net.Add(new Dense<double>(1));
        net.Compile(new Sgd(learningRate: 0), new MeanSquaredError());
        double inference = net.Evaluate(Xs(), Ys()).Loss;
        History h = net.Fit(Xs(), Ys(), batchSize: 7, epochs: 1, verbose: 0);
        Assert.NotEqual(inference, h["loss"][0]);
    }

    [Fact]
    public void ValidationSplit_TakesTheLastRows_BeforeShuffling()
    {
        // Keras: split_at = int(7 · (1 − 0.3)) = 4; rows 4..6 validate, rows 0..3 train.
        Network<double> a = LinearNet(0.2, -0.1, 0.05);
        a.Compile(new Sgd(learningRate: 0.05), new MeanSquaredError());
        History ha = a.Fit(Xs(), Ys(), batchSize: 2, epochs: 3, validationSplit: 0.3, seed: 9, verbose: 0);

        Network<double> b = LinearNet(0.2, -0.1, 0.05);
        b.Compile(new Sgd(learningRate: 0.05), new MeanSquaredError());
        var (xt, yt) = (Rows(Xs(), 0, 4), Rows(Ys(), 0, 4));
        var (xv, yv) = (Rows(Xs(), 4, 7), Rows(Ys(), 4, 7));
        History hb = b.Fit(xt, yt, batchSize: 2, epochs: 3, validationData: (xv, yv), seed: 9, verbose: 0);

        Assert.Equal(hb["loss"], ha["loss"]);
        Assert.Equal(hb["val_loss"], ha["val_loss"]);
        Assert.Equal(b.GetWeights(), a.GetWeights());
        // The validation loss is the inference loss on the held-out rows at the final weights.
        Assert.Equal(b.Evaluate(xv, yv).Loss, hb["val_loss"][^1], 13);
    }

    [Fact]
    public void Shuffle_SameSeedSameResult_DifferentSeedDifferentResult()
    {
        double[][] Run(int seed)
        {
            Network<double> net = LinearNet(0.2, -0.1, 0.05);
            net.Compile(new Sgd(learningRate: 0.05), new MeanSquaredError());
            net.Fit(Xs(), Ys(), batchSize: 2, epochs: 2, seed: seed, verbose: 0);
            return net.GetWeights();
        }

        Assert.Equal(Run(3), Run(3));
        Assert.NotEqual(Run(3), Run(4));
    }

    [Fact]
    public void Shuffle_DoesNotChangeAFullBatchStep()
    {
        // With one batch per epoch the order of samples only permutes a sum.
        Network<double> a = LinearNet(0.2, -0.1, 0.05);
        a.Compile(new Sgd(learningRate: 0.05), new MeanSquaredError());
        a.Fit(Xs(), Ys(), batchSize: 7, epochs: 1, shuffle: true, seed: 5, verbose: 0);
        var expected = Reference(7, 1, 0.05, 0.2, -0.1, 0.05);
        Assert.Equal(expected.W0, a.GetWeights()[0][0], 12);
    }

    [Fact]
    public void Fit_AfterAddingALayer_UsesTheNewOutputShape()
    {
        var net = new Network<double>(seed: 1);
        net.Add(new Dense<double>(3, ActivationFunction.Relu, inputDim: 2));
        net.Compile(new Sgd(), new MeanSquaredError());
        net.Fit(Xs(), new Tensor<double>(Y.Length, 3), batchSize: 4, verbose: 0);
        net.Add(new Dense<double>(1));
        net.Compile(new Sgd(), new MeanSquaredError());
        History h = net.Fit(Xs(), Ys(), batchSize: 4, verbose: 0);
        Assert.True(double.IsFinite(h["loss"][0]));
        Assert.Equal(new Shape(Y.Length, 1), net.Predict(Xs()).Shape);
    }

    [Fact]
    public void Fit_RejectsBadArguments()
    {
        Network<double> net = LinearNet(0, 0, 0);
        Assert.Throws<InvalidOperationException>(() => net.Fit(Xs(), Ys(), verbose: 0));
        net.Compile("sgd", "mse");
        Assert.Throws<ArgumentOutOfRangeException>(() => net.Fit(Xs(), Ys(), batchSize: 0, verbose: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => net.Fit(Xs(), Ys(), validationSplit: 1.0, verbose: 0));
        Assert.Throws<ArgumentException>(() => net.Fit(Xs(), Ys(), validationSplit: 0.2, validationData: (Xs(), Ys()), verbose: 0));
        var wrongY = new Tensor<double>(7, 2);
        var ex = Assert.Throws<ShapeMismatchException>(() => net.Fit(Xs(), wrongY, verbose: 0));
        Assert.Contains("(7, 2)", ex.Message);
    }

    [Fact]
    public void Fit_Float32_TrainsTheSameWayAsFloat64()
    {
        var net = new Network<float>(seed: 1);
        net.Add(new Dense<float>(1, ActivationFunction.Linear, inputDim: 2));
        net.SetWeights([[0.2, -0.1], [0.05]]);
        net.Compile(new Sgd(learningRate: 0.05), new MeanSquaredError());
        var x = Tensor<float>.FromRows(X);
        var yRows = new double[7, 1];
        for (int i = 0; i < 7; i++)
        {
            yRows[i, 0] = Y[i];
        }
        History h = net.Fit(x, Tensor<float>.FromRows(yRows), batchSize: 3, epochs: 3, shuffle: false, verbose: 0);
        var expected = Reference(3, 3, 0.05, 0.2, -0.1, 0.05);
        Assert.Equal(expected.W0, net.GetWeights()[0][0], 5);
        Assert.Equal(expected.Losses[2], h["loss"][2], 5);
    }

    internal static Tensor<double> Rows(Tensor<double> t, int from, int to)
    {
        double[] all = t.ToArray();
        int cols = t.Columns;
        return Tensor<double>.FromArray(t.Shape.WithoutBatch().WithBatch(to - from), all.AsSpan(from * cols, (to - from) * cols));
    }
}
