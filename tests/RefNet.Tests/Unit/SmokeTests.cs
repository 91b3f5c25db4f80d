// First end-to-end checks: the slides' network builds, counts its parameters and learns.
using RefNet.Engine;
using RefNet.Losses;
using RefNet.Optimizers;
using RefNet.Tensors;
using Xunit;

namespace RefNet.Tests.Unit;

public class SmokeTests
{
    [Fact]
    public void SlidesNetwork_CountsParameters_ByDenseFormula()
    {
        var net = new Network<double>(inputDim: 20, hiddenLayerDims: [10, 5], outputDim: 1);
        // Dense formula in·out + out: 20·10+10, 10·5+5, 5·1+1.
        Assert.Equal(new[] { 210, 55, 6 }, net.Layers.Select(l => l.CountParameters()).ToArray());
    }

    [Fact]
    public void GradientDescent_LowersTheLoss_OnOr()
    {
        var x = Tensor<double>.FromRows(new double[,] { { 0, 0 }, { 0, 1 }, { 1, 0 }, { 1, 1 } });
        var y = Tensor<double>.FromRows(new double[,] { { 0 }, { 1 }, { 1 }, { 1 } });
        var net = new Network<double>(inputDim: 2, hiddenLayerDims: [4], outputDim: 1, seed: 3);
        net.Compile(new Sgd(learningRate: 1.0), new BinaryCrossentropy(), ["accuracy"]);
        double before = net.Evaluate(x, y).Loss;
        History h = net.Fit(x, y, batchSize: 4, epochs: 300, verbose: 0);
        Assert.True(h["loss"][^1] < before / 4, $"loss {before} -> {h["loss"][^1]}");
        Assert.Equal(1.0, net.Evaluate(x, y).Accuracy);
    }
}
