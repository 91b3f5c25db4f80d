// refnet reproduce end to end on a tiny synthetic MNIST-shaped directory (fast), and its error messages.
using RefNet.Data;
using Xunit;

namespace RefNet.Tests.Reproduction;

public sealed class ReproduceCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("refnet-repro-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = RefNet.Cli.Cli.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    // 40 train / 20 test images of 28×28: class k lights up row k·2 (learnable, but only the pipeline is checked).
    private string WriteTinyMnist(bool gzip)
    {
        string data = Path.Combine(_dir, "data");
        Directory.CreateDirectory(data);
        foreach ((string prefix, int n) in new[] { ("train", 40), ("t10k", 20) })
        {
            byte[] labels = Enumerable.Range(0, n).Select(i => (byte)(i % 10)).ToArray();
            byte[] pixels = new byte[n * 784];
            for (int i = 0; i < n; i++)
            {
                for (int c = 0; c < 28; c++)
                {
                    pixels[i * 784 + labels[i] * 2 * 28 + c] = 255;
                }
            }
            string gz = gzip ? ".gz" : string.Empty;
            Idx.WriteImages(Path.Combine(data, $"{prefix}-images-idx3-ubyte{gz}"), new IdxImages(n, 28, 28, pixels), gzip);
            Idx.WriteLabels(Path.Combine(data, $"{prefix}-labels-idx1-ubyte{gz}"), labels, gzip);
        }
        return data;
    }

    [Fact]
    public void MnistMlp_OnATinySubset_PrintsTableWritesCsvAndPng_AndIsNotJudged()
    {
        string data = WriteTinyMnist(gzip: false);
        string outDir = Path.Combine(_dir, "out");
        var (code, output, err) = Run("reproduce", "mnist-mlp", "--data", data, "--out", outDir, "--epochs", "2", "--limit", "30", "--seed", "3");
        Assert.True(code == 0, err);
        Assert.Contains("Total params: 669,706", output);
        Assert.Contains("Epoch 2/2", output);
        Assert.Contains("| slide", output);
        Assert.Contains("| idiap", output);
        Assert.Contains("Overall: NOT JUDGED", output);
        Assert.Contains("30 of the 60000", output);
        string[] csv = File.ReadAllLines(Path.Combine(outDir, "curve.csv"));
        Assert.Equal(3, csv.Length);
        Assert.StartsWith("epoch,refnet_loss,refnet_acc,refnet_val_loss,refnet_val_acc,slide_loss", csv[0]);
        Assert.StartsWith("1,", csv[1]);
        byte[] png = File.ReadAllBytes(Path.Combine(outDir, "mnist-mlp.png"));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
    }

    [Fact]
    public void Seeds_TrainsEachSeed_AndReportsTheMean()
    {
        string data = WriteTinyMnist(gzip: false);
        string outDir = Path.Combine(_dir, "seeds");
        var (code, output, err) = Run("reproduce", "mnist-mlp", "--data", data, "--out", outDir, "--epochs", "1", "--limit", "20", "--seeds", "2", "--seed", "4");
        Assert.True(code == 0, err);
        Assert.Contains("seed 4, validation_data", output);
        Assert.Contains("seed 5, validation_data", output);
        Assert.Contains("2 seeds (4..5)", output);
        Assert.Contains("seed-to-seed SD", output);
        Assert.True(File.Exists(Path.Combine(outDir, "mnist-mlp.png")));
    }

    [Fact]
    public void Gemm_DefaultsToThePortableKernel_AndFollowsTheOption()
    {
        string data = WriteTinyMnist(gzip: false);
        var (code, output, err) = Run("reproduce", "mnist-mlp", "--data", data, "--out", Path.Combine(_dir, "g1"), "--epochs", "1", "--limit", "20");
        Assert.True(code == 0, err);
        if (Environment.GetEnvironmentVariable("REFNET_GEMM") is null or "")
        {
            Assert.Contains("GEMM: managed (packed Vector256 micro-kernel", output);
            Assert.Contains("the same bits on every x64 CPU", output);
        }
        (code, output, err) = Run("reproduce", "mnist-mlp", "--data", data, "--out", Path.Combine(_dir, "g2"), "--epochs", "1", "--limit", "20", "--gemm", "reference");
        Assert.True(code == 0, err);
        Assert.Contains("--gemm reference", output);
    }

    [Fact]
    public void FiveSeeds_JudgeTheFullBand_AndReportTheHalfBandRule()
    {
        string data = WriteTinyMnist(gzip: false);
        var (code, output, err) = Run("reproduce", "mnist-mlp", "--data", data, "--out", Path.Combine(_dir, "five"), "--epochs", "1", "--limit", "20", "--seeds", "5");
        Assert.True(code == 0, err);
        Assert.Contains("which must lie within the band", output);
        Assert.Contains("the mean within half the band:", output);
        (code, output, err) = Run("reproduce", "mnist-mlp", "--data", data, "--out", Path.Combine(_dir, "half"), "--epochs", "1", "--limit", "20", "--seeds", "5", "--half-band");
        Assert.True(code == 0, err);
        Assert.Contains("within half the band (--half-band", output);
    }

    [Fact]
    public void SameSeed_GivesTheSameCurve()
    {
        string data = WriteTinyMnist(gzip: true);
        string a = Path.Combine(_dir, "a");
        string b = Path.Combine(_dir, "b");
        Assert.Equal(0, Run("reproduce", "fashion-mnist", "--data", data, "--out", a, "--epochs", "2", "--seed", "5").Code);
        Assert.Equal(0, Run("reproduce", "fashion-mnist", "--data", data, "--out", b, "--epochs", "2", "--seed", "5").Code);
        Assert.Equal(File.ReadAllText(Path.Combine(a, "curve.csv")), File.ReadAllText(Path.Combine(b, "curve.csv")));
    }

    [Fact]
    public void MissingMnist_TellsTheUserToRunMakeData()
    {
        var (code, _, err) = Run("reproduce", "mnist-mlp", "--data", Path.Combine(_dir, "none"));
        Assert.Equal(1, code);
        Assert.Contains("make data", err);
        Assert.Contains("--data DIR", err);
    }

    [Fact]
    public void MissingFashionMnist_NamesTheDebianPackage()
    {
        var (code, _, err) = Run("reproduce", "fashion-mnist", "--data", Path.Combine(_dir, "none"));
        Assert.Equal(1, code);
        Assert.Contains("dataset-fashion-mnist", err);
        Assert.Contains("--data DIR", err);
    }

    [Theory]
    [InlineData("reproduce")]
    [InlineData("reproduce", "cifar")]
    [InlineData("reproduce", "mnist-mlp", "--epochs", "0")]
    [InlineData("reproduce", "mnist-mlp", "--limit")]
    [InlineData("reproduce", "mnist-mlp", "--bogus")]
    [InlineData("reproduce", "mnist-mlp", "--seeds", "0")]
    [InlineData("reproduce", "fashion-mnist", "--seeds", "2")]
    [InlineData("reproduce", "mnist-mlp", "--half-band")]
    [InlineData("reproduce", "mnist-mlp", "--seeds", "4", "--half-band")]
    [InlineData("reproduce", "mnist-mlp", "--gemm", "fastest")]
    [InlineData("reproduce", "mnist-mlp", "--checkpoint", "c", "--seeds", "2")]
    [InlineData("reproduce", "fashion-mnist", "--checkpoint", "c")]
    [InlineData("reproduce", "addition-rnn", "--resume", "c.rfn")]
    [InlineData("reproduce", "mnist-mlp", "--resume", "c.rfn", "--keras", "tf-2.15")]
    [InlineData("reproduce", "mnist-mlp", "--resume")]
    [InlineData("reproduce", "mnist-mlp", "--seed", "2147483647", "--seeds", "2")]
    public void BadArguments_AreUsageErrors(params string[] args)
    {
        Assert.Equal(2, Run(args).Code);
    }

    [Fact]
    public void OutAtAnExistingFile_IsAUsageError_BeforeAnyTraining()
    {
        string file = Path.Combine(_dir, "taken.txt");
        File.WriteAllText(file, "keep me");
        var (code, output, err) = Run("reproduce", "mnist-mlp", "--data", WriteTinyMnist(gzip: false), "--out", file, "--epochs", "1");
        Assert.Equal(2, code);
        Assert.Contains($"--out {file} is a file", err);
        Assert.DoesNotContain("Epoch 1/1", output);
        Assert.Equal("keep me", File.ReadAllText(file));
    }

    [Fact]
    public void ALimitedRun_IsNotJudged_InOneLine_AndDefaultsToItsOwnFolderOfTheCheckout()
    {
        var (code, output, err) = Run("reproduce", "mnist-mlp", "--data", WriteTinyMnist(gzip: false), "--epochs", "1", "--limit", "30", "--seed", "9");
        Assert.True(code == 0, err);
        string folder = Path.Combine(RefNet.Tests.Common.GoldenFile.RepositoryRoot, "artifacts", "mnist-mlp-limit-30");
        try
        {
            Assert.Contains($"Wrote {Path.Combine(folder, "curve.csv")}", output);
            Assert.Single(output.Split('\n'), l => l.Contains("NOT JUDGED", StringComparison.Ordinal));
            Assert.DoesNotContain("FAIL", output);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Checkpoint_ThenResumeFromAnEarlierEpoch_EndsWithTheStraightRunsWeights()
    {
        string data = WriteTinyMnist(gzip: false);
        string[] common = ["reproduce", "mnist-mlp", "--data", data, "--epochs", "3", "--seed", "2"];
        static string Sha(string output) => output.Split('\n').Single(l => l.StartsWith("Final weights SHA-256: ", StringComparison.Ordinal))[23..].Trim();
        var (code, straight, err) = Run([.. common, "--out", Path.Combine(_dir, "s")]);
        Assert.True(code == 0, err);
        string ckpt = Path.Combine(_dir, "ckpt");
        (code, string saved, err) = Run([.. common, "--out", Path.Combine(_dir, "c"), "--checkpoint", ckpt]);
        Assert.True(code == 0, err);
        Assert.Equal(Sha(straight), Sha(saved)); // checkpointing changes nothing
        Assert.Equal(["epoch-01.rfn", "epoch-02.rfn", "epoch-03.rfn"], Directory.GetFiles(ckpt).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        string first = Path.Combine(ckpt, "epoch-01.rfn");
        (code, string resumed, err) = Run([.. common, "--out", Path.Combine(_dir, "r"), "--resume", first]);
        Assert.True(code == 0, err);
        Assert.Contains($"Resumed from {first} after epoch 1 of 3: Keras profile Keras 2.0.8", resumed);
        Assert.Contains("Epoch 2/3", resumed);
        Assert.DoesNotContain("Epoch 1/3", resumed);
        Assert.Equal(Sha(straight), Sha(resumed));
        // A weights-only or stateless file cannot be resumed: a usage error naming it.
        var net = RefNet.Engine.Network<float>.Load(first);
        string bare = Path.Combine(_dir, "bare.rfn");
        net.Save(bare, includeOptimizer: false);
        (code, _, err) = Run([.. common, "--out", Path.Combine(_dir, "b"), "--resume", bare]);
        Assert.Equal(2, code);
        Assert.Contains("bare.rfn has no training state", err);
    }
}
