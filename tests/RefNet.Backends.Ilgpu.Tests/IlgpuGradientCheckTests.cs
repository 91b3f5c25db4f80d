// Float64 gradient checks of a whole network whose layers all run on the ILGPU backend (CPU accelerator):
// the GPU code path's Backward must match central differences of its own Forward.
using RefNet.Tests;
using RefNet.Activations;
using RefNet.Backends.Ilgpu;
using RefNet.Engine;
using RefNet.Layers;
using RefNet.Losses;
using RefNet.Regularizers;
using RefNet.Tensors;
using RefNet.Verification;
using Xunit;

namespace RefNet.Backends.Ilgpu.Tests;

[Collection("Ilgpu")]
public class IlgpuGradientCheckTests(IlgpuFixture fixture)
{
    [Theory]
    [InlineData(ActivationKind.Sigmoid)]
    [InlineData(ActivationKind.Softmax)]
    public void Network_OnIlgpu_MatchesCentralDifferences(ActivationKind output)
    {
        IBackend<double> backend = fixture.Get<double>(IlgpuDevice.Cpu)!;
        var net = new Network<double>(backend, seed: 3);
        net.Add(new Dense<double>(5, ActivationFunction.Tanh, inputDim: 4, kernelRegularizer: new Regularizer(l2: 0.4)));
        net.Add(new Dropout<double>(0.3, seed: 2) { FixedMask = true });
        net.Add(new Dense<double>(3, output.Function()));
        var random = new Random(5);
        var x = new Tensor<double>(3, 4);
        for (int i = 0; i < x.Length; i++)
        {
            x.Span[i] = (random.NextDouble() * 2) - 1;
        }
        var y = Tensor<double>.FromRows(new double[,] { { 1, 0, 0 }, { 0, 0, 1 }, { 0, 1, 0 } });
        Loss loss = output == ActivationKind.Softmax ? new CategoricalCrossentropy() : new BinaryCrossentropy();
        GradientCheckResult result = GradientCheck.Network(net, loss, x, y);
        Assert.True(result.Passed, result.ToString());
    }
}
