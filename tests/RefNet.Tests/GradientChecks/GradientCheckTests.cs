// One-line gradient checks per op (float64 central differences), plus tests that the checker itself
// fails on deliberately wrong gradients: a checker that cannot fail proves nothing.
using RefNet.Activations;
using RefNet.Backends;
using RefNet.Engine;
using RefNet.Layers;
using RefNet.Losses;
using RefNet.Regularizers;
using RefNet.Tensors;
using RefNet.Tests.Common;
using RefNet.Verification;
using Xunit;

namespace RefNet.Tests.GradientChecks;

public class GradientCheckTests
{
    private static void AssertPasses(GradientCheckResult r) => Assert.True(r.Passed, r.ToString());

    private static GradientCheckResult CheckDense(ActivationKind act, int batch = 3, int inputs = 4, int units = 5, int seed = 1)
    {
        var r = new Random(seed);
        var dense = new Dense<double>(units, act.Function(), inputDim: inputs, name: "dense");
        dense.Build(new Shape(inputs));
        CheckData.FillParameters(dense, r);
        return GradientCheck.Layer(dense, CheckData.DenseInputAwayFromKink(dense, batch, r), seed);
    }

    [Theory]
    [InlineData(ActivationKind.Linear)]
    [InlineData(ActivationKind.Relu)]
    [InlineData(ActivationKind.Sigmoid)]
    [InlineData(ActivationKind.Tanh)]
    [InlineData(ActivationKind.Softmax)]
    public void Dense_MatchesCentralDifferences(ActivationKind act) => AssertPasses(CheckDense(act));

    [Fact]
    public void Dense_WithoutBias_MatchesCentralDifferences() =>
        AssertPasses(GradientCheck.Layer(new Dense<double>(3, useBias: false, inputDim: 4), new Shape(2, 4), seed: 3));

    [Theory]
    [InlineData(ActivationKind.Linear)]
    [InlineData(ActivationKind.Relu)]
    [InlineData(ActivationKind.Sigmoid)]
    [InlineData(ActivationKind.Tanh)]
    [InlineData(ActivationKind.Softmax)]
    public void Activation_MatchesCentralDifferences(ActivationKind act) =>
        AssertPasses(GradientCheck.Layer(new Activation<double>(act.Function(), inputShape: new Shape(6)), new Shape(4, 6), seed: 5));

    [Fact]
    public void Dropout_WithFixedMask_MatchesCentralDifferences()
    {
        var dropout = new Dropout<double>(0.4, seed: 9) { FixedMask = true };
        GradientCheckResult r = GradientCheck.Layer(dropout, new Shape(3, 7), seed: 2);
        AssertPasses(r);
        Assert.Contains(0.0, dropout.Mask!.ToArray()); // the mask really drops something
    }

    [Fact]
    public void Dropout_WithoutFixedMask_IsRejected() =>
        Assert.Throws<ArgumentException>(() => GradientCheck.Layer(new Dropout<double>(0.4, seed: 9), new Shape(3, 7)));

    [Fact]
    public void MeanSquaredError_MatchesCentralDifferences()
    {
        var r = new Random(1);
        AssertPasses(GradientCheck.Loss(new MeanSquaredError(), CheckData.UniformTensor(r, 3, 4, -1, 1), CheckData.UniformTensor(r, 3, 4, -1, 1)));
    }

    [Fact]
    public void MeanAbsoluteError_AwayFromTheKink_MatchesCentralDifferences()
    {
        var r = new Random(2);
        Tensor<double> y = CheckData.UniformTensor(r, 3, 4, -1, 1);
        Tensor<double> diff = CheckData.AwayFromZero(r, 3, 4, 1e-2, 1.0);
        var p = new Tensor<double>(3, 4);
        for (int i = 0; i < p.Length; i++)
        {
            p.Span[i] = y.Span[i] + diff.Span[i];
        }
        AssertPasses(GradientCheck.Loss(new MeanAbsoluteError(), p, y));
    }

