// Optimizers against published Keras one-step numbers (golden/published/optimizers.json) and against
// independent scalar re-implementations of the Keras 2 update formulas, in float64 and float32.
using System.Numerics;
using System.Text.Json;
using RefNet.Backends;
using RefNet.Engine;
using RefNet.Optimizers;
using RefNet.Tensors;
using RefNet.Tests.Common;
using Xunit;

namespace RefNet.Tests.Unit.Training;

public class OptimizerTests
{
    private static readonly JsonElement Golden = LoadGolden();

    public static TheoryData<string> CaseIds()
    {
        var data = new TheoryData<string>();
        foreach (JsonElement c in Golden.GetProperty("cases").EnumerateArray())
        {
            data.Add(c.GetProperty("id").GetString()!);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(CaseIds))]
    public void GoldenCase_Float64(string id) => CheckCase<double>(id);

    [Theory]
    [MemberData(nameof(CaseIds))]
    public void GoldenCase_Float32(string id) => CheckCase<float>(id);

    private static void CheckCase<T>(string id)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        JsonElement c = Golden.GetProperty("cases").EnumerateArray().Single(e => e.GetProperty("id").GetString() == id);
        double lr = c.GetProperty("learning_rate").GetDouble();
        double momentum = c.TryGetProperty("momentum", out var m) ? m.GetDouble() : 0;
        bool nesterov = c.TryGetProperty("nesterov", out var nv) && nv.GetBoolean();
        double acc0 = c.TryGetProperty("initial_accumulator", out var a0) ? a0.GetDouble() : 0;
        string kind = c.GetProperty("optimizer").GetString()!;
        double[] w0 = c.GetProperty("w0").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        JsonElement g = c.GetProperty("gradient");
        double[]? constant = g.ValueKind == JsonValueKind.Array ? g.EnumerateArray().Select(e => e.GetDouble()).ToArray() : null;
        int steps = c.GetProperty("steps").GetInt32();
        double[][] expected = c.GetProperty("expected").EnumerateArray().Select(r => r.EnumerateArray().Select(e => e.GetDouble()).ToArray()).ToArray();
        double tolerance = c.GetProperty("abs_tolerance").GetDouble();

        Optimizer opt = kind switch
        {
            "sgd" => new Sgd(lr, momentum, nesterov),
            "rmsprop" => new RmsProp(lr),
            "adam" => new Adam(lr),
            "adagrad" => new AdaGrad(lr, initialAccumulator: acc0),
            _ => throw new InvalidOperationException(kind),
        };
        Func<double[], double[]> gradient = constant is null ? w => (double[])w.Clone() : _ => constant;
        double[][] actual = Run<T>(opt, w0, gradient, steps);
        double[][] formula = Formula(kind, lr, momentum, nesterov, acc0, 0, w0, gradient, steps);

