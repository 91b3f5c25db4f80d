// Adadelta against the Keras 2 update rule (keras/optimizers.py, Adadelta.get_updates) written out per scalar in
// double here, a first step worked by hand, the vector path against the plain one, and its name and config.
using RefNet.Backends;
using RefNet.Engine;
using RefNet.Optimizers;
using RefNet.Tensors;
using Xunit;

namespace RefNet.Tests.Optimizers;

public sealed class AdadeltaTests
{
    [Fact]
    public void FirstStep_ByHand_MovesTheWeightByAboutSqrtEpsilonOverSqrtOneMinusRho()
    {
        // p = 1, g = 0.5, lr 1, ρ 0.95, ε 1e-7, both accumulators 0:
        // a = 0.05 · 0.25 = 0.0125;  Δ = 0.5 · √(0 + 1e-7) / √(0.0125 + 1e-7) = 0.5 · 3.16227766e-4 / 0.111803846
        //   = 1.41420791e-3  (≈ √ε / √(1 − ρ) = 1.41421356e-3, the size of Adadelta's first step whatever g is);
        // p = 1 − 1.41420791e-3 = 0.998585792;  d = 0.05 · Δ² = 9.99992e-8.
        var backend = ReferenceBackend<double>.Instance;
        var p = new Parameter<double>("w", Tensor<double>.FromArray(new Shape(1), [1.0]), Tensor<double>.FromArray(new Shape(1), [0.5]));
        new Adadelta().Step(backend, [p]);
        Assert.Equal(0.998585792, p.Value.Span[0], 9);
    }

    [Theory]
    [InlineData(1.0, 0.95, 1e-7, 0.0)]
    [InlineData(0.5, 0.9, 1e-6, 0.1)]
    [InlineData(1.0, 0.95, 1e-8, 0.0)] // Keras 2.0.x's ε, as mnist_cnn ran
    public void FiveSteps_MatchTheKerasRule_InFloat64AndFloat32(double lr, double rho, double epsilon, double decay)
    {
        double[] w0 = [0.8, -1.5, 2.0, 0.0, -0.25];
        Func<double[], double[]> gradient = w => w.Select((x, i) => (x * x) - 0.3 + (0.1 * i)).ToArray();
        double[][] formula = KerasRule(lr, rho, epsilon, decay, w0, gradient, 5);
        double[][] f64 = Run<double>(new Adadelta(lr, rho, epsilon, decay), w0, gradient, 5);
        double[][] f32 = Run<float>(new Adadelta(lr, rho, epsilon, decay), w0, gradient, 5);
        for (int s = 0; s < 5; s++)
        {
            for (int i = 0; i < w0.Length; i++)
            {
                Assert.True(Math.Abs(f64[s][i] - formula[s][i]) <= 1e-14 * Math.Max(1, Math.Abs(formula[s][i])),
                    $"float64 step {s + 1} [{i}]: {f64[s][i]:R} vs Keras rule {formula[s][i]:R}");
                // float32: a few roundings of the weights and the accumulators per step.
                Assert.True(Math.Abs(f32[s][i] - formula[s][i]) <= 2e-6 * Math.Max(1, Math.Abs(formula[s][i])),
                    $"float32 step {s + 1} [{i}]: {f32[s][i]:R} vs Keras rule {formula[s][i]:R}");
            }
        }
    }

