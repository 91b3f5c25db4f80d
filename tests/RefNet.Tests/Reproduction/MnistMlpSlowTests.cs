// The main job, shortened: Keras' mnist_mlp for 2 epochs on the full MNIST must land inside the
// published band at epochs 1 and 2 (golden/published/mnist_mlp_keras.json). Skipped without data/mnist.
using RefNet.Data;
using RefNet.Engine;
using RefNet.Reproduction;
using RefNet.Tests.Common;
using Xunit;
using Xunit.Abstractions;

namespace RefNet.Tests.Reproduction;

public sealed class MnistMlpSlowTests(ITestOutputHelper log)
{
    [SkippableFact]
    [Trait("Category", "Slow")]
    public void TwoEpochs_LandInThePublishedBand()
    {
        string? dir = DataPaths.Mnist();
        Skip.If(dir is null, DataPaths.MnistMissing);
        TrainTest<float> data = MnistLoader.Load<float>(dir!);
        Sequential<float> model = MnistMlp.Build(seed: 1);
        var progress = new StringWriter();
        History h = model.Fit(data.Train.X, data.Train.Y, batchSize: MnistMlp.BatchSize, epochs: 2,
            validationData: (data.Test.X, data.Test.Y), seed: 1, verbose: 1, log: progress);
        double testAcc = model.Evaluate(data.Test.X, data.Test.Y, MnistMlp.EvaluateBatchSize).Accuracy;
        log.WriteLine(progress.ToString());
        CurveVerdict v = MnistMlp.Judge(h.Values.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<double>)kv.Value), testAcc);
        Assert.Null(v.NotJudgedReason);
        Assert.Equal(2 * 4 + 1, v.Checks.Count);
        Assert.True(v.Pass, "outside the band: " + string.Join("; ", v.Checks.Where(c => !c.Pass)));
    }
}