    [Theory]
    [InlineData(Reduction.SumOverBatchSize)]
    [InlineData(Reduction.Sum)]
    public void BinaryCrossentropy_MatchesCentralDifferences(Reduction reduction)
    {
        var r = new Random(3);
        AssertPasses(GradientCheck.Loss(new BinaryCrossentropy(reduction), CheckData.UniformTensor(r, 3, 2, 0.05, 0.95), CheckData.Binary(r, 3, 2)));
    }

    [Fact]
    public void CategoricalCrossentropy_OnSoftmaxRows_MatchesCentralDifferences()
    {
        var r = new Random(4);
        AssertPasses(GradientCheck.Loss(new CategoricalCrossentropy(), CheckData.SoftmaxRows(r, 3, 4), CheckData.OneHot(r, 3, 4)));
    }

    [Fact]
    public void CategoricalCrossentropy_OnUnnormalisedPositiveRows_MatchesCentralDifferences()
    {
        // Keras renormalises rows before the log; the gradient must include the renormalisation.
        var r = new Random(5);
        AssertPasses(GradientCheck.Loss(new CategoricalCrossentropy(), CheckData.UniformTensor(r, 3, 4, 0.1, 2.0), CheckData.SoftmaxRows(r, 3, 4)));
    }

    [Fact]
    public void Network_WithL1AndL2Regularizers_MatchesCentralDifferences()
    {
        var r = new Random(6);
        var net = new Network<double>(seed: 1);
        net.Add(new Dense<double>(4, ActivationFunction.Tanh, inputDim: 3, kernelRegularizer: new Regularizer(l1: 0.5), biasRegularizer: new Regularizer(l2: 0.4)));
        net.Add(new Dropout<double>(0.3, seed: 4) { FixedMask = true });
        net.Add(new Dense<double>(2, ActivationFunction.Softmax, kernelRegularizer: new Regularizer(l1: 0.1, l2: 0.4)));
        foreach (Layer<double> l in net.Layers)
        {
            CheckData.FillParameters(l, r);
        }
        GradientCheckResult result = GradientCheck.Network(net, new CategoricalCrossentropy(), CheckData.UniformTensor(r, 4, 3, -1, 1), CheckData.OneHot(r, 4, 2));
        AssertPasses(result);
        Assert.True(net.RegularizationPenalty() > 0);
    }

    [Fact]
    public void SlidesNetwork_WithSummedBce_MatchesCentralDifferences()
    {
        var net = new Network<double>(2, [4, 3], 1, seed: 1);
        var x = Tensor<double>.FromRows(new double[,] { { 5, 2 }, { 1, 0 }, { 3, 1 } });
        var y = Tensor<double>.FromRows(new double[,] { { 0 }, { 1 }, { 1 } });
        AssertPasses(GradientCheck.Network(net, new BinaryCrossentropy(Reduction.Sum), x, y));
    }

    [Fact]
    public void Check_LeavesInputAndParametersBitIdentical()
    {
        var dense = new Dense<double>(3, ActivationFunction.Sigmoid, inputDim: 4, seed: 2, name: "dense");
        dense.Build(new Shape(4));
        Tensor<double> x = CheckData.UniformTensor(new Random(1), 2, 4, -1, 1);
        double[] before = x.ToArray();
        double[] kernel = dense.Kernel.Value.ToArray();
        AssertPasses(GradientCheck.Layer(dense, x));
        Assert.Equal(before, x.ToArray());
        Assert.Equal(kernel, dense.Kernel.Value.ToArray());
    }

    // ---- the checker must be able to fail ---------------------------------------------------

    [Fact]
    public void PlantedBug_OneKernelGradientElementOffByRelative1e4_Fails()
    {
        var layer = new BuggyLinear(3, BuggyLinear.Bug.KernelElement) { Name = "buggy" };
        GradientCheckResult r = GradientCheck.Layer(layer, new Shape(2, 4), seed: 1);
        Assert.False(r.Passed, r.ToString());
        Assert.Equal("buggy/kernel", r.WorstTensor);
        Assert.Equal(layer.BuggedIndex, r.WorstIndex);
        Assert.StartsWith("FAIL", r.ToString());
    }

