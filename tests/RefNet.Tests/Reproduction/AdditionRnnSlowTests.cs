// keras-io's addition_rnn in CI, in short judged form: one epoch on the 45 000 generated questions (batch 32, 1 407
// steps), judged by golden/published/addition_rnn_keras.json's epoch-1 rule (val_acc within ±0.0415 of keras-io's
// 0.4116). The full 29 epochs, with the epoch-10 and epoch-29 milestones, is `refnet reproduce addition-rnn`.
// The portable GEMM makes the run the same on every x64 CPU.
using RefNet.Backends;
using RefNet.Backends.Cpu;
using RefNet.Engine;
using RefNet.Reproduction;
using Xunit;
using Xunit.Abstractions;

namespace RefNet.Tests.Reproduction;

public sealed class AdditionRnnSlowTests(ITestOutputHelper log)
{
    [Fact]
    [Trait("Category", "Slow")]
    public void FirstEpoch_LandsInThePublishedBand()
    {
        const int seed = 1;
        var (train, val, _) = AdditionRnn.Split<float>(AdditionRnn.Generate(AdditionRnn.TrainingSize, seed), seed);
        Sequential<float> model = AdditionRnn.Build(seed, new CpuBackend<float>(ManagedGemm.Portable));
        var progress = new StringWriter();
        History h = model.Fit(train.X, train.Y, batchSize: AdditionRnn.BatchSize, epochs: 1, validationData: (val.X, val.Y),
            shuffle: true, seed: (seed * 1000) + 1, verbose: 2, log: progress);
        log.WriteLine(progress.ToString());
        CurveVerdict v = AdditionRnn.Judge(h.Values.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<double>)kv.Value), train.X.Shape[0]);
        Assert.Null(v.NotJudgedReason);
        Assert.Single(v.Checks);
        Assert.True(v.Pass, "outside the band: " + string.Join("; ", v.Checks));
    }
}