    [Fact]
    public void VectorPath_IsBitwiseThePlainLoop_OnALongTensorWithATail()
    {
        // 1000 elements: whole vectors plus a scalar tail on the fast backend; the reference runs the scalar rule.
        const int n = 1000;
        var rng = new Random(11);
        float[] w = [.. Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5))];
        float[][] g = [.. Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, n).Select(_ => (float)((rng.NextDouble() - 0.5) * 4)).ToArray())];
        float[] Train(IBackend<float> backend)
        {
            var p = new Parameter<float>("w", Tensor<float>.FromArray(new Shape(n), w), backend.Allocate(new Shape(n)));
            var opt = new Adadelta();
            foreach (float[] step in g)
            {
                backend.CopyFromHost(step, p.Gradient);
                opt.Step(backend, [p]);
            }
            return p.Value.ToArray();
        }
        Assert.Equal(Train(ReferenceBackend<float>.Instance), Train(new CpuBackend<float>()));
    }

    [Fact]
    public void ZeroGradient_LeavesTheWeight_AndANegativeGradientRaisesIt()
    {
        var backend = ReferenceBackend<double>.Instance;
        var p = new Parameter<double>("w", Tensor<double>.FromArray(new Shape(2), [0.5, 0.5]), Tensor<double>.FromArray(new Shape(2), [0.0, -2.0]));
        var opt = new Adadelta();
        opt.Step(backend, [p]);
        opt.Step(backend, [p]);
        Assert.Equal(0.5, p.Value.Span[0]);
        Assert.True(p.Value.Span[1] > 0.5);
    }

    [Fact]
    public void NameDefaultsAndConfig_AreKeras2s()
    {
        var o = Assert.IsType<Adadelta>(Optimizer.FromName("Adadelta"));
        Assert.Equal("adadelta", o.Name);
        Assert.Equal((1.0, 0.95, 1e-7, 0.0), (o.LearningRate, o.Rho, o.Epsilon, o.Decay));
        Dictionary<string, object?> c = new Adadelta(0.5, 0.9, 1e-6, 0.01).GetConfig();
        Assert.Equal(["decay", "epsilon", "learning_rate", "name", "rho"], c.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(("adadelta", 0.5, 0.9, 1e-6, 0.01), ((string)c["name"]!, (double)c["learning_rate"]!, (double)c["rho"]!, (double)c["epsilon"]!, (double)c["decay"]!));
    }

    [Theory]
    [InlineData(1.0, 1e-7)]
    [InlineData(-0.1, 1e-7)]
    [InlineData(0.95, -1e-7)]
    [InlineData(double.NaN, 1e-7)]
    public void RhoOutsideZeroToOne_OrNegativeEpsilon_IsRejected_NamingIt(double rho, double epsilon)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Adadelta(rho: rho, epsilon: epsilon));
        Assert.Equal(rho is >= 0 and < 1 ? "epsilon" : "rho", e.ParamName);
    }

    // keras/optimizers.py (Keras 2), Adadelta.get_updates, per scalar:
    //   new_a = rho·a + (1 − rho)·g²;  update = g·√(d_a + ε)/√(new_a + ε);  p −= lr·update;  new_d_a = rho·d_a + (1 − rho)·update²
    private static double[][] KerasRule(double lr0, double rho, double eps, double decay, double[] w0, Func<double[], double[]> gradient, int steps)
    {
        double[] w = (double[])w0.Clone(), a = new double[w.Length], d = new double[w.Length];
        var result = new double[steps][];
        for (int t = 0; t < steps; t++)
        {
            double lr = lr0 / (1 + (decay * t));
            double[] g = gradient(w);
            for (int i = 0; i < w.Length; i++)
            {
                a[i] = (rho * a[i]) + ((1 - rho) * g[i] * g[i]);
                double update = g[i] * Math.Sqrt(d[i] + eps) / Math.Sqrt(a[i] + eps);
                w[i] -= lr * update;
                d[i] = (rho * d[i]) + ((1 - rho) * update * update);
            }
            result[t] = (double[])w.Clone();
        }
        return result;
    }

    private static double[][] Run<T>(Optimizer opt, double[] w0, Func<double[], double[]> gradient, int steps)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var backend = CpuBackend<T>.Instance;
        var shape = new Shape(w0.Length);
        var p = new Parameter<T>("w", Tensor<T>.FromArray(shape, w0.Select(T.CreateChecked).ToArray()), backend.Allocate(shape));
        var result = new double[steps][];
        for (int s = 0; s < steps; s++)
        {
            double[] w = p.Value.ToArray().Select(double.CreateChecked).ToArray();
            backend.CopyFromHost(gradient(w).Select(T.CreateChecked).ToArray(), p.Gradient);
            opt.Step(backend, [p]);
            result[s] = p.Value.ToArray().Select(double.CreateChecked).ToArray();
        }
        return result;
    }
}
