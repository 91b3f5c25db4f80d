// Every activation in the registry: values against its written-out formula at hand-picked points (kinks included),
// gradient checks on the reference and fast backends, and the fast backend bitwise equal to the reference.
using RefNet.Activations;
using RefNet.Backends;
using RefNet.Layers;
using RefNet.Tensors;
using RefNet.Verification;
using Xunit;

namespace RefNet.Tests.Activations;

public class ActivationFunctionTests
{
    public static TheoryData<string> Names()
    {
        var d = new TheoryData<string>();
        foreach (string n in ActivationFunction.Names)
        {
            d.Add(n);
        }
        return d;
    }

    private static double[] Forward(ActivationFunction f, double[] x)
    {
        IBackend<double> b = ReferenceBackend<double>.Instance;
        Tensor<double> y = b.Allocate(new Shape(1, x.Length));
        f.Forward(b, Tensor<double>.FromArray(new Shape(1, x.Length), x), y);
        return y.ToArray();
    }

    private static double[] Derivative(ActivationFunction f, double[] x)
    {
        IBackend<double> b = ReferenceBackend<double>.Instance;
        var shape = new Shape(1, x.Length);
        Tensor<double> xt = Tensor<double>.FromArray(shape, x);
        Tensor<double> y = b.Allocate(shape);
        f.Forward(b, xt, y);
        Tensor<double> dx = b.Allocate(shape);
        f.Backward(b, xt, y, Tensor<double>.FromArray(shape, [.. Enumerable.Repeat(1.0, x.Length)]), dx);
        return dx.ToArray();
    }

    [Fact]
    public void Registry_FindsEveryActivation_ByItsKerasName()
    {
        Assert.Equal(
            new[] { "elu", "hard_sigmoid", "leaky_relu", "linear", "relu", "selu", "sigmoid", "softmax", "softplus", "softsign", "tanh" },
            ActivationFunction.Names);
        Assert.IsType<HardSigmoid>(ActivationFunction.FromName("Hard_Sigmoid"));
        Assert.Same(ActivationFunction.Relu, ActivationFunction.FromName("relu"));
        Assert.Same(ActivationFunction.Linear, ActivationFunction.FromName(null));
        var e = Assert.Throws<ArgumentException>(() => ActivationFunction.FromName("swish"));
        Assert.Contains("hard_sigmoid", e.Message);
    }

    [Fact]
    public void HardSigmoid_IsClipOfPointTwoXPlusHalf_WithSlopeAtTheKinks()
    {
        double[] x = [-3, -2.5, -1, 0, 1, 2.5, 3];
        Assert.Equal(new[] { 0, 0, 0.3, 0.5, 0.7, 1, 1 }, Forward(new HardSigmoid(), x).Select(v => Math.Round(v, 12)));
        // TensorFlow's clip_by_value passes the gradient where the value equals a bound: 0.2 at z = ±2.5.
        Assert.Equal(new[] { 0, 0.2, 0.2, 0.2, 0.2, 0.2, 0 }, Derivative(new HardSigmoid(), x));
    }

    [Fact]
    public void Elu_Selu_LeakyRelu_Softplus_Softsign_MatchTheirFormulas()
    {
        double[] x = [-2, -0.5, 0, 0.5, 2];
        Assert.Equal(x.Select(v => v > 0 ? v : Math.Exp(v) - 1), Forward(new Elu(), x));
        Assert.Equal(x.Select(v => v > 0 ? 1 : 0.5 * Math.Exp(v)), Derivative(new Elu(alpha: 0.5), x));
        const double a = 1.6732632423543772848170429916717, l = 1.0507009873554804934193349852946;
        Near(x.Select(v => l * (v > 0 ? v : a * (Math.Exp(v) - 1))), Forward(new Selu(), x));
        Near(x.Select(v => v > 0 ? l : l * a * Math.Exp(v)), Derivative(new Selu(), x));
        Assert.Equal(new[] { -0.6, -0.15, 0, 0.5, 2 }, Forward(new LeakyRelu(), x).Select(v => Math.Round(v, 12)));
        Assert.Equal(new[] { 0.3, 0.3, 0.3, 1, 1 }, Derivative(new LeakyRelu(), x)); // α at 0, as TensorFlow
        Near(x.Select(v => Math.Log(1 + Math.Exp(v))), Forward(new Softplus(), x));
        Near(x.Select(v => 1 / (1 + Math.Exp(-v))), Derivative(new Softplus(), x));
        Assert.Equal(x.Select(v => v / (1 + Math.Abs(v))), Forward(new Softsign(), x));
        Assert.Equal(x.Select(v => 1 / ((1 + Math.Abs(v)) * (1 + Math.Abs(v)))), Derivative(new Softsign(), x));
        // softplus stays finite where e^z overflows.
        Assert.Equal(1000.0, Forward(new Softplus(), [1000])[0]);
    }

