// Adamax and Nadam against Keras 2.3.1's update rules (keras/optimizers.py), written out here per scalar in double and
// independent of the optimizers' code: four steps of a three-element parameter with fixed gradients (one zero, one that
// changes sign), on the reference and the fast CPU backends; the default hyperparameters; resume through a saved file.
using RefNet.Activations;
using RefNet.Backends;
using RefNet.Engine;
using RefNet.Layers;
using RefNet.Losses;
using RefNet.Optimizers;
using RefNet.Tensors;
using Xunit;

namespace RefNet.Tests.Optimizers;

public sealed class AdamaxNadamTests
{
    private static readonly double[] Start = [0.5, -0.25, 1.0];

    private static readonly double[][] Gradients = [[0.1, -0.3, 0.0], [-0.2, 0.05, 0.0], [0.4, 0.2, 1e-3], [0.0, -0.1, -2.0]];

    /// <summary>Keras 2.3.1 Adamax, per scalar: lr_t = lr/(1 − β₁ᵗ); m = β₁m + (1−β₁)g; u = max(β₂u, |g|); p −= lr_t·m/(u + ε).</summary>
    private static double[][] AdamaxByHand(double lr, double b1, double b2, double eps)
    {
        double[] p = [.. Start], m = new double[3], u = new double[3];
        var trajectory = new List<double[]>();
        for (int t = 1; t <= Gradients.Length; t++)
        {
            double lrT = lr / (1 - Math.Pow(b1, t));
            for (int i = 0; i < 3; i++)
            {
                double g = Gradients[t - 1][i];
                m[i] = (b1 * m[i]) + ((1 - b1) * g);
                u[i] = Math.Max(b2 * u[i], Math.Abs(g));
                p[i] -= lrT * m[i] / (u[i] + eps);
            }
            trajectory.Add([.. p]);
        }
        return [.. trajectory];
    }

    /// <summary>Keras 2.3.1 Nadam, per scalar, with m_schedule as Keras keeps it (a running product updated each step).</summary>
    private static double[][] NadamByHand(double lr, double b1, double b2, double eps, double sd)
    {
        double[] p = [.. Start], m = new double[3], v = new double[3];
        double schedule = 1;
        var trajectory = new List<double[]>();
        for (int t = 1; t <= Gradients.Length; t++)
        {
            double cacheT = b1 * (1 - (0.5 * Math.Pow(0.96, t * sd)));
            double cacheNext = b1 * (1 - (0.5 * Math.Pow(0.96, (t + 1) * sd)));
            double scheduleNew = schedule * cacheT;
            double scheduleNext = schedule * cacheT * cacheNext;
            schedule = scheduleNew;
            for (int i = 0; i < 3; i++)
            {
                double g = Gradients[t - 1][i];
                double gPrime = g / (1 - scheduleNew);
                m[i] = (b1 * m[i]) + ((1 - b1) * g);
                double mPrime = m[i] / (1 - scheduleNext);
                v[i] = (b2 * v[i]) + ((1 - b2) * g * g);
                double vPrime = v[i] / (1 - Math.Pow(b2, t));
                double mBar = ((1 - cacheT) * gPrime) + (cacheNext * mPrime);
                p[i] -= lr * mBar / (Math.Sqrt(vPrime) + eps);
            }
            trajectory.Add([.. p]);
        }
        return [.. trajectory];
    }

    private static double[][] Run(Optimizer optimizer, IBackend<double> backend)
    {
        Tensor<double> value = backend.Allocate(new Shape(3));
        Tensor<double> gradient = backend.Allocate(new Shape(3));
        backend.CopyFromHost([.. Start], value);
        var p = new Parameter<double>("w", value, gradient);
        var trajectory = new List<double[]>();
        foreach (double[] g in Gradients)
        {
            backend.CopyFromHost(g, gradient);
            optimizer.Step(backend, [p]);
            trajectory.Add(value.ToArray());
        }
        return [.. trajectory];
    }

    public static TheoryData<string> Backends() => ["reference", "fast"];

    private static IBackend<double> Backend(string name) => name == "reference" ? ReferenceBackend<double>.Instance : CpuBackend<double>.Instance;

