// Property: every layer's Backward matches float64 central differences for random shapes and seeds.
using RefNet.Activations;
using FsCheck.Xunit;
using RefNet.Backends;
using RefNet.Layers;
using RefNet.Tensors;
using RefNet.Tests.Common;
using RefNet.Verification;
using Xunit;

namespace RefNet.Tests.Properties;

public class LayerGradientProperties
{
    [RefNetProperty]
    public void Dense_WithEveryActivation_MatchesCentralDifferences(ShapeCase c)
    {
        PropertyCanary.Record();
        foreach (ActivationFunction act in Enum.GetValues<ActivationKind>().Select(k => k.Function()))
        {
            var r = new Random(c.Seed);
            var dense = new Dense<double>(c.Units, act, inputDim: c.Inputs, name: $"dense_{act}");
            dense.Build(new Shape(c.Inputs));
            CheckData.FillParameters(dense, r);
            Tensor<double> x = CheckData.DenseInputAwayFromKink(dense, c.Batch, r);
            GradientCheckResult result = GradientCheck.Layer(dense, x, c.Seed);
            Assert.True(result.Passed, $"{c}: {result}");
        }
    }

    [RefNetProperty]
    public void ActivationLayer_OfEveryKind_MatchesCentralDifferences(ShapeCase c)
    {
        foreach (ActivationFunction act in Enum.GetValues<ActivationKind>().Select(k => k.Function()))
        {
            var r = new Random(c.Seed);
            var layer = new Activation<double>(act, name: $"activation_{act}", inputShape: new Shape(c.Units));
            // Values in ±[1e-3, 3]: the ReLU kink at 0 stays ≫ 2h away.
            Tensor<double> x = CheckData.AwayFromZero(r, c.Batch, c.Units, 1e-3, 3.0);
            GradientCheckResult result = GradientCheck.Layer(layer, x, c.Seed);
            Assert.True(result.Passed, $"{c}: {result}");
        }
    }

    [RefNetProperty]
    public void Dropout_WithFixedMask_MatchesCentralDifferences(ShapeCase c)
    {
        var r = new Random(c.Seed);
        double rate = CheckData.Uniform(r, 0.05, 0.8);
        var dropout = new Dropout<double>(rate, seed: c.Seed, name: "dropout") { FixedMask = true };
        dropout.Build(new Shape(c.Units));
        GradientCheckResult result = GradientCheck.Layer(dropout, CheckData.UniformTensor(r, c.Batch, c.Units, -1, 1), c.Seed);
        Assert.True(result.Passed, $"{c}, rate {rate}: {result}");
    }
}
