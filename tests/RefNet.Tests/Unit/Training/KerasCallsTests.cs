// The Keras calls people expect: train_on_batch / test_on_batch / predict_on_batch, layer.get_weights / set_weights with
// shape checks (a transposed kernel is refused), and an input shape on any first layer (Dropout(input_shape=…)).
using RefNet.Activations;
using RefNet.Engine;
using RefNet.Layers;
using RefNet.Losses;
using RefNet.Optimizers;
using RefNet.Serialization;
using RefNet.Tensors;
using Xunit;

namespace RefNet.Tests.Unit.Training;

public sealed class KerasCallsTests
{
    private static Tensor<double> Rows(Tensor<double> t, int start, int count)
    {
        int width = t.Length / t.Rows;
        return Tensor<double>.FromArray(t.Shape.WithoutBatch().WithBatch(count), t.ToArray().AsSpan(start * width, count * width));
    }

    private static (Tensor<double> X, Tensor<double> Y) Data()
    {
        var random = new Random(3);
        var x = new Tensor<double>(12, 3);
        var y = new Tensor<double>(12, 2);
        for (int i = 0; i < 12; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                x.Span[(i * 3) + j] = (random.NextDouble() * 2) - 1;
            }
            y.Span[(i * 2) + random.Next(2)] = 1;
        }
        return (x, y);
    }

    private static Network<double> Model()
    {
        var net = new Sequential<double>(seed: 4);
        net.Add(new Dense<double>(4, ActivationFunction.Tanh, inputDim: 3, name: "hidden"));
        net.Add(new Dense<double>(2, ActivationFunction.Softmax, name: "out"));
        net.Compile(new Adam(0.05), new CategoricalCrossentropy(), ["accuracy"]);
        return net;
    }

    [Fact]
    public void TrainOnBatch_BatchByBatch_IsFitWithoutShuffling_AndReportsTheLossBeforeTheStep()
    {
        (Tensor<double> x, Tensor<double> y) = Data();
        Network<double> fit = Model();
        fit.Fit(x, y, batchSize: 4, epochs: 2, shuffle: false, verbose: 0);
        Network<double> manual = Model();
        for (int epoch = 0; epoch < 2; epoch++)
        {
            for (int start = 0; start < 12; start += 4)
            {
                Tensor<double> bx = Rows(x, start, 4), by = Rows(y, start, 4);
                Evaluation before = manual.TestOnBatch(bx, by); // no dropout: inference = training forward
                Evaluation step = manual.TrainOnBatch(bx, by);
                Assert.Equal(before.Loss, step.Loss);
                Assert.Equal(before.Accuracy, step.Accuracy);
            }
        }
        Assert.Equal(fit.WeightsHash(), manual.WeightsHash());
        Assert.Equal(6, manual.Optimizer!.Iterations);
    }

    [Fact]
    public void TestOnBatch_AndPredictOnBatch_AreEvaluateAndPredictOfThatBatch()
    {
        (Tensor<double> x, Tensor<double> y) = Data();
        Network<double> net = Model();
        Assert.Equal(net.Evaluate(x, y, batchSize: 12).Loss, net.TestOnBatch(x, y).Loss);
        Assert.Equal(net.Predict(x).ToArray(), net.PredictOnBatch(x).ToArray());
        Assert.Throws<InvalidOperationException>(() => new Sequential<double>().TrainOnBatch(x, y));
        var e = Assert.Throws<ShapeMismatchException>(() => net.TrainOnBatch(Rows(x, 0, 4), new Tensor<double>(4, 3)));
        Assert.Contains("Dense 'out'", e.Message);
    }

    [Fact]
    public void LayerGetWeights_HaveShapes_AndSetWeights_RefusesATransposedKernel_ChangingNothing()
    {
        Network<double> net = Model();
        Layer<double> hidden = net.Layers[0];
        Tensor<double>[] w = hidden.GetWeights();
        Assert.Equal([3, 4], w[0].Shape.ToArray());
        Assert.Equal([4], w[1].Shape.ToArray());
        string before = net.WeightsHash();
        var transposed = new Tensor<double>(4, 3);
        var e = Assert.Throws<ShapeMismatchException>(() => hidden.SetWeights([transposed, w[1]]));
        Assert.Contains("Dense 'hidden' weight 'hidden/kernel': expected shape (3, 4) but got (4, 3)", e.Message);
        Assert.Equal(before, net.WeightsHash());
        Assert.Contains("has 2 weights", Assert.Throws<ArgumentException>(() => hidden.SetWeights([w[0]])).Message);
        // The network-level overload checks shapes too; the flat double[][] one cannot (a transposed kernel has the right length).
        Tensor<double>[] all = [.. net.Layers.SelectMany(l => l.GetWeights())];
        all[0] = transposed;
        Assert.Throws<ShapeMismatchException>(() => net.SetWeights(all));
        Assert.Equal(before, net.WeightsHash());
        var ones = Tensor<double>.FromArray(new Shape(3, 4), Enumerable.Repeat(1.0, 12).ToArray());
        hidden.SetWeights([ones, w[1]]);
        Assert.Equal(Enumerable.Repeat(1.0, 12), net.Parameters[0].Value.ToArray());
    }

    [Fact]
    public void Dropout_CanBeTheFirstLayer_AndItsInputShapeSurvivesTheModelJson()
    {
        var net = new Sequential<double>(seed: 1);
        net.Add(new Dropout<double>(0.2, inputShape: new Shape(3)));
        net.Add(new Dense<double>(2, ActivationFunction.Softmax));
        Assert.Equal([3], net.InputShape!.ToArray());
        Network<double> again = ModelConfig.FromJson<double>(ModelConfig.ToJson(net));
        Assert.Equal([3], again.InputShape!.ToArray());
        Assert.IsType<Dropout<double>>(again.Layers[0]);
        net.Compile(new Sgd(0.1), new CategoricalCrossentropy());
        (Tensor<double> x, Tensor<double> y) = Data();
        Assert.True(double.IsFinite(net.Fit(x, y, batchSize: 4, epochs: 1, verbose: 0)["loss"][0]));
    }
}