    private static void Close(double[][] expected, double[][] actual)
    {
        for (int t = 0; t < expected.Length; t++)
        {
            for (int i = 0; i < 3; i++)
            {
                Assert.True(Math.Abs(expected[t][i] - actual[t][i]) <= 1e-14 * Math.Max(1, Math.Abs(expected[t][i])),
                    $"step {t + 1}, element {i}: expected {expected[t][i]:R}, got {actual[t][i]:R}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Adamax_FollowsKeras2_StepByStep(string backend) =>
        Close(AdamaxByHand(0.002, 0.9, 0.999, 1e-7), Run(new Adamax(epsilon: 1e-7), Backend(backend)));

    [Theory]
    [MemberData(nameof(Backends))]
    public void Nadam_FollowsKeras2_StepByStep(string backend) =>
        Close(NadamByHand(0.002, 0.9, 0.999, 1e-7, 0.004), Run(new Nadam(epsilon: 1e-7), Backend(backend)));

    [Fact]
    public void OtherHyperparameters_AreUsed()
    {
        Close(AdamaxByHand(0.01, 0.8, 0.99, 1e-3), Run(new Adamax(0.01, 0.8, 0.99, 1e-3), ReferenceBackend<double>.Instance));
        Close(NadamByHand(0.01, 0.8, 0.99, 1e-3, 0.1), Run(new Nadam(0.01, 0.8, 0.99, 1e-3, 0.1), ReferenceBackend<double>.Instance));
    }

    [Fact]
    public void Defaults_AreKeras2s_AndEpsilonComesFromTheProfile()
    {
        var adamax = new Adamax();
        Assert.Equal((0.002, 0.9, 0.999, 1e-7), (adamax.LearningRate, adamax.Beta1, adamax.Beta2, adamax.Epsilon));
        var nadam = new Nadam();
        Assert.Equal((0.002, 0.9, 0.999, 1e-7, 0.004), (nadam.LearningRate, nadam.Beta1, nadam.Beta2, nadam.Epsilon, nadam.ScheduleDecay));
        nadam.Keras = RefNet.Conventions.KerasProfile.FromName("2.0.8");
        Assert.Equal(1e-8, nadam.Epsilon);
        Assert.Contains("has decay", Assert.Throws<ArgumentException>(() => Optimizer.FromConfig(new Dictionary<string, object?>
        {
            ["name"] = "nadam", ["learning_rate"] = 0.002, ["decay"] = 0.1, ["beta_1"] = 0.9, ["beta_2"] = 0.999, ["epsilon"] = 1e-7, ["schedule_decay"] = 0.004,
        })).Message);
    }

    [Theory]
    [InlineData("adamax")]
    [InlineData("nadam")]
    public void SaveLoadResume_IsBitwiseTheStraightRun(string name)
    {
        static Network<double> Model(string optimizer)
        {
            var net = new Sequential<double>(seed: 8);
            net.Add(new Dense<double>(4, ActivationFunction.Tanh, inputDim: 3));
            net.Add(new Dense<double>(2, ActivationFunction.Softmax));
            net.Compile(Optimizer.FromName(optimizer), new CategoricalCrossentropy());
            return net;
        }
        var random = new Random(1);
        var x = Tensor<double>.FromArray(new Shape(10, 3), [.. Enumerable.Range(0, 30).Select(_ => random.NextDouble() - 0.5)]);
        var y = Tensor<double>.FromArray(new Shape(10, 2), [.. Enumerable.Range(0, 10).SelectMany(i => i % 2 == 0 ? new[] { 1.0, 0 } : [0, 1.0])]);
        Network<double> straight = Model(name);
        straight.Fit(x, y, batchSize: 3, epochs: 4, seed: 2, verbose: 0);
        Network<double> first = Model(name);
        first.Fit(x, y, batchSize: 3, epochs: 2, seed: 2, verbose: 0);
        string file = Path.Combine(Path.GetTempPath(), $"refnet-{name}-{Guid.NewGuid():N}.rfn");
        try
        {
            first.Save(file);
            Network<double> loaded = Network<double>.Load(file);
            Assert.IsType(Optimizer.FromName(name).GetType(), loaded.Optimizer);
            loaded.Fit(x, y, batchSize: 3, epochs: 4, seed: 2, verbose: 0, initialEpoch: loaded.CompletedEpochs);
            Assert.Equal(straight.WeightsHash(), loaded.WeightsHash());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void NadamsSchedule_IsTheProductOfTheMomentumCaches_AndAHugeIterationCountEndsAtItsUnderflow()
    {
        var nadam = new Nadam();
        double product = 1;
        for (int t = 1; t <= 5; t++)
        {
            product *= 0.9 * (1 - (0.5 * Math.Pow(0.96, t * 0.004)));
        }
        Assert.Equal(product, nadam.Schedule(5));
        Assert.Equal(1.0, nadam.Schedule(0)); // going back recomputes from the start
        // A resumed file may claim any iteration count: the product underflows to 0 after some thousand steps and stays.
        Assert.Equal(0.0, nadam.Schedule(long.MaxValue - 1));
    }
}
