// Keras' mnist_cnn in CI, in short judged form: one epoch on all 60 000 training images (about 3 minutes on 2 cores),
// judged against the epoch-1 band of the published 12-epoch log (golden/published/mnist_cnn_keras.json); the full
// 12-epoch run is `refnet reproduce mnist-cnn`. The portable GEMM makes the run the same on every x64 CPU CI lands on.
// Skipped without data/mnist locally; CI fetches the data first.
using RefNet.Backends;
using RefNet.Backends.Cpu;
using RefNet.Data;
using RefNet.Engine;
using RefNet.Reproduction;
using RefNet.Tensors;
using RefNet.Tests.Common;
using Xunit;
using Xunit.Abstractions;

namespace RefNet.Tests.Reproduction;

public sealed class MnistCnnSlowTests(ITestOutputHelper log)
{
    [SkippableFact]
    [Trait("Category", "Slow")]
    public void FirstEpoch_LandsInThePublishedBand()
    {
        string? dir = DataPaths.Mnist();
        if (dir is null && Environment.GetEnvironmentVariable("CI") == "true")
        {
            Assert.Fail("CI must run the mnist_cnn epoch, but data/mnist is missing: " + DataPaths.MnistMissing);
        }
        Skip.If(dir is null, DataPaths.MnistMissing);
        TrainTest<float> data = MnistLoader.Load<float>(dir!);
        var image = new Shape(28, 28, 1);
        Tensor<float> x = data.Train.X.Reshape(image.WithBatch(data.Train.Count));
        Tensor<float> xTest = data.Test.X.Reshape(image.WithBatch(data.Test.Count));
        Sequential<float> model = MnistCnn.Build(seed: 1, new CpuBackend<float>(ManagedGemm.Portable));
        var progress = new StringWriter();
        History h = model.Fit(x, data.Train.Y, batchSize: MnistCnn.BatchSize, epochs: 1, validationData: (xTest, data.Test.Y), seed: 1,
            verbose: 2, log: progress);
        log.WriteLine(progress.ToString());
        double testAcc = model.Evaluate(xTest, data.Test.Y, batchSize: MnistMlp.EvaluateBatchSize).Accuracy;
        CurveVerdict v = MnistCnn.Judge(h.Values.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<double>)kv.Value), testAcc);
        Assert.Null(v.NotJudgedReason);
        // loss, acc, val_loss and val_acc at epoch 1, plus the test accuracy against the epoch-1 val_acc band.
        Assert.Equal(5, v.Checks.Count);
        foreach (CurveCheck c in v.Checks)
        {
            log.WriteLine(c.ToString());
        }
        Assert.True(v.Pass, "outside the band: " + string.Join("; ", v.Checks.Where(c => !c.Pass)));
    }
}
