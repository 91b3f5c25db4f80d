// Property: L1/L2 penalties and whole networks (Dense → Dropout → Dense + loss) match central differences.
using RefNet.Activations;
using FsCheck.Xunit;
using RefNet.Backends;
using RefNet.Engine;
using RefNet.Layers;
using RefNet.Losses;
using RefNet.Regularizers;
using RefNet.Tensors;
using RefNet.Tests.Common;
using RefNet.Verification;
using Xunit;

namespace RefNet.Tests.Properties;

public class NetworkGradientProperties
{
    [RefNetProperty]
    public void L1AndL2Regularizers_ThroughDense_MatchCentralDifferences(ShapeCase c)
    {
        var r = new Random(c.Seed);
        // DL4J's large penalties (L2 0.4, L1 0.5) so the penalty gradient is not negligible next to the data loss.
        var net = new Network<double>(seed: c.Seed);
        net.Add(new Dense<double>(c.Units, ActivationFunction.Tanh, inputDim: c.Inputs,
            kernelRegularizer: new Regularizer(l1: 0.5), biasRegularizer: new Regularizer(l2: 0.4)));
        net.Add(new Dense<double>(1, ActivationFunction.Linear, kernelRegularizer: new Regularizer(l1: 0.2, l2: 0.4)));
        foreach (Layer<double> l in net.Layers)
        {
            CheckData.FillParameters(l, r); // |w| ≥ 0.1: far from the L1 kink
        }
        Tensor<double> x = CheckData.UniformTensor(r, c.Batch, c.Inputs, -1, 1);
        Tensor<double> y = CheckData.UniformTensor(r, c.Batch, 1, -1, 1);
        var loss = new MeanSquaredError();

        // Total loss = data loss + Σ penalties, with the penalty computed independently here.
        double data = loss.Value(net.Backend, net.Forward(x), y);
        double penalty = 0;
        foreach (Parameter<double> p in net.Parameters)
        {
            if (p.Regularizer is null)
            {
                continue;
            }
            double[] w = p.Value.ToArray();
            penalty += (p.Regularizer.L1 * w.Sum(Math.Abs)) + (p.Regularizer.L2 * w.Sum(v => v * v));
        }
        Assert.Equal(penalty, net.RegularizationPenalty(), 12);
        Assert.True(penalty > 0 && data >= 0, "the penalty is part of the objective");

        GradientCheckResult result = GradientCheck.Network(net, loss, x, y, includeRegularization: true);
        Assert.True(result.Passed, $"{c}: {result}");
    }

    [RefNetProperty]
    public void DenseDropoutDenseSoftmax_WithCrossentropy_MatchesCentralDifferences(ShapeCase c)
    {
        var r = new Random(c.Seed);
        int classes = Math.Max(2, c.Units);
        var net = new Network<double>(seed: c.Seed);
        net.Add(new Dense<double>(c.Inputs + 1, ActivationFunction.Sigmoid, inputDim: c.Inputs));
        net.Add(new Dropout<double>(0.3, seed: c.Seed) { FixedMask = true });
        net.Add(new Dense<double>(classes, ActivationFunction.Softmax));
        Tensor<double> x = CheckData.UniformTensor(r, c.Batch, c.Inputs, -1, 1);
        GradientCheckResult result = GradientCheck.Network(net, new CategoricalCrossentropy(), x, CheckData.OneHot(r, c.Batch, classes));
        Assert.True(result.Passed, $"{c}: {result}");
    }
}