    [Fact]
    public void PlantedBug_InputGradientScaledBy1PlusE5_Fails()
    {
        GradientCheckResult r = GradientCheck.Layer(new BuggyLinear(3, BuggyLinear.Bug.InputScale) { Name = "buggy" }, new Shape(2, 4), seed: 1);
        Assert.False(r.Passed, r.ToString());
        Assert.Equal("input", r.WorstTensor);
    }

    [Fact]
    public void PlantedBug_GradientNotMultipliedByUpstream_Fails()
    {
        GradientCheckResult r = GradientCheck.Layer(new BuggyLinear(3, BuggyLinear.Bug.IgnoresZeroUpstream) { Name = "buggy" }, new Shape(2, 4), seed: 1);
        Assert.False(r.Passed, r.ToString());
        Assert.NotNull(r.Problem);
    }

    [Fact]
    public void PlantedBug_GradientAccumulatesAcrossBackwardCalls_Fails()
    {
        // dW += instead of dW = : the first Backward is right, a second one is not (the G7 rule: Backward overwrites).
        GradientCheckResult r = GradientCheck.Layer(new BuggyLinear(3, BuggyLinear.Bug.AccumulatesKernelGradient) { Name = "buggy" }, new Shape(2, 4), seed: 1);
        Assert.False(r.Passed, r.ToString());
        Assert.Contains("reentrant", r.Problem);
    }

    [Fact]
    public void PlantedBug_Control_CorrectLinearLayerPasses() =>
        AssertPasses(GradientCheck.Layer(new BuggyLinear(3, BuggyLinear.Bug.None) { Name = "correct" }, new Shape(2, 4), seed: 1));

    /// <summary>y = x·W with an optional deliberate error in Backward (test-only layer).</summary>
    private sealed class BuggyLinear(int units, BuggyLinear.Bug bug) : Layer<double>(null, null)
    {
        public enum Bug { None, KernelElement, InputScale, IgnoresZeroUpstream, AccumulatesKernelGradient }

        private Tensor<double>? _input;
        private Tensor<double>? _output;
        private Tensor<double>? _dx;
        private Parameter<double> _kernel = null!;

        public int[] BuggedIndex { get; private set; } = [];

        public new string? Name { set => base.Name = value; }

        public override Shape ComputeOutputShape(Shape inputShape) => new(units);

        protected override void OnBuild(Shape inputShape) =>
            _kernel = AddParameter("kernel", new Shape(inputShape[0], units), new RefNet.Initializers.GlorotUniform(), new Random(3));

        public override Tensor<double> Forward(Tensor<double> input, bool training)
        {
            _input = input;
            Tensor<double> y = Buffer(ref _output, new Shape(input.Rows, units));
            Backend.MatMul(input, false, _kernel.Value, false, y, 1, 0);
            return y;
        }

        public override Tensor<double> Backward(Tensor<double> outputGradient)
        {
            Backend.MatMul(_input!, true, outputGradient, false, _kernel.Gradient, 1, bug == Bug.AccumulatesKernelGradient ? 1 : 0);
            Tensor<double> dx = Buffer(ref _dx, _input!.Shape);
            Backend.MatMul(outputGradient, false, _kernel.Value, true, dx, 1, 0);
            switch (bug)
            {
                case Bug.KernelElement:
                    // Perturb the largest kernel-gradient element by a relative 1e-4.
                    Span<double> g = _kernel.Gradient.Span;
                    int worst = 0;
                    for (int i = 1; i < g.Length; i++)
                    {
                        worst = Math.Abs(g[i]) > Math.Abs(g[worst]) ? i : worst;
                    }
                    g[worst] *= 1 + 1e-4;
                    BuggedIndex = BuggedIndex.Length == 0 ? [worst / units, worst % units] : BuggedIndex;
                    break;
                case Bug.InputScale:
                    Backend.Scale(dx, 1 + 1e-5, dx);
                    break;
                case Bug.IgnoresZeroUpstream:
                    dx.Span[0] += outputGradient.ToArray().All(v => v == 0) ? 1e-3 : 0;
                    break;
            }
            return dx;
        }
    }
}