        double rounding = typeof(T) == typeof(float) ? 4e-7 : 1e-15; // a few units of the element type's precision
        for (int s = 0; s < steps; s++)
        {
            for (int i = 0; i < w0.Length; i++)
            {
                double scale = Math.Max(1, Math.Abs(formula[s][i]));
                Assert.True(Math.Abs(actual[s][i] - formula[s][i]) <= rounding * scale * 4,
                    $"{id} step {s + 1} [{i}] ({typeof(T).Name}): optimizer {actual[s][i]:R}, formula {formula[s][i]:R}");
                Assert.True(Math.Abs(actual[s][i] - expected[s][i]) <= tolerance + (rounding * scale * 4),
                    $"{id} step {s + 1} [{i}] ({typeof(T).Name}): optimizer {actual[s][i]:R}, golden {expected[s][i]:R} ± {tolerance}");
            }
        }
    }

    [Fact]
    public void RmsProp_SmallGradient_PutsEpsilonOutsideTheSquareRoot()
    {
        double[][] w = Run<double>(new RmsProp(0.1), [1.0], _ => [1e-4], 1);
        double step = 1 - w[0][0];
        Assert.Equal(0.3152309, step, 7);
        double inside = 0.1 * 1e-4 / Math.Sqrt((0.1 * 1e-8) + 1e-7); // Keras 3 / TF ApplyRMSProp form
        Assert.True(Math.Abs(step - inside) > 0.1);
    }

    [Fact]
    public void AdaGrad_PutsEpsilonOutsideTheSquareRoot_InFloat64()
    {
        double w = Run<double>(new AdaGrad(0.1, initialAccumulator: 0.1), [1.0], _ => [1.0], 1)[0][0];
        Assert.Equal(1 - (0.1 / (Math.Sqrt(1.1) + 1e-7)), w, 15);
        Assert.NotEqual(1 - (0.1 / Math.Sqrt(1.1 + 1e-7)), w, 12);
    }

    public static TheoryData<string> AllKinds() => new() { "sgd", "momentum", "nesterov", "rmsprop", "adam", "adagrad" };

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decay_UsesInverseTimeSchedule(string kind)
    {
        // lr_t = lr / (1 + decay · iterations), iterations counted before the step.
        double lr = 0.1, decay = 0.5;
        Func<double[], double[]> gradient = w => [w[0] + 0.3, -2 * w[1]];
        Optimizer opt = Create(kind, lr, decay);
        double[][] actual = Run<double>(opt, [1.0, -0.5], gradient, 4);
        (double momentum, bool nesterov) = kind switch { "momentum" => (0.9, false), "nesterov" => (0.9, true), _ => (0.0, false) };
        string baseKind = kind is "momentum" or "nesterov" ? "sgd" : kind;
        double[][] formula = Formula(baseKind, lr, momentum, nesterov, 0, decay, [1.0, -0.5], gradient, 4);
        for (int s = 0; s < 4; s++)
        {
            Assert.Equal(formula[s][0], actual[s][0], 14);
            Assert.Equal(formula[s][1], actual[s][1], 14);
        }
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void ZeroGradient_LeavesWeightsUnchanged(string kind)
    {
        double[] w0 = [0.75, -1.25, 3.0];
        double[][] d = Run<double>(Create(kind, 0.1, 0), w0, _ => [0, 0, 0], 3);
        double[][] f = Run<float>(Create(kind, 0.1, 0), w0, _ => [0, 0, 0], 3);
        Assert.Equal(w0, d[2]);
        Assert.Equal(w0, f[2]);
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("momentum")]
    [InlineData("adam")]
    [InlineData("rmsprop")]
    [InlineData("adagrad")]
    public void ConvexQuadratic_LossDoesNotIncrease_WithASmallLearningRate(string kind)
    {
        // f(w) = ½ wᵀAw with A symmetric positive definite (eigenvalues in [1, 4]); gradient Aw.
        double[,] a = { { 3, 1, 0 }, { 1, 2, 0.5 }, { 0, 0.5, 1.5 } };
        Func<double[], double[]> grad = w => [
            (a[0, 0] * w[0]) + (a[0, 1] * w[1]) + (a[0, 2] * w[2]),
            (a[1, 0] * w[0]) + (a[1, 1] * w[1]) + (a[1, 2] * w[2]),
            (a[2, 0] * w[0]) + (a[2, 1] * w[1]) + (a[2, 2] * w[2]),
        ];
        double F(double[] w) => 0.5 * grad(w).Zip(w, (g, x) => g * x).Sum();
        double[] w0 = [1.0, -2.0, 0.5];
        double lr = kind == "momentum" ? 0.01 : 0.02;
        double[][] path = Run<double>(Create(kind, lr, 0), w0, grad, 20);
        double previous = F(w0);
        foreach (double[] w in path)
        {
            Assert.True(F(w) <= previous + 1e-15, $"{kind}: f rose from {previous} to {F(w)}");
            previous = F(w);
        }
        Assert.True(previous < F(w0));
    }

    [Fact]
    public void MomentumZero_EqualsPlainSgd_Bitwise()
    {
        CheckMomentumZero<double>();
        CheckMomentumZero<float>();
    }

    private static void CheckMomentumZero<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var backend = CpuBackend<T>.Instance;
        var random = new Random(11);
        T[] w = Enumerable.Range(0, 16).Select(_ => T.CreateChecked((random.NextDouble() * 4) - 2)).ToArray();
        Tensor<T> plain = Tensor<T>.FromArray(new Shape(16), w);
        Tensor<T> withVelocity = Tensor<T>.FromArray(new Shape(16), w);
        Tensor<T> velocity = backend.Allocate(new Shape(16));
        T lr = T.CreateChecked(0.037);
        for (int step = 0; step < 5; step++)
        {
            Tensor<T> g = Tensor<T>.FromArray(new Shape(16), Enumerable.Range(0, 16).Select(_ => T.CreateChecked((random.NextDouble() * 6) - 3)).ToArray());
            backend.SgdUpdate(plain, g, null, lr, T.Zero, false);
            backend.SgdUpdate(withVelocity, g, velocity, lr, T.Zero, false);
        }
        Assert.Equal(plain.ToArray(), withVelocity.ToArray());

        // Through the optimizer: Nesterov with m = 0 takes the velocity path and must match plain SGD too.
        double[] w0 = w.Select(double.CreateChecked).ToArray();
        Func<double[], double[]> grad = v => v.Select(x => (x * x) - 0.5).ToArray();
        Assert.Equal(Run<T>(new Sgd(0.05), w0, grad, 4)[3], Run<T>(new Sgd(0.05, momentum: 0, nesterov: true), w0, grad, 4)[3]);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Step_AllocatesNothing_AfterTheFirstCall(string kind)
    {
        // Fit calls Step once per batch; after the state tensors exist it must not allocate.
        var backend = CpuBackend<float>.Instance;
        var parameters = new List<Parameter<float>>
        {
            new("a", backend.Allocate(new Shape(8, 4)), backend.Allocate(new Shape(8, 4))),
            new("b", backend.Allocate(new Shape(4)), backend.Allocate(new Shape(4))),
        };
        backend.Fill(parameters[0].Gradient, 0.5f);
        Optimizer opt = Create(kind, 0.01, 0.001);
        opt.Step(backend, parameters);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++)
        {
            opt.Step(backend, parameters);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Nesterov_DiffersFromPlainMomentum_FromTheFirstStep()
    {
        double plain = Run<double>(new Sgd(0.1, 0.9), [1.0], _ => [1.0], 1)[0][0];
        double nesterov = Run<double>(new Sgd(0.1, 0.9, nesterov: true), [1.0], _ => [1.0], 1)[0][0];
        Assert.Equal(0.9, plain, 15);
        Assert.Equal(0.81, nesterov, 15);
    }

    [Fact]
    public void AdaGrad_Reset_StartsAgainFromTheInitialAccumulator()
    {
        var opt = new AdaGrad(0.1, initialAccumulator: 0.1);
        double first = Run<double>(opt, [1.0], _ => [1.0], 1)[0][0];
        opt.Reset();
        double again = Run<double>(opt, [1.0], _ => [1.0], 1)[0][0];
        Assert.Equal(first, again);
    }

    public static TheoryData<string, Func<Optimizer>> BadHyperparameters() => new()
    {
        { "learningRate", () => new Sgd(learningRate: double.NaN) },
        { "learningRate", () => new Adam(learningRate: -1e-3) },
        { "decay", () => new RmsProp(decay: double.NaN) },
        { "momentum", () => new Sgd(momentum: double.NaN) },
        { "beta1", () => new Adam(beta1: double.NaN) },
        { "beta2", () => new Adam(beta2: 1) },
        { "epsilon", () => new Adam(epsilon: -1e-7) },
        { "rho", () => new RmsProp(rho: double.NaN) },
        { "epsilon", () => new RmsProp(epsilon: double.PositiveInfinity) },
        { "epsilon", () => new AdaGrad(epsilon: double.NaN) },
        { "initialAccumulator", () => new AdaGrad(initialAccumulator: -0.1) },
    };

    [Theory]
    [MemberData(nameof(BadHyperparameters))]
    public void BadHyperparameter_IsRejected_NamingIt(string name, Func<Optimizer> create)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(create);
        Assert.Equal(name, e.ParamName);
    }

    [Fact]
    public void LearningRateSetter_RejectsNaN()
    {
        var sgd = new Sgd();
        Assert.Throws<ArgumentOutOfRangeException>(() => sgd.LearningRate = double.NaN);
        Assert.Equal(0.01, sgd.LearningRate);
    }

    [Fact]
    public void FromName_GivesKerasDefaults()
    {
        var sgd = Assert.IsType<Sgd>(Optimizer.FromName("sgd"));
        Assert.Equal((0.01, 0.0, false), (sgd.LearningRate, sgd.Momentum, sgd.Nesterov));
        var rms = Assert.IsType<RmsProp>(Optimizer.FromName("RMSprop"));
        Assert.Equal((0.001, 0.9, 1e-7), (rms.LearningRate, rms.Rho, rms.Epsilon));
        var adam = Assert.IsType<Adam>(Optimizer.FromName("adam"));
        Assert.Equal((0.001, 0.9, 0.999, 1e-7), (adam.LearningRate, adam.Beta1, adam.Beta2, adam.Epsilon));
        var ada = Assert.IsType<AdaGrad>(Optimizer.FromName("adagrad"));
        Assert.Equal((0.01, 1e-7, 0.0), (ada.LearningRate, ada.Epsilon, ada.InitialAccumulator));
        Assert.IsType<Adamax>(Optimizer.FromName("adamax"));
        var ex = Assert.Throws<ArgumentException>(() => Optimizer.FromName("adamw"));
        Assert.Contains("adamw", ex.Message);
    }

    [Fact]
    public void CompileFromStrings_UsesFromName()
    {
        var net = new Network<double>(inputDim: 2, hiddenLayerDims: [], outputDim: 1);
        net.Compile("adam", "mse", ["mae"]);
        Assert.IsType<Adam>(net.Optimizer);
        net.Compile("rmsprop", "binary_crossentropy");
        Assert.IsType<RmsProp>(net.Optimizer);
    }

    [Fact]
    public void Step_UpdatesEachParameterIndependently()
    {
        // Updating A and B together equals updating each alone (state is keyed per parameter).
        var backend = CpuBackend<double>.Instance;
        Parameter<double> a1 = Param([1.0, 2.0], [0.5, -1.0]), b1 = Param([3.0], [2.0]);
        Parameter<double> a2 = Param([1.0, 2.0], [0.5, -1.0]), b2 = Param([3.0], [2.0]);
        var together = new Adam(0.1);
        together.Step(backend, new List<Parameter<double>> { a1, b1 });
        together.Step(backend, new List<Parameter<double>> { a1, b1 });
        var aloneA = new Adam(0.1);
        var aloneB = new Adam(0.1);
        for (int i = 0; i < 2; i++)
        {
            aloneA.Step(backend, new List<Parameter<double>> { a2 });
            aloneB.Step(backend, new List<Parameter<double>> { b2 });
        }
        Assert.Equal(a2.Value.ToArray(), a1.Value.ToArray());
        Assert.Equal(b2.Value.ToArray(), b1.Value.ToArray());
    }

    private static Parameter<double> Param(double[] value, double[] gradient) =>
        new("p", Tensor<double>.FromArray(new Shape(value.Length), value), Tensor<double>.FromArray(new Shape(gradient.Length), gradient));

    private static Optimizer Create(string kind, double lr, double decay) => kind switch
    {
        "sgd" => new Sgd(lr, decay: decay),
        "momentum" => new Sgd(lr, 0.9, decay: decay),
        "nesterov" => new Sgd(lr, 0.9, nesterov: true, decay: decay),
        "rmsprop" => new RmsProp(lr, decay: decay),
        "adam" => new Adam(lr, decay: decay),
        "adagrad" => new AdaGrad(lr, decay: decay),
        _ => throw new ArgumentException(kind),
    };

    /// <summary>Runs the optimizer on one parameter of type T; returns the weights (as double) after each step.</summary>
    private static double[][] Run<T>(Optimizer opt, double[] w0, Func<double[], double[]> gradient, int steps)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var backend = CpuBackend<T>.Instance;
        var shape = new Shape(w0.Length);
        var p = new Parameter<T>("w", Tensor<T>.FromArray(shape, w0.Select(T.CreateChecked).ToArray()), backend.Allocate(shape));
        var result = new double[steps][];
        for (int s = 0; s < steps; s++)
        {
            double[] w = p.Value.ToArray().Select(double.CreateChecked).ToArray();
            backend.CopyFromHost(gradient(w).Select(T.CreateChecked).ToArray(), p.Gradient);
            opt.Step(backend, new List<Parameter<T>> { p });
            result[s] = p.Value.ToArray().Select(double.CreateChecked).ToArray();
        }
        return result;
    }

    /// <summary>The Keras 2 update rules written out per scalar, in double (the independent reference).</summary>
    private static double[][] Formula(string kind, double lr0, double momentum, bool nesterov, double acc0, double decay,
        double[] w0, Func<double[], double[]> gradient, int steps)
    {
        const double eps = 1e-7, rho = 0.9, b1 = 0.9, b2 = 0.999;
        int n = w0.Length;
        double[] w = (double[])w0.Clone();
        double[] s1 = new double[n], s2 = new double[n];
        Array.Fill(s1, kind == "adagrad" ? acc0 : 0);
        var result = new double[steps][];
        for (int t = 0; t < steps; t++)
        {
            double lr = lr0 / (1 + (decay * t));
            double[] g = gradient(w);
            for (int i = 0; i < n; i++)
            {
                switch (kind)
                {
                    case "sgd" when momentum == 0 && !nesterov:
                        w[i] -= lr * g[i];
                        break;
                    case "sgd":
                        s1[i] = (momentum * s1[i]) - (lr * g[i]);
                        w[i] = nesterov ? w[i] + (momentum * s1[i]) - (lr * g[i]) : w[i] + s1[i];
                        break;
                    case "rmsprop":
                        s1[i] = (rho * s1[i]) + ((1 - rho) * g[i] * g[i]);
                        w[i] -= lr * g[i] / (Math.Sqrt(s1[i]) + eps);
                        break;
                    case "adam":
                        double lrT = lr * Math.Sqrt(1 - Math.Pow(b2, t + 1)) / (1 - Math.Pow(b1, t + 1));
                        s1[i] = (b1 * s1[i]) + ((1 - b1) * g[i]);
                        s2[i] = (b2 * s2[i]) + ((1 - b2) * g[i] * g[i]);
                        w[i] -= lrT * s1[i] / (Math.Sqrt(s2[i]) + eps);
                        break;
                    case "adagrad":
                        s1[i] += g[i] * g[i];
                        w[i] -= lr * g[i] / (Math.Sqrt(s1[i]) + eps);
                        break;
                    default:
                        throw new ArgumentException(kind);
                }
            }
            result[t] = (double[])w.Clone();
        }
        return result;
    }

    private static JsonElement LoadGolden()
    {
        string path = Path.Combine(GoldenFile.RepositoryRoot, "golden", "published", "optimizers.json");
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.Clone();
    }
}