    private static void Near(IEnumerable<double> expected, double[] actual)
    {
        double[] e = [.. expected];
        Assert.Equal(e.Length, actual.Length);
        for (int i = 0; i < e.Length; i++)
        {
            Assert.True(Math.Abs(e[i] - actual[i]) <= 1e-15 * (1 + Math.Abs(e[i])), $"[{i}] expected {e[i]}, got {actual[i]}");
        }
    }

    [Fact]
    public void Relu_PropagatesNaN_AsTensorFlowDoes()
    {
        Assert.True(double.IsNaN(Forward(ActivationFunction.Relu, [double.NaN])[0]));
        Tensor<double> y = CpuBackend<double>.Instance.Allocate(new Shape(1, 9));
        CpuBackend<double>.Instance.Map(Tensor<double>.FromArray(new Shape(1, 9), [1, -1, 0, -0.0, double.NaN, 2, 3, 4, 5]), y, default(Relu.Function<double>));
        Assert.True(double.IsNaN(y.ToArray()[4])); // the vector lane too
        Assert.Equal(0.0, y.ToArray()[3]);
        Assert.False(double.IsNegative(y.ToArray()[3])); // −0 becomes +0
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void ActivationLayer_MatchesCentralDifferences_OnReferenceAndFastBackends(string name)
    {
        ActivationFunction f = ActivationFunction.FromName(name);
        foreach (IBackend<double> backend in new IBackend<double>[] { ReferenceBackend<double>.Instance, CpuBackend<double>.Instance })
        {
            var r = new Random(name.Length);
            var layer = new Activation<double>(f, name: $"activation_{name}", inputShape: new Shape(5));
            layer.UseBackend(backend);
            var x = new Tensor<double>(3, 5);
            for (int i = 0; i < x.Length; i++)
            {
                double v;
                do
                {
                    v = (r.NextDouble() * 6) - 3;
                }
                while (Math.Abs(v) < 1e-2 || f.Kinks.Any(k => Math.Abs(v - k) < 1e-2));
                x.Span[i] = v;
            }
            GradientCheckResult result = GradientCheck.Layer(layer, x, seed: 3);
            Assert.True(result.Passed, $"{backend.Name}: {result}");
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void FastBackend_IsBitwiseEqualToReference_ForwardAndBackward(string name)
    {
        Check<float>(name);
        Check<double>(name);
    }

    private static void Check<T>(string name)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        ActivationFunction f = ActivationFunction.FromName(name);
        var r = new Random(5);
        foreach (int n in new[] { 1, 7, 8, 17, 33, 130 })
        {
            var shape = new Shape(n, 3);
            T[] xs = [.. Enumerable.Range(0, shape.Length).Select(_ => T.CreateChecked((r.NextDouble() * 8) - 4))];
            T[] gs = [.. Enumerable.Range(0, shape.Length).Select(_ => T.CreateChecked((r.NextDouble() * 2) - 1))];
            (T[] y, T[] dx) Run(IBackend<T> b)
            {
                Tensor<T> x = Tensor<T>.FromArray(shape, xs), y = b.Allocate(shape), dx = b.Allocate(shape);
                f.Forward(b, x, y);
                f.Backward(b, x, y, Tensor<T>.FromArray(shape, gs), dx);
                return (y.ToArray(), dx.ToArray());
            }
            (T[] y0, T[] d0) = Run(ReferenceBackend<T>.Instance);
            (T[] y1, T[] d1) = Run(CpuBackend<T>.Instance);
            Assert.True(y0.SequenceEqual(y1), $"{name} forward {typeof(T).Name} n={n}");
            Assert.True(d0.SequenceEqual(d1), $"{name} backward {typeof(T).Name} n={n}");
        }
    }
}
