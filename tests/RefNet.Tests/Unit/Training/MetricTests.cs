// Metrics compiled into a network: Keras accuracy rules (categorical argmax, binary per element), MSE, MAE
// and log-loss, checked against values computed in the test from the network's own predictions.
using RefNet.Activations;
using RefNet.Backends;
using RefNet.Engine;
using RefNet.Layers;
using RefNet.Losses;
using RefNet.Metrics;
using RefNet.Optimizers;
using RefNet.Tensors;
using Xunit;

namespace RefNet.Tests.Unit.Training;

public class MetricTests
{
    private static readonly double[,] X = { { 1, 0 }, { 0, 1 }, { 1, 1 }, { -1, 2 }, { 2, -1 } };

    private static Network<double> Softmax3()
    {
        var net = new Network<double>();
        net.Add(new Dense<double>(3, ActivationFunction.Softmax, inputDim: 2));
        net.SetWeights([[0.5, -0.2, 0.1, -0.3, 0.8, 0.0], [0.1, 0.0, -0.1]]);
        return net;
    }

    /// <summary>softmax(x·W + b) written out.</summary>
    private static double[][] Probabilities()
    {
        double[,] w = { { 0.5, -0.2, 0.1 }, { -0.3, 0.8, 0.0 } };
        double[] b = [0.1, 0.0, -0.1];
        var p = new double[5][];
        for (int i = 0; i < 5; i++)
        {
            var z = new double[3];
            for (int j = 0; j < 3; j++)
            {
                z[j] = (X[i, 0] * w[0, j]) + (X[i, 1] * w[1, j]) + b[j];
            }
            double max = z.Max();
            double sum = z.Sum(v => Math.Exp(v - max));
            p[i] = z.Select(v => Math.Exp(v - max) / sum).ToArray();
        }
        return p;
    }

    private static readonly int[] Labels = [0, 1, 0, 2, 0];

    private static Tensor<double> OneHot()
    {
        var y = new double[5, 3];
        for (int i = 0; i < 5; i++)
        {
            y[i, Labels[i]] = 1;
        }
        return Tensor<double>.FromRows(y);
    }

    [Fact]
    public void CategoricalMetrics_MatchFormulas()
    {
        Network<double> net = Softmax3();
        net.Compile(new Sgd(0), new CategoricalCrossentropy(), ["accuracy", "mse", "mae", "log_loss"]);
        double[][] p = Probabilities();
        double acc = 0, mse = 0, mae = 0, logLoss = 0;
        for (int i = 0; i < 5; i++)
        {
            int argmax = Array.IndexOf(p[i], p[i].Max());
            acc += argmax == Labels[i] ? 0.2 : 0;
            for (int j = 0; j < 3; j++)
            {
                double t = j == Labels[i] ? 1 : 0;
                mse += (p[i][j] - t) * (p[i][j] - t) / 15;
                mae += Math.Abs(p[i][j] - t) / 15;
            }
            logLoss -= Math.Log(p[i][Labels[i]]) / 5;
        }
        Assert.InRange(acc, 0.1, 0.9); // the case must have right and wrong rows

        var x = Tensor<double>.FromRows(X);
        Evaluation e = net.Evaluate(x, OneHot(), batchSize: 2);
        Assert.Equal(acc, e.Accuracy, 14);
        Assert.Equal(mse, e["mse"], 14);
        Assert.Equal(mae, e["mean_absolute_error"], 14);
        Assert.Equal(logLoss, e["log_loss"], 13);
        Assert.Equal(logLoss, e.Loss, 13); // CCE with nothing clipped

        History h = net.Fit(x, OneHot(), batchSize: 2, epochs: 1, verbose: 0, validationData: (x, OneHot()));
        Assert.Equal(["loss", "acc", "mean_squared_error", "mean_absolute_error", "log_loss", "val_loss", "val_acc", "val_mean_squared_error", "val_mean_absolute_error", "val_log_loss"], h.Values.Keys);
        Assert.Equal(acc, h["acc"][0], 14); // lr = 0: training values equal inference values
        Assert.Equal(mse, h["val_mse"][0], 14);
        Assert.Equal(acc, h["val_accuracy"][0], 14);
    }

    [Fact]
    public void Accuracy_IsBinary_ForOneUnitOrBinaryCrossentropy()
    {
        // Two sigmoid outputs with BCE: binary accuracy, averaged per element (Keras mean(equal(y, round(ŷ)))).
        var net = new Network<double>();
        net.Add(new Dense<double>(2, ActivationFunction.Sigmoid, inputDim: 2));
        net.SetWeights([[1.0, -1.0, 0.5, 2.0], [0.0, -0.5]]);
        var x = Tensor<double>.FromRows(X);
        var y = Tensor<double>.FromRows(new double[,] { { 1, 0 }, { 1, 1 }, { 1, 1 }, { 0, 1 }, { 1, 0 } });
        net.Compile(new Sgd(0), new BinaryCrossentropy(), ["acc"]);
        Assert.Equal(AccuracyKind.Binary, net.AccuracyKind);

        int correct = 0;
        double[] yy = y.ToArray();
        for (int i = 0; i < 5; i++)
        {
            double z0 = X[i, 0] + (0.5 * X[i, 1]);
            double z1 = (-1.0 * X[i, 0]) + (2.0 * X[i, 1]) - 0.5;
            correct += ((1 / (1 + Math.Exp(-z0))) > 0.5 ? 1 : 0) == yy[2 * i] ? 1 : 0;
            correct += ((1 / (1 + Math.Exp(-z1))) > 0.5 ? 1 : 0) == yy[(2 * i) + 1] ? 1 : 0;
        }
        Assert.Equal(correct / 10.0, net.Evaluate(x, y, batchSize: 3).Accuracy, 15);

        // The same outputs with MSE and two units: categorical accuracy (argmax per row).
        net.Compile(new Sgd(0), new MeanSquaredError(), ["acc"]);
        Assert.Equal(AccuracyKind.Categorical, net.AccuracyKind);

        var single = new Network<double>(inputDim: 2, hiddenLayerDims: [], outputDim: 1);
        single.Compile(new Sgd(0), new MeanSquaredError(), ["acc"]);
        Assert.Equal(AccuracyKind.Binary, single.AccuracyKind);
    }

    [Fact]
    public void Evaluate_DeconstructsToLossAndAccuracy()
    {
        Network<double> net = Softmax3();
        net.Compile(new Sgd(0), new CategoricalCrossentropy());
        var (loss, acc) = net.Evaluate(Tensor<double>.FromRows(X), OneHot());
        Assert.True(loss > 0);
        Assert.True(double.IsNaN(acc));
        Assert.Throws<KeyNotFoundException>(() => net.Evaluate(Tensor<double>.FromRows(X), OneHot())["mae"]);
    }

    [Fact]
    public void Compile_RejectsUnknownAndRepeatedMetrics()
    {
        Network<double> net = Softmax3();
        var ex = Assert.Throws<ArgumentException>(() => net.Compile("sgd", "mse", ["f1"]));
        Assert.Contains("f1", ex.Message);
        Assert.Throws<ArgumentException>(() => net.Compile("sgd", "mse", ["acc", "accuracy"]));
        Assert.Equal("mean_squared_error", Metric.FromName("MSE").Key);
    }
}
