// README's quick-start snippet, run as written: the slides' network must fit the 3-observation example.
using RefNet.Engine;
using RefNet.Losses;
using RefNet.Optimizers;
using RefNet.Tensors;
using Xunit;

namespace RefNet.Tests.Unit;

public class QuickStartTests
{
    [Fact]
    public void ReadmeQuickStart_FitsTheSlidesExample()
    {
        var x = Tensor<double>.FromRows(new double[,] { { 5, 2 }, { 1, 0 }, { 3, 1 } });
        var y = Tensor<double>.FromRows(new double[,] { { 0 }, { 1 }, { 1 } });
        var net = new Network<double>(inputDim: 2, hiddenLayerDims: [4, 3], outputDim: 1, seed: 1);
        string summary = net.Summary();
        net.Compile(new Sgd(learningRate: 0.5), new BinaryCrossentropy(Reduction.Sum), ["accuracy"]);
        History history = net.Fit(x, y, batchSize: 3, epochs: 500, shuffle: false, verbose: 0);
        Tensor<double> yHat = net.Predict(x);

        // Parameter count by the Dense formula in·out + out: 2·4+4, 4·3+3, 3·1+1.
        Assert.Contains("Total params: 31", summary);
        Assert.True(history["loss"][^1] < history["loss"][0] / 10, $"J {history["loss"][0]} -> {history["loss"][^1]}");
        double[] p = yHat.ToDoubleArray();
        Assert.True(p[0] < 0.5 && p[1] > 0.5 && p[2] > 0.5, $"ŷ = [{string.Join(", ", p)}]");
    }
}
