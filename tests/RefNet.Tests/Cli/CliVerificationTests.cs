// The refnet CLI's verification commands, run in-process through Cli.Run: summary (--dense, --config)
// and gradcheck; bad arguments give exit code 2 and one line on stderr, never a stack trace.
using System.Text.Json;
using RefNet.Cli;
using RefNet.Tensors;
using RefNet.Tests.Common;
using RefNet.Verification;
using Xunit;

namespace RefNet.Tests.Cli;

public class CliVerificationTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = RefNet.Cli.Cli.Run(args, output, error);
        return (code, output.ToString().Replace("\r\n", "\n"), error.ToString());
    }

    private static string Golden271 => GoldenFile.ReadText("published/summary_271.txt");

    private static void AssertOneLineError(string err)
    {
        string[] lines = err.TrimEnd('\n', '\r').Split('\n');
        Assert.Single(lines);
        Assert.StartsWith("refnet", lines[0]);
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public void Summary_Dense_Prints271Table()
    {
        var (code, output, _) = Run("summary", "--dense", "20:10:sigmoid,5:sigmoid,1:sigmoid");
        Assert.Equal(0, code);
        Assert.Equal(Golden271, output);
    }

    [Fact]
    public void Summary_Config_Prints271Table()
    {
        JsonElement model = GoldenFile.Load("published/parameter_counts.json").Case("slides_271").GetProperty("model");
        string path = Path.Combine(Path.GetTempPath(), $"refnet-config-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, model.GetRawText());
        try
        {
            var (code, output, err) = Run("summary", "--config", path);
            Assert.True(code == 0, err);
            Assert.Equal(Golden271, output);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Summary_BadConfig_ExitsOneNamingLayerAndField()
    {
        string path = Path.Combine(Path.GetTempPath(), $"refnet-bad-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{"class_name":"Sequential","config":{"layers":[{"class_name":"Dense","config":{"units":3,"input_shape":[2]}},{"class_name":"Dense","config":{"units":0}}]}}""");
        try
        {
            var (code, _, err) = Run("summary", "--config", path);
            Assert.Equal(1, code);
            AssertOneLineError(err);
            Assert.Contains("layer 1", err);
            Assert.Contains("units", err);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Summary_MissingConfigFile_ExitsOne()
    {
        var (code, _, err) = Run("summary", "--config", "/nonexistent/model.json");
        Assert.Equal(1, code);
        AssertOneLineError(err);
    }

    [Theory]
    [InlineData("summary")]
    [InlineData("summary", "--bogus")]
    [InlineData("summary", "--dense", "20:10", "--config", "x.json")]
    [InlineData("summary", "--dense", "20:zero")]
    [InlineData("gradcheck", "--bogus")]
    [InlineData("gradcheck", "--seed", "seven")]
    [InlineData("no-such-command")]
    public void BadArguments_ExitTwoWithOneLineError(params string[] args)
    {
        var (code, _, err) = Run(args);
        Assert.Equal(2, code);
        AssertOneLineError(err);
    }

    [Theory]
    [InlineData("summary", "--config")]
    [InlineData("summary", "--dense")]
    [InlineData("gradcheck", "--seed")]
    public void OptionWithoutValue_SaysItNeedsAValue(params string[] args)
    {
        var (code, _, err) = Run(args);
        Assert.Equal(2, code);
        AssertOneLineError(err);
        Assert.Contains($"{args[^1]} needs a value", err);
    }

    [Fact]
    public void Summary_UnknownActivation_ExitsOneWithoutTheParameterSuffix()
    {
        var (code, _, err) = Run("summary", "--dense", "20:10:swish");
        Assert.Equal(1, code);
        AssertOneLineError(err);
        Assert.Contains("'swish'", err);
        Assert.DoesNotContain("(Parameter", err);
    }

    [Fact]
    public void Summary_CorruptJson_ExitsOneNamingTheFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"refnet-corrupt-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, "{\"class_name\": \"Seq");
        try
        {
            var (code, _, err) = Run("summary", "--config", path);
            Assert.Equal(1, code);
            AssertOneLineError(err);
            Assert.Contains(path, err);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void GradCheck_AllRegisteredChecksPass()
    {
        var (code, output, err) = Run("gradcheck");
        Assert.True(code == 0, output + err);
        foreach (GradientCheckCase c in GradientCheckSuite.Cases)
        {
            Assert.Contains(c.Name, output);
        }
        Assert.Contains(" 0 failed", output);
        Assert.DoesNotContain(" NO", output);
    }

    [Fact]
    public void GradCheck_AllBackends_EveryCheckPassesOnEveryBackend()
    {
        var (code, output, err) = Run("gradcheck", "--all-backends");
        Assert.True(code == 0, output + err);
        int n = GradientCheckSuite.Cases.Count;
        int expectedBackends = 3 + (RefNet.Backends.Cpu.OpenBlasGemm.IsAvailable ? 1 : 0) + (RefNet.Backends.Ilgpu.IlgpuDevices.CudaAvailable() ? 1 : 0);
        Assert.Equal(expectedBackends, output.Split('\n').Count(l => l.StartsWith($"{n} checks, {n} passed, 0 failed", StringComparison.Ordinal)));
        foreach (string backend in new[] { "reference (plain loops)", "fast (managed GEMM)", "ilgpu-cpu" })
        {
            Assert.Contains($"backend: {backend}", output);
        }
    }

    [Fact]
    public void GradCheck_UnknownBackend_IsAUsageError()
    {
        var (code, _, err) = Run("gradcheck", "--backend", "tpu");
        Assert.Equal(2, code);
        Assert.Contains("tpu", err);
    }

    [Fact]
    public void GradCheck_IncludesEveryKindOfOp()
    {
        string[] names = GradientCheckSuite.Cases.Select(c => c.Name).ToArray();
        foreach (string expected in new[] { "Dense(5, relu)", "Activation(softmax)", "Dropout", "MeanSquaredError", "MeanAbsoluteError",
                     "BinaryCrossentropy", "CategoricalCrossentropy", "L1 regularizer", "L2 regularizer", "Network" })
        {
            Assert.Contains(names, n => n.StartsWith(expected, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void AnUnexpectedException_IsOneLineWithItsType_NotAStackTrace()
    {
        const string name = "zz planted crash (test only)";
        GradientCheckSuite.Register(new GradientCheckCase(name, _ => throw new IndexOutOfRangeException("planted")));
        try
        {
            var (code, _, err) = Run("gradcheck");
            Assert.Equal(3, code);
            AssertOneLineError(err);
            Assert.Contains("IndexOutOfRangeException", err);
            Assert.Contains("planted", err);
        }
        finally
        {
            GradientCheckSuite.Unregister(name);
        }
    }

    [Fact]
    public void GradCheck_AFailingCheck_ExitsOneAndExplains()
    {
        const string name = "zz planted failure (test only)";
        GradientCheckSuite.Register(new GradientCheckCase(name, _ =>
            new GradientCheckResult(name, new Shape(1, 1), false, 1e-7, 0.5, "input", [0, 0], 1.0, 3.0, 1, 1.0, null)));
        try
        {
            var (code, output, _) = Run("gradcheck", "--seed", "3");
            Assert.Equal(1, code);
            Assert.Contains("NO", output);
            Assert.Contains("FAIL " + name, output);
            Assert.Contains("1 failed", output);
        }
        finally
        {
            GradientCheckSuite.Unregister(name);
        }
    }
}
