// The acceptance band of the MNIST MLP reproduction, tested on the published Keras runs themselves:
// both must pass (the band is calibrated on them), and curves moved out of the band must fail.
using System.Text.Json;
using RefNet.Reproduction;
using Xunit;

namespace RefNet.Tests.Reproduction;

[Trait("Category", "Golden")]
public sealed class BandTests
{
    private static IReadOnlyDictionary<string, IReadOnlyList<double>> Curves(PublishedRun run) =>
        run.Epochs.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<double>)kv.Value);

    private static string GoldenPath(string name)
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !Directory.Exists(Path.Combine(dir, "golden")))
        {
            dir = Path.GetDirectoryName(dir);
        }
        return Path.Combine(dir ?? throw new DirectoryNotFoundException("golden/ not found above the test binaries"), "golden", "published", name + ".json");
    }

    [Fact]
    public void GoldenFile_HoldsThePublishedNumbers()
    {
        PublishedCurves g = MnistMlp.Published;
        Assert.Equal(new[] { "slide", "idiap" }, g.Runs.Select(r => r.Id));
        PublishedRun idiap = g.Runs[1];
        // Spot values quoted in keras-golden.md §1.4 (idiap log) and Appendix A.2 (slide log).
        Assert.Equal(0.2425, idiap.Epochs["loss"][0]);
        Assert.Equal(0.9811, idiap.Epochs["val_acc"][19]);
        Assert.Equal(0.1222, g.Runs[0].Epochs["val_loss"][19]);
        Assert.All(g.Runs, r => Assert.All(r.Epochs.Values, v => Assert.Equal(20, v.Length)));
        Assert.Contains("0cb4b5245cbf96b52a6ecfd2545eb7b904bc963e", idiap.Source);
        using JsonDocument onDisk = JsonDocument.Parse(File.ReadAllText(GoldenPath("mnist_mlp_keras")));
        Assert.Equal(onDisk.RootElement.GetRawText(), g.Root.GetRawText());
    }

    [Fact]
    public void Reference_IsTheMeanOfTheTwoRuns()
    {
        PublishedCurves g = MnistMlp.Published;
        Assert.Equal((0.9654 + 0.9694) / 2, g.Reference("val_acc", 1)!.Value, 12);
        Assert.Equal((0.0190 + 0.0182) / 2, g.Reference("loss", 20)!.Value, 12);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void BothPublishedRuns_PassTheBand(int run)
    {
        PublishedRun r = MnistMlp.Published.Runs[run];
        CurveVerdict v = MnistMlp.Judge(Curves(r), r.TestAccuracy);
        Assert.True(v.Pass, string.Join("; ", v.Checks.Where(c => !c.Pass)));
        Assert.Equal(4 * 20 + 1, v.Checks.Count);
    }

    [Theory]
    [InlineData("loss", 1, 0.26)]       // epoch 1 band 0.243 ± 0.015
    [InlineData("loss", 10, 0.0360)]    // ref 0.0292, ±15 % = 0.00438
    [InlineData("acc", 5, 0.9800)]      // ref 0.9850 ± 0.004
    [InlineData("val_acc", 20, 0.9740)] // ref 0.98195 ± 0.007
    [InlineData("val_loss", 20, 0.1600)]// ref 0.127 ± 0.025
    public void MovedCurve_FailsAtThatEpoch(string metric, int epoch, double value)
    {
        var curves = MnistMlp.Published.Runs[1].Epochs.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());
        curves[metric][epoch - 1] = value;
        CurveVerdict v = MnistMlp.Judge(curves.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<double>)kv.Value), 0.981);
        CurveCheck failed = Assert.Single(v.Checks, c => !c.Pass);
        Assert.Equal((metric, epoch), (failed.Metric, failed.Epoch));
        Assert.False(v.Pass);
    }

    [Theory]
    [InlineData(0.9779, false)]
    [InlineData(0.9780, true)]
    [InlineData(0.9860, true)]
    [InlineData(0.9861, false)]
    public void TestAccuracy_After20Epochs_MustLieIn0978To0986(double test, bool pass)
    {
        PublishedRun r = MnistMlp.Published.Runs[0];
        Assert.Equal(pass, MnistMlp.Judge(Curves(r), test).MetricPasses("test_acc"));
    }

    [Fact]
    public void OnlyEpochsThatWereRun_AreJudged_AndSubsetRunsAreNotJudged()
    {
        var two = Curves(MnistMlp.Published.Runs[1]).ToDictionary(kv => kv.Key, kv => (IReadOnlyList<double>)kv.Value.Take(2).ToArray());
        CurveVerdict v = MnistMlp.Judge(two, 0.9707);
        Assert.Equal(2 * 4 + 1, v.Checks.Count);
        Assert.True(v.Pass);
        CurveVerdict subset = MnistMlp.Judge(two, 0.9707, trainingSamples: 2000);
        Assert.False(subset.Pass);
        Assert.Contains("2000", subset.NotJudgedReason);
    }

    [Fact]
    public void HalfBand_ForTheMeanOfSeeds_HalvesEveryInterval()
    {
        PublishedCurves g = MnistMlp.Published;
        (double center, double half) = MnistMlp.Interval(g, "val_acc", 3);
        var curve = new Dictionary<string, IReadOnlyList<double>>
        {
            ["val_acc"] = new[] { g.Reference("val_acc", 1)!.Value, g.Reference("val_acc", 2)!.Value, center + 0.75 * half },
        };
        Assert.True(MnistMlp.Judge(curve, null).Pass);
        CurveVerdict halved = MnistMlp.Judge(curve, null, bandScale: 0.5);
        Assert.Equal(3, Assert.Single(halved.Checks, c => !c.Pass).Epoch);
        Assert.Equal(center + 0.5 * half, halved.Checks[2].High, 12);
    }

    [Fact]
    public void MeanCurve_AveragesPerEpoch_OverTheShortestRun()
    {
        var a = new Dictionary<string, IReadOnlyList<double>> { ["loss"] = new[] { 1.0, 2.0, 3.0 } };
        var b = new Dictionary<string, IReadOnlyList<double>> { ["loss"] = new[] { 3.0, 4.0 } };
        Assert.Equal(new[] { 2.0, 3.0 }, MnistMlp.MeanCurve([a, b])["loss"]);
    }

    [Fact]
    public void FashionBand_AcceptsThe10EpochTutorialRun_AndRejectsOverfitTestAccuracy()
    {
        PublishedRun run = FashionMnistMlp.Published.Runs.Single(r => r.Id == "tf2.18");
        Assert.True(FashionMnistMlp.Judge(Curves(run), run.TestAccuracy!.Value).Pass);
        Assert.False(FashionMnistMlp.Judge(Curves(run), 0.86).Pass);
        Assert.NotNull(FashionMnistMlp.Judge(Curves(FashionMnistMlp.Published.Runs[0]), 0.8727).NotJudgedReason);
    }
}
