// Edge points as tests: the kinks and thresholds where random draws never land (MAE at ŷ = y, the cross-entropy clip
// boundaries, dropout's integer threshold), and a network whose loss makes softmax's dot term matter.
using RefNet.Activations;
using RefNet.Backends;
using RefNet.Engine;
using RefNet.Layers;
using RefNet.Losses;
using RefNet.Tensors;
using RefNet.Tests.Common;
using RefNet.Verification;
using Xunit;

namespace RefNet.Tests.GradientChecks;

public class EdgePointTests
{
    private static double[] Gradient(Loss loss, double[] p, double[] y)
    {
        IBackend<double> b = ReferenceBackend<double>.Instance;
        var shape = new Shape(1, p.Length);
        Tensor<double> g = b.Allocate(shape);
        loss.Gradient(b, Tensor<double>.FromArray(shape, p), Tensor<double>.FromArray(shape, y), g);
        return g.ToArray();
    }

    [Fact]
    public void Mae_AtATie_HasZeroGradient_AsTensorFlowsSign()
    {
        // TensorFlow: ∂|x|/∂x = sign(x), sign(0) = 0. So ŷ = y exactly contributes nothing.
        Assert.Equal(new[] { 0.0, 0.5, -0.5, 0.0 }, Gradient(new MeanAbsoluteError(), [1, 2, -1, 0], [1, 1, 0, 0]).Select(v => v * 2));
    }

    [Theory]
    [InlineData(0.5, false)]
    [InlineData(0.9, false)]
    [InlineData(1.0, true)] // exactly ε: the gradient passes (TensorFlow's _ClipByValueGrad in python/ops/clip_ops.py zeroes only x < min and x > max)
    [InlineData(1.1, true)]
    [InlineData(2.0, true)]
    [InlineData(20.0, true)]
    public void Bce_NearTheClip_GradientIsZeroOutsideAndTheFormulaInside(double timesEpsilon, bool inside)
    {
        const double eps = 1e-7;
        double p = timesEpsilon * eps;
        foreach (double target in new[] { 0.0, 1.0 })
        {
            double g = Gradient(new BinaryCrossentropy(), [p], [target])[0];
            double expected = inside ? (p - target) / (p * (1 - p)) : 0;
            Assert.True(Math.Abs(g - expected) <= 1e-12 * Math.Abs(expected), $"p = {timesEpsilon}ε, y = {target}: {g} vs {expected}");
            // The mirror point 1 − p behaves the same way.
            double gm = Gradient(new BinaryCrossentropy(), [1 - p], [target])[0];
            double q = 1 - p;
            double expectedMirror = inside ? (q - target) / (q * (1 - q)) : 0;
            Assert.True(Math.Abs(gm - expectedMirror) <= 1e-6 * Math.Abs(expectedMirror), $"p = 1 − {timesEpsilon}ε, y = {target}: {gm} vs {expectedMirror}");
        }
    }

    [Theory]
    [InlineData(0.5, false)]
    [InlineData(1.1, true)]
    [InlineData(20.0, true)]
    public void Cce_NearTheClip_TheTrueClassTermFollowsTheClip(double timesEpsilon, bool inside)
    {
        const double eps = 1e-7;
        double q = timesEpsilon * eps;
        // A row that sums to 1 with the true class at q: u = −1/q inside the clip, 0 outside; ∂L/∂p_k = u·(δ_k0 − q).
        double[] p = [q, 1 - q];
        double[] g = Gradient(new CategoricalCrossentropy(), p, [1, 0]);
        double u = inside ? -1 / q : 0;
        Assert.True(Math.Abs(g[0] - (u * (1 - q))) <= 1e-9 * Math.Abs(u), $"{timesEpsilon}ε: {g[0]} vs {u * (1 - q)}");
        Assert.True(Math.Abs(g[1] - (u * -q)) <= 1e-9 * (Math.Abs(u * q) + 1e-300), $"{timesEpsilon}ε: {g[1]} vs {u * -q}");
    }

    [Fact]
    public void DropoutThreshold_KeepsExactlyTheValuesAtOrAboveRate_AroundTheBoundary()
    {
        // keep ⇔ h·2⁻²⁴ ≥ rate for the 24-bit h; the integer form must agree at every h near ⌈rate·2²⁴⌉.
        var r = new Random(1);
        double[] rates = [.. new[] { 0.1, 0.2, 0.25, 0.3, 0.5, 0.75, 0.9, 1.0 / 3, 1e-7, 0.9999999 }.Concat(Enumerable.Range(0, 200).Select(_ => r.NextDouble()))];
        foreach (double rate in rates)
        {
            foreach (double rateT in new[] { rate, (double)(float)rate })
            {
                ulong threshold = DropoutMask<double>.Threshold(rateT);
                long center = (long)threshold;
                for (long h = Math.Max(0, center - 3); h <= Math.Min((1L << 24) - 1, center + 3); h++)
                {
                    bool byInteger = (ulong)h >= threshold;
                    bool byDefinition = h * (1.0 / 16777216.0) >= rateT;
                    Assert.True(byInteger == byDefinition, $"rate {rateT:R}, h {h}: integer test {byInteger}, definition {byDefinition}");
                }
            }
        }
        Assert.Equal(0UL, DropoutMask<double>.Threshold(0));
    }

    [Fact]
    public void Network_SoftmaxThenMse_MatchesCentralDifferences_WhereTheDotTermMatters()
    {
        // After softmax, CCE's gradient g satisfies ⟨g, s⟩ = const per row, which hides a wrong dot term; MSE does not.
        var net = new Network<double>(ReferenceBackend<double>.Instance, seed: 4);
        net.Add(new Dense<double>(4, ActivationFunction.Tanh, inputDim: 3));
        net.Add(new Dense<double>(3, ActivationFunction.Softmax));
        var r = new Random(9);
        Tensor<double> x = CheckData.UniformTensor(r, 5, 3, -1, 1);
        Tensor<double> y = CheckData.UniformTensor(r, 5, 3, 0, 1);
        GradientCheckResult result = GradientCheck.Network(net, new MeanSquaredError(), x, y);
        Assert.True(result.Passed, result.ToString());
    }
}
