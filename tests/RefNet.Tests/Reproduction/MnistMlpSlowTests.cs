// The main job as a test: Keras' mnist_mlp for the full 20 epochs on the full MNIST, seeds 1-5, judged as `make run`
// judges it (golden/published/mnist_mlp_keras.json): the per-epoch mean of the five runs inside the band at every epoch,
// every seed's test accuracy in [0.978, 0.986], and a seed-to-seed spread like Keras' own.
// The portable GEMM sums in the same order on every x64 CPU, so the result does not depend on the machine CI lands on:
// a single seed's run falls outside the band at one of its 81 checks on some GEMMs (seed 1: the train loss at epoch 17
// with OpenBLAS' SkylakeX kernel, the val_loss at epoch 20 with the portable kernel), which is why one run is not the test.
// Skipped without data/mnist locally; CI fetches the data first (make data) and fails if it cannot.
using RefNet.Backends;
using RefNet.Backends.Cpu;
using RefNet.Data;
using RefNet.Engine;
using RefNet.Reproduction;
using RefNet.Tests.Common;
using Xunit;
using Xunit.Abstractions;

namespace RefNet.Tests.Reproduction;

public sealed class MnistMlpSlowTests(ITestOutputHelper log)
{
    private const int Seeds = 5;

    [SkippableFact]
    [Trait("Category", "Slow")]
    public void TwentyEpochs_FiveSeeds_LandInThePublishedBand()
    {
        string? dir = DataPaths.Mnist();
        if (dir is null && Environment.GetEnvironmentVariable("CI") == "true")
        {
            Assert.Fail("CI must run the main job, but data/mnist is missing: " + DataPaths.MnistMissing);
        }
        Skip.If(dir is null, DataPaths.MnistMissing);
        TrainTest<float> data = MnistLoader.Load<float>(dir!);
        var backend = new CpuBackend<float>(ManagedGemm.Portable);
        var curves = new List<IReadOnlyDictionary<string, IReadOnlyList<double>>>();
        var testAccs = new List<double>();
        for (int seed = 1; seed <= Seeds; seed++)
        {
            Sequential<float> model = MnistMlp.Build(seed, backend);
            var progress = new StringWriter();
            History h = model.Fit(data.Train.X, data.Train.Y, batchSize: MnistMlp.BatchSize, epochs: MnistMlp.Epochs,
                validationData: (data.Test.X, data.Test.Y), seed: seed, verbose: 2, log: progress);
            double testAcc = model.Evaluate(data.Test.X, data.Test.Y, MnistMlp.EvaluateBatchSize).Accuracy;
            log.WriteLine($"seed {seed}: test accuracy {testAcc:F4}\n{progress}");
            curves.Add(h.Values.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<double>)kv.Value));
            testAccs.Add(testAcc);
        }
        // The final test-accuracy envelope of keras-golden.md §8.2 holds for every single run.
        Assert.All(testAccs, a => Assert.InRange(a, 0.978, 0.986));
        // §8.2 expects a seed-to-seed SD of the final val_acc of about 0.001-0.002; 0 would mean the seed is ignored.
        double[] finals = curves.Select(c => c["val_acc"][^1]).ToArray();
        double sd = Math.Sqrt(finals.Sum(v => (v - finals.Average()) * (v - finals.Average())) / (Seeds - 1));
        Assert.InRange(sd, 0.0005, 0.003);
        CurveVerdict v = MnistMlp.Judge(MnistMlp.MeanCurve(curves), testAccs.Average());
        Assert.Null(v.NotJudgedReason);
        // 4 metrics at each of the 20 epochs, plus the final test accuracy in [0.978, 0.986].
        Assert.Equal((MnistMlp.Epochs * 4) + 1, v.Checks.Count);
        Assert.True(v.Pass, "outside the band: " + string.Join("; ", v.Checks.Where(c => !c.Pass)));
    }
}
