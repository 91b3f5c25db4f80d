// The proof that the cases are right: an independent implementation (PyTorch: its own ops and autograd, torch.optim)
// passes every case, in float64 and float32; a student's from-scratch NumPy MLP passes the cases it implements; and the
// same MLP with one wrong derivative fails exactly the cases that use it. Needs Debian's python3-torch (CI installs it
// and sets REFNET_REQUIRE_PYTORCH=1, so a missing PyTorch fails there instead of skipping).
using System.Diagnostics;
using RefNet.Conformance;
using RefNet.Tests.Common;
using Xunit;

namespace RefNet.Tests.Conformance;

[Collection(RefNet.Tests.Common.ChildProcessCollection.Name)]
public sealed class AdapterTests
{
    private const string Python = "/usr/bin/python3";

    private static readonly Lazy<string?> Missing = new(() =>
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(Python, ["-c", "import numpy, torch"]) { RedirectStandardError = true });
            p!.WaitForExit();
            return p.ExitCode == 0 ? null : "python3-torch (with numpy) is not installed for /usr/bin/python3";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "/usr/bin/python3 is missing";
        }
    });

    private static void RequirePyTorch()
    {
        if (Missing.Value is string why)
        {
            Assert.False(Environment.GetEnvironmentVariable("REFNET_REQUIRE_PYTORCH") == "1", $"REFNET_REQUIRE_PYTORCH=1 but {why}");
            Skip.If(true, why);
        }
    }

    private static string Example(string path) => Path.Combine(GoldenFile.RepositoryRoot, "examples", path);

    private static (int Code, string Out) Run(params string[] args)
    {
        var output = new StringWriter();
        int code = RefNet.Cli.Cli.Run(args, output, new StringWriter());
        return (code, output.ToString().Replace("\r\n", "\n"));
    }

    private static string Export(string dtype, string? include = null, string keras = "2.3.1")
    {
        string dir = Path.Combine(Path.GetTempPath(), $"refnet-cases-{dtype}-{Guid.NewGuid():N}");
        string[] args = ["cases", "export", dir, "--dtype", dtype, "--keras", keras, .. include is null ? Array.Empty<string>() : ["--include", include]];
        Assert.Equal(0, Run(args).Code);
        return dir;
    }

    private static string LastLine(string text) => text.TrimEnd('\n').Split('\n')[^1];

    [SkippableTheory]
    [InlineData("f64")]
    [InlineData("f32")]
    public void PyTorch_PassesEveryCase(string dtype)
    {
        RequirePyTorch();
        string cases = Export(dtype);
        try
        {
            var (code, output) = Run("verify", "--cases", cases, "--exec", $"{Python} {Example("verify-pytorch/adapter.py")} {{case}} {{out}}", "--timeout", "120");
            int exported = Verifier.FindCases(cases).Count;
            // Declared in adapter.py: parameter counts are Keras bookkeeping (the published numbers prove those cases);
            // torch.optim.Adamax puts ε inside the max where Keras puts it outside; torch 1.13's NAdam counts μ_t twice.
            int skips = CaseLibrary.All.Count(c => c.Kind == "parameters") + 2;
            Assert.True(code == 0, output);
            Assert.Equal($"verify: {exported - skips} passed, 0 failed, {skips} skipped", LastLine(output));
            Assert.Equal(CaseLibrary.All.Count - (dtype == "f32" ? CaseLibrary.All.Count(c => c.Float64Only is not null) : 0), exported);
            Assert.All(output.Split('\n').Where(l => l.StartsWith("SKIP", StringComparison.Ordinal)),
                l => Assert.True(l.Contains("golden/parameters/", StringComparison.Ordinal)
                    || l.StartsWith("SKIP  optimizer/adamax: unsupported: Adamax: torch.optim.Adamax adds ε inside the max", StringComparison.Ordinal)
                    || l.StartsWith("SKIP  optimizer/nadam: unsupported: Nadam: torch 1.13's NAdam counts μ_t twice", StringComparison.Ordinal), l));
        }
        finally
        {
            Directory.Delete(cases, recursive: true);
        }
    }

    [SkippableFact]
    public void PyTorch_UnderTfKeras215_SkipsExactlyTheDeclaredExceptions_AndPassesTheRest()
    {
        // tf.keras 2.11+ optimizers put ε inside the root for RMSprop and Adagrad; torch.optim cannot (declared in adapter.py).
        RequirePyTorch();
        string cases = Export("f64", "^(optimizer/|layer/lstm/default|layer/batch_normalization/training|loss/binary_crossentropy/probabilities)", "tf-2.15");
        try
        {
            var (code, output) = Run("verify", "--cases", cases, "--exec", $"{Python} {Example("verify-pytorch/adapter.py")} {{case}} {{out}}", "--timeout", "120");
            Assert.True(code == 0, output);
            string[] skipped = [.. output.Split('\n').Where(l => l.StartsWith("SKIP", StringComparison.Ordinal))];
            Assert.Equal(4, skipped.Length);
            Assert.Contains(skipped, l => l.StartsWith("SKIP  optimizer/adamax: unsupported: Adamax", StringComparison.Ordinal));
            Assert.Contains(skipped, l => l.StartsWith("SKIP  optimizer/nadam: unsupported: Nadam", StringComparison.Ordinal));
            Assert.Contains(skipped, l => l.StartsWith("SKIP  optimizer/rmsprop: unsupported: RMSprop with ε inside the root", StringComparison.Ordinal));
            Assert.Contains(skipped, l => l.StartsWith("SKIP  optimizer/adagrad: unsupported: Adagrad with ε inside the root", StringComparison.Ordinal));
            Assert.Equal("verify: 9 passed, 0 failed, 4 skipped", LastLine(output));
        }
        finally
        {
            Directory.Delete(cases, recursive: true);
        }
    }

    [SkippableFact]
    public void NumPyMlp_PassesTheDenseActivationLossSgdAndPublishedCases_AndSkipsTheRest()
    {
        RequirePyTorch();
        string cases = Export("f64");
        try
        {
            var (code, output) = Run("verify", "--cases", cases, "--exec", $"{Python} {Example("verify-numpy/mlp.py")} {{case}} {{out}}");
            Assert.True(code == 0, output);
            string[] passed = [.. output.Split('\n').Where(l => l.StartsWith("PASS", StringComparison.Ordinal)).Select(l => l[6..])];
            Assert.Equal(26, passed.Length);
            Assert.Contains("golden/log_loss/customers_10", passed);
            Assert.Contains("golden/log_loss/two_class_table", passed);
            Assert.Contains("golden/log_loss/two_doctors/Paulo", passed);
            Assert.Contains("golden/softmax/softmax_3_1_0.2", passed);
            Assert.Contains("layer/dense/sigmoid", passed);
            Assert.Contains("loss/binary_crossentropy/clipped", passed);
            Assert.Contains("network/mlp_step/sgd", passed);
            Assert.Contains("optimizer/sgd", passed);
            Assert.Equal($"verify: 26 passed, 0 failed, {CaseLibrary.All.Count - 26} skipped", LastLine(output));
        }
        finally
        {
            Directory.Delete(cases, recursive: true);
        }
    }

    [SkippableFact]
    public void NumPyMlp_WithAPlantedWrongSigmoidDerivative_FailsExactlyTheCasesThatUseIt()
    {
        RequirePyTorch();
        string cases = Export("f64", "^(activation/|layer/dense/|loss/|optimizer/sgd$|network/mlp_step/sgd$)");
        try
        {
            var (code, output) = Run("verify", "--cases", cases, "--exec", $"env PLANT_BUG=sigmoid_derivative {Python} {Example("verify-numpy/mlp.py")} {{case}} {{out}}");
            Assert.Equal(1, code);
            string[] failed = [.. output.Split('\n').Where(l => l.StartsWith("FAIL", StringComparison.Ordinal)).Select(l => l[6..l.IndexOf(':')])];
            Assert.Equal(["activation/sigmoid", "layer/dense/sigmoid", "network/mlp_step/sgd"], failed);
            Assert.Contains("FAIL  activation/sigmoid: grad_x: ", output); // the forward pass y is still right
        }
        finally
        {
            Directory.Delete(cases, recursive: true);
        }
    }

    [SkippableFact]
    public void NumPy_ReadsRefNetsNpy_AndRefNetReadsNumPys()
    {
        RequirePyTorch();
        string dir = Path.Combine(Path.GetTempPath(), $"refnet-npy-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            Npy.Write(Path.Combine(dir, "a.npy"), new NpyArray("float32", [2, 3], [1, -2, 0.5, 3, 4, 1e-8]));
            string script = "import numpy as np, sys; d = sys.argv[1]; a = np.load(d + '/a.npy'); " +
                "assert a.dtype == np.float32 and a.shape == (2, 3) and a[1, 2] == np.float32(1e-8), a; " +
                "np.save(d + '/b.npy', np.arange(6, dtype=np.int64).reshape(3, 2) - 2); np.save(d + '/c.npy', np.float64(2.5))";
            using var p = Process.Start(new ProcessStartInfo(Python, ["-c", script, dir]) { RedirectStandardError = true })!;
            string err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, err);
            NpyArray b = Npy.Read(Path.Combine(dir, "b.npy"));
            Assert.Equal("int64", b.Dtype);
            Assert.Equal(new[] { 3, 2 }, b.Shape);
            Assert.Equal(new double[] { -2, -1, 0, 1, 2, 3 }, b.Values);
            NpyArray c = Npy.Read(Path.Combine(dir, "c.npy"));
            Assert.Empty(c.Shape);
            Assert.Equal(new[] { 2.5 }, c.Values);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
