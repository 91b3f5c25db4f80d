// refnet verify against hand-made results: the expected tensors themselves pass, a perturbed element fails with its index
// and values, and every kind of bad input (malformed case, missing, truncated or misshapen results, a command that
// crashes or hangs, a non-deterministic command) fails that case with one line while the others still run.
using System.Text.Json;
using System.Xml.Linq;
using RefNet.Conformance;
using RefNet.Conventions;
using RefNet.Engine;
using RefNet.Serialization;
using Xunit;

namespace RefNet.Tests.Conformance;

[Collection(RefNet.Tests.Common.ChildProcessCollection.Name)]
public sealed class VerifierTests : IDisposable
{
    private const string Selection = "^(optimizer/rmsprop|optimizer/adam|loss/mean_squared_error|layer/dense/relu|network/mlp_step/sgd)$";
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"refnet-verify-test-{Guid.NewGuid():N}");

    public VerifierTests()
    {
        Cases = Path.Combine(_root, "cases");
        Results = Path.Combine(_root, "results");
        Assert.Equal(0, Run("cases", "export", Cases, "--include", Selection).Code);
        // A correct implementation: the expected results themselves, copied into a results folder.
        foreach (string file in Directory.EnumerateFiles(Cases, "*.npy", SearchOption.AllDirectories))
        {
            string target = Path.Combine(Results, Path.GetRelativePath(Cases, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private string Cases { get; }

    private string Results { get; }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = RefNet.Cli.Cli.Run(args, output, error);
        return (code, output.ToString().Replace("\r\n", "\n"), error.ToString());
    }

    private static string LastLine(string text) => text.TrimEnd('\n').Split('\n')[^1];

    private string ResultFile(string caseId, string file) => Path.Combine(Results, caseId, file);

    private void Perturb(string caseId, string file, int index, Func<double, double> change)
    {
        string path = ResultFile(caseId, file);
        NpyArray a = Npy.Read(path);
        double[] values = (double[])a.Values.Clone();
        values[index] = change(values[index]);
        Npy.Write(path, a with { Values = values });
    }

    [Fact]
    public void TheExpectedTensors_PassEveryCase_AndTheLastLineCountsThem()
    {
        var (code, output, _) = Run("verify", "--cases", Cases, "--results", Results);
        Assert.Equal(0, code);
        Assert.Equal("verify: 5 passed, 0 failed, 0 skipped", LastLine(output));
    }

    [Fact]
    public void AWrongElement_FailsItsCase_NamingTensorIndexValuesAndTolerance_OthersPass()
    {
        Perturb("layer/dense/relu", "grad_kernel.npy", 7, v => v + 1e-6);
        var (code, output, _) = Run("verify", "--cases", Cases, "--results", Results);
        Assert.Equal(1, code);
        Assert.Equal("verify: 4 passed, 1 failed, 0 skipped", LastLine(output));
        string line = output.Split('\n').Single(l => l.StartsWith("FAIL", StringComparison.Ordinal));
        Assert.Contains("layer/dense/relu: grad_kernel: 1 / 20 mismatched; worst at (1, 3)", line);
        Assert.Contains("abs error 1", line); // 1.0000000xE-06
        Assert.Contains("allowed ", line);
    }

    [Fact]
    public void AnErrorWithinTheTolerance_Passes()
    {
        // One unit in the last place of a float64 result is far inside c·√K·u·M.
        Perturb("layer/dense/relu", "y.npy", 2, v => Math.BitIncrement(v));
        Assert.Equal(0, Run("verify", "--cases", Cases, "--results", Results).Code);
    }

    [Fact]
    public void NaN_IsNeverWithinTolerance_ButNaNMatchesNaN()
    {
        var tensor = new CaseTensor("y", "output", "y.npy", [2], "float64", Tolerance: new CaseTolerance(1, 1, 1, "loose"));
        Assert.False(Verifier.Compare(tensor, new NpyArray("float64", [2], [1, 2]), new NpyArray("float64", [2], [1, double.NaN])).Passed);
        Assert.True(Verifier.Compare(tensor, new NpyArray("float64", [2], [1, double.NaN]), new NpyArray("float64", [2], [1, double.NaN])).Passed);
        Assert.False(Verifier.Compare(tensor, new NpyArray("float64", [2], [1, double.PositiveInfinity]), new NpyArray("float64", [2], [1, double.NegativeInfinity])).Passed);
    }

    [Theory]
    [InlineData("right", null)]
    [InlineData("too wide", "but the distribution's support is")]
    [InlineData("too narrow", "sample variance")]
    [InlineData("shifted", "sample mean")]
    [InlineData("nan", "is NaN")]
    public void AnInitializerDraw_IsJudgedByItsDistribution(string kind, string? reason)
    {
        CaseBuilder b = CaseLibrary.Find("initializer/glorot_uniform")!.Create();
        CaseTensor sample = b.Build().Results.Single();
        double limit = sample.Statistics!.Max!.Value;
        var random = new Random(5);
        double[] draw = [.. Enumerable.Range(0, 60000).Select(_ => (2 * random.NextDouble()) - 1).Select(u => kind switch
        {
            "too wide" => u * limit * 1.01,
            "too narrow" => u * limit * 0.97,
            "shifted" => (u * limit * 0.98) + (0.02 * limit),
            _ => u * limit,
        })];
        if (kind == "nan")
        {
            draw[17] = double.NaN;
        }
        TensorComparison c = Verifier.Compare(sample, b.Arrays["sample"], new NpyArray("float64", [200, 300], draw));
        Assert.Equal(reason is null, c.Passed);
        if (reason is not null)
        {
            Assert.Contains(reason, c.Problem);
        }
    }

    [Theory]
    [InlineData("signed permutation", null)]
    [InlineData("independent normal", "not orthogonal")]
    [InlineData("one row 1% short", "not orthogonal")]
    [InlineData("too wide", "but the distribution's support is")]
    public void AnOrthogonalDraw_NeedsOrthonormalRows_NotOnlyItsMoments(string kind, string? reason)
    {
        // The (200, 300) kernel's rows must be orthonormal. A signed partial permutation (row i = ±e_π(i), built here) is
        // orthogonal; independent N(0, 1/300) entries have the right moments but W·Wᵀ ≠ I; so does one row 1% too short.
        CaseBuilder b = CaseLibrary.Find("initializer/orthogonal")!.Create();
        CaseTensor sample = b.Build().Results.Single();
        Assert.Equal(1.0, sample.Statistics!.OrthogonalGain);
        var random = new Random(11);
        var draw = new double[200 * 300];
        int[] columns = [.. Enumerable.Range(0, 300).OrderBy(_ => random.Next())];
        for (int r = 0; r < 200; r++)
        {
            double sign = random.Next(2) == 0 ? -1 : 1;
            if (kind == "independent normal")
            {
                for (int col = 0; col < 300; col++)
                {
                    draw[(r * 300) + col] = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()) / Math.Sqrt(300);
                }
            }
            else
            {
                draw[(r * 300) + columns[r]] = sign * (kind == "one row 1% short" && r == 7 ? 0.99 : kind == "too wide" && r == 3 ? 1.5 : 1);
            }
        }
        TensorComparison c = Verifier.Compare(sample, b.Arrays["sample"], new NpyArray("float64", [200, 300], draw));
        Assert.Equal(reason is null, c.Passed);
        if (reason is not null)
        {
            Assert.Contains(reason, c.Problem);
        }
        if (kind == "one row 1% short")
        {
            Assert.Contains("W·Wᵀ(7, 7) is 0.9801", c.Problem);
        }
    }

    [Theory]
    [InlineData("golden/parameters/mnist_cnn", 8)]
    [InlineData("golden/parameters/slides_271", 3)]
    [InlineData("golden/parameters/mnist_mlp", 5)]
    [InlineData("golden/parameters/lstm_slides", 2)]
    public void PublishedSummaryCases_CarryTheSummaryTable_AndRefNetsModelFromTheCasesOpPassesThem(string id, int layers)
    {
        // The case's output shapes and trainable counts come from golden/published/summary_*.txt; RefNet's network built
        // from the case's own op (the Keras config) must produce them, layer by layer, and its table must be that file.
        CaseBuilder b = CaseLibrary.Find(id)!.Create();
        ConformanceCase c = b.Build();
        Network<double> net = ModelConfig.FromJson<double>(c.OpJson!);
        Assert.Equal(layers, net.Layers.Count);
        for (int k = 0; k < layers; k++)
        {
            Assert.Equal(b.Arrays[$"output_shape_{k}"].Values, net.Layers[k].OutputShape!.ToArray().Select(d => (double)d));
        }
        Assert.False(b.Arrays.ContainsKey($"output_shape_{layers}"));
        Assert.Equal(b.Arrays["trainable_params"].Values.Single(), net.Layers.Sum(l => l.TrainableParameters.Sum(p => p.Count)));
        Assert.Equal(b.Arrays["non_trainable_params"].Values.Single(), net.Layers.Sum(l => l.NonTrainableParameters.Sum(p => p.Count)));
        Assert.Equal(b.Arrays["total_params"].Values.Single(), net.CountParameters());
        string file = JsonDocument.Parse(File.ReadAllText(Path.Combine(GoldenFileRoot, "parameter_counts.json"))).RootElement.GetProperty("cases")
            .EnumerateArray().First(e => id.EndsWith("/" + e.GetProperty("id").GetString(), StringComparison.Ordinal)).GetProperty("summary_file").GetString()!;
        Assert.Equal(File.ReadAllText(Path.Combine(RefNet.Tests.Common.GoldenFile.RepositoryRoot, "golden", file)).ReplaceLineEndings("\n"), net.Summary().ReplaceLineEndings("\n"));
        Assert.Contains(file, c.Provenance);
    }

    private static string GoldenFileRoot => Path.Combine(RefNet.Tests.Common.GoldenFile.RepositoryRoot, "golden", "published");

    [Fact]
    public void BadResults_FailOnlyTheirCase_WithOneLineEach()
    {
        File.Delete(ResultFile("loss/mean_squared_error", "grad_y_pred.npy"));
        Npy.Write(ResultFile("layer/dense/relu", "y.npy"), new NpyArray("float64", [5, 3], new double[15]));
        byte[] bytes = File.ReadAllBytes(ResultFile("optimizer/adam", "params.npy"));
        File.WriteAllBytes(ResultFile("optimizer/adam", "params.npy"), bytes[..^8]);
        Directory.Delete(Path.Combine(Results, "optimizer", "rmsprop"), recursive: true);
        var (code, output, _) = Run("verify", "--cases", Cases, "--results", Results);
        Assert.Equal(1, code);
        Assert.Equal("verify: 1 passed, 4 failed, 0 skipped", LastLine(output));
        Assert.Contains("FAIL  loss/mean_squared_error: grad_y_pred: missing results file grad_y_pred.npy", output);
        Assert.Contains("FAIL  layer/dense/relu: y: shape (5, 3) but the case expects (3, 4) (y.npy)", output);
        Assert.Contains("FAIL  optimizer/adam: params: unreadable results file: ", output);
        Assert.Contains("data is truncated", output);
        Assert.Contains("FAIL  optimizer/rmsprop: no results folder ", output);
        Assert.Contains("PASS  network/mlp_step/sgd", output);
    }

    [Fact]
    public void AMalformedCaseJson_FailsThatCase_AndTheRunGoesOn()
    {
        File.WriteAllText(Path.Combine(Cases, "loss", "mean_squared_error", "case.json"), "{\"format\": \"refnet-case/1\", \"id\": ");
        File.WriteAllText(Path.Combine(Cases, "optimizer", "adam", "case.json"), "{\"format\": \"onnx\"}");
        var (code, output, _) = Run("verify", "--cases", Cases, "--results", Results);
        Assert.Equal(1, code);
        Assert.Contains("FAIL  loss/mean_squared_error: case is unreadable: ", output);
        Assert.Contains("not valid JSON", output);
        Assert.Contains("format 'onnx' is not 'refnet-case/1'", output);
        Assert.Equal("verify: 3 passed, 2 failed, 0 skipped", LastLine(output));
    }

    [Fact]
    public void Filters_SelectCases_AndXfailCountsAsSkipped()
    {
        Perturb("optimizer/adam", "params.npy", 0, v => v * 2);
        var (code, output, _) = Run("verify", "--cases", Cases, "--results", Results, "--include", "^optimizer/", "--xfail", "adam");
        Assert.Equal(0, code);
        Assert.Contains("XFAIL optimizer/adam", output);
        Assert.Equal("verify: 1 passed, 0 failed, 1 skipped", LastLine(output));
        (code, output, _) = Run("verify", "--cases", Cases, "--results", Results, "--exclude", "adam");
        Assert.Equal(0, code);
        Assert.Equal("verify: 4 passed, 0 failed, 0 skipped", LastLine(output));
    }

    [Fact]
    public void Trace_NamesTheFirstTensorThatDiffers_InForwardBackwardUpdateOrder_AndWhatMatchedBefore()
    {
        Perturb("network/mlp_step/sgd", "dense_2.kernel_after.npy", 0, v => v + 1);
        Perturb("network/mlp_step/sgd", "grad_dense_1.kernel.npy", 3, v => v + 1);
        var (_, output, _) = Run("verify", "--cases", Cases, "--results", Results, "--include", "network", "--trace");
        Assert.Contains("FAIL  network/mlp_step/sgd: first difference (after 6 matching: dense_1.output, dense_2.output, loss, " +
            "grad_dense_2.bias, grad_dense_2.kernel, grad_dense_1.bias): grad_dense_1.kernel: 1 / 12 mismatched; worst at (0, 3)", output);
        Assert.Contains("and 1 more tensor: dense_2.kernel_after", output);
        Perturb("network/mlp_step/sgd", "dense_1.output.npy", 3, v => v + 1);
        (_, output, _) = Run("verify", "--cases", Cases, "--results", Results, "--include", "network", "--trace");
        Assert.Contains("FAIL  network/mlp_step/sgd: first difference: dense_1.output: 1 / 20 mismatched; worst at (0, 3)", output);
    }

    [Fact]
    public void Repeat_ALaterRunThatCrashes_FailsTheCase()
    {
        string script = Path.Combine(_root, "flaky.sh");
        string counter = Path.Combine(_root, "count");
        File.WriteAllText(script, $"n=$(cat '{counter}' 2>/dev/null || echo 0); echo $((n + 1)) > '{counter}'; " +
            "[ \"$n\" -ge 1 ] && { echo 'second run broke' >&2; exit 4; }; cp \"$1\"/*.npy \"$2\"/\n");
        var (code, output, _) = Run("verify", "--cases", Cases, "--include", "loss/", "--exec", $"sh {script} {{case}} {{out}}", "--repeat", "2");
        Assert.Equal(1, code);
        Assert.Contains("FAIL  loss/mean_squared_error: not deterministic: run 2 of 2: --exec exited with code 4: second run broke", output);
    }

    [Fact]
    public void CaseJson_WithFieldsOfTheWrongType_FailsThatCaseOnly()
    {
        string path = Path.Combine(Cases, "loss", "mean_squared_error", "case.json");
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"tags\": [", "\"tags\": [7, ", StringComparison.Ordinal));
        string adam = Path.Combine(Cases, "optimizer", "adam", "case.json");
        string text = File.ReadAllText(adam);
        int at = text.IndexOf("\"tolerance\": {", StringComparison.Ordinal);
        File.WriteAllText(adam, text[..at] + "\"tolerance\": null, \"x\": {" + text[(at + "\"tolerance\": {".Length)..]);
        var (code, output, _) = Run("verify", "--cases", Cases, "--results", Results);
        Assert.Equal(1, code);
        Assert.Contains("FAIL  loss/mean_squared_error: case is unreadable: ", output);
        Assert.Contains("FAIL  optimizer/adam: case is unreadable: ", output);
        Assert.Equal("verify: 3 passed, 2 failed, 0 skipped", LastLine(output));
    }

    [Fact]
    public void JUnit_CarriesStderrWithControlCharacters()
    {
        string script = Path.Combine(_root, "ansi.sh");
        File.WriteAllText(script, "printf '\\033[31mred error\\033[0m\\n' >&2; exit 2\n");
        string junit = Path.Combine(_root, "j.xml");
        Run("verify", "--cases", Cases, "--include", "loss/", "--exec", $"sh {script} {{case}} {{out}}", "--junit", junit);
        XElement failure = XDocument.Load(junit).Root!.Element("testcase")!.Element("failure")!;
        Assert.Contains("red error", failure.Attribute("message")!.Value);
    }

    [Fact]
    public void AResultFromAnotherProfile_IsExplained_AsThatProfilesConvention()
    {
        // ε inside the root (tf.keras 2.11+ RMSprop) and the paper's Adam form (TensorFlow.js) on the cases' own givens.
        foreach ((string id, KerasProfile profile) in new[] { ("optimizer/rmsprop", KerasProfile.TfKeras215), ("optimizer/adam", KerasProfile.TfJs422) })
        {
            CaseBuilder other = CaseLibrary.Find(id)!.Create("float64", profile, 0);
            Npy.Write(ResultFile(id, "params.npy"), other.Arrays["params"]);
        }
        var (code, output, _) = Run("verify", "--cases", Cases, "--results", Results, "--include", "^optimizer/");
        Assert.Equal(1, code);
        string rms = output.Split('\n').Single(l => l.Contains("optimizer/rmsprop", StringComparison.Ordinal));
        Assert.Contains("matches tf.keras 2.15's convention (--keras tf-2.15)", rms);
        Assert.Contains("rmsprop.epsilon_placement", rms);
        Assert.DoesNotContain("adam.", rms);
        Assert.DoesNotContain("adagrad.", rms);
        string adam = output.Split('\n').Single(l => l.Contains("optimizer/adam", StringComparison.Ordinal));
        Assert.Contains("matches TensorFlow.js 4.22's convention (--keras tfjs-4.22)", adam);
        Assert.Contains("adam.epsilon_form", adam);
        Assert.DoesNotContain("rmsprop.", adam);
    }

    [Fact]
    public void AWrongResultThatNoProfileExplains_HasNoExplanation()
    {
        Perturb("optimizer/rmsprop", "params.npy", 5, v => v + 0.01);
        var (_, output, _) = Run("verify", "--cases", Cases, "--results", Results, "--include", "rmsprop");
        Assert.DoesNotContain("matches", output);
    }

    [Fact]
    public void Reports_MarkdownJsonAndJUnit_CarryTheSameVerdicts()
    {
        Perturb("optimizer/adam", "params.npy", 0, v => v * 2);
        string md = Path.Combine(_root, "r.md"), json = Path.Combine(_root, "r.json"), junit = Path.Combine(_root, "r.xml");
        Run("verify", "--cases", Cases, "--results", Results, "--report-md", md, "--report-json", json, "--junit", junit);
        string markdown = File.ReadAllText(md);
        Assert.Contains("| `optimizer/adam` | failed |", markdown);
        Assert.Contains("| `layer/dense/relu` | passed |", markdown);
        Assert.Contains("## optimizer/adam", markdown);
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal("verify: 4 passed, 1 failed, 0 skipped", doc.RootElement.GetProperty("summary").GetString());
        JsonElement adam = doc.RootElement.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("id").GetString() == "optimizer/adam");
        JsonElement t = adam.GetProperty("tensors")[0];
        Assert.Equal("(0, 0, 0)", t.GetProperty("worst_index").GetString());
        Assert.Equal(2 * t.GetProperty("expected").GetDouble(), t.GetProperty("actual").GetDouble());
        XElement suite = XDocument.Load(junit).Root!;
        Assert.Equal("5", suite.Attribute("tests")!.Value);
        Assert.Equal("1", suite.Attribute("failures")!.Value);
        XElement failed = suite.Elements("testcase").Single(e => e.Element("failure") is not null);
        Assert.Equal("optimizer", failed.Attribute("classname")!.Value);
        Assert.Equal("adam", failed.Attribute("name")!.Value);
    }

    [Fact]
    public void Exec_CrashHangSkipAndNonDeterminism_EachOneLine_TheRunGoesOn()
    {
        // One shell script plays five implementations, chosen by the case folder's name; rmsprop's writes the clock's
        // nanoseconds into its parameters (a valid NPY that differs from run to run).
        string script = Path.Combine(_root, "impl.sh");
        File.WriteAllText(script, $$"""
            case "$1" in
              *dense*) echo "Traceback: ZeroDivisionError: division by zero" >&2; exit 3 ;;
              *adam*) exec sleep 600 ;;
              *mean_squared*) echo "not in this implementation: mse" >&2; exit 77 ;;
              *rmsprop*) cp "$1"/*.npy "$2"/; date +%N | cut -c1-8 | dd of="$2/params.npy" bs=1 seek=200 count=8 conv=notrunc 2>/dev/null ;;
              *) cp "$1"/*.npy "$2"/ ;;
            esac
            """);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (code, output, _) = Run("verify", "--cases", Cases, "--exec", $"sh {script} {{case}} {{out}}", "--timeout", "10", "--repeat", "3");
        Assert.True(clock.Elapsed.TotalSeconds < 120, $"the hanging case was not stopped by --timeout: {clock.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(1, code);
        Assert.Contains("FAIL  layer/dense/relu: --exec exited with code 3: Traceback: ZeroDivisionError: division by zero", output);
        Assert.Contains("FAIL  optimizer/adam: --exec timed out after 10 s (killed)", output);
        Assert.Contains("SKIP  loss/mean_squared_error: not in this implementation: mse", output);
        Assert.Contains("FAIL  optimizer/rmsprop: ", output);
        Assert.Contains("not deterministic: 'params' element", output);
        Assert.Contains("PASS  network/mlp_step/sgd", output);
        Assert.Equal("verify: 1 passed, 3 failed, 1 skipped", LastLine(output));
    }

    [Fact]
    public void Usage_Errors_AreExitCode2_WithOneLine()
    {
        Assert.Equal(2, Run("verify", "--cases", Cases).Code);
        Assert.Equal(2, Run("verify", "--cases", Cases, "--results", Results, "--exec", "true").Code);
        Assert.Equal(2, Run("verify", "--cases", Cases, "--results", Results, "--repeat", "2").Code);
        Assert.Equal(2, Run("verify", "--cases", Cases, "--results", Results, "--include", "(").Code);
        Assert.Equal(2, Run("cases", "export", Cases, "--dtype", "f16").Code);
        var (code, _, err) = Run("verify", "--cases", "/nonexistent/cases", "--results", Results);
        Assert.Equal(1, code);
        Assert.Contains("no such cases folder", err);
    }

    [Fact]
    public void Export_IsDeterministic_AndListNamesEveryCase()
    {
        string again = Path.Combine(_root, "again");
        Assert.Equal(0, Run("cases", "export", again, "--include", Selection).Code);
        foreach (string file in Directory.EnumerateFiles(Cases, "*", SearchOption.AllDirectories))
        {
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(again, Path.GetRelativePath(Cases, file))));
        }
        var (code, output, _) = Run("cases", "list");
        Assert.Equal(0, code);
        Assert.Equal($"{CaseLibrary.All.Count} cases", LastLine(output));
        foreach (string kind in new[] { "activation", "layer", "loss", "optimizer", "network" })
        {
            Assert.Contains(CaseLibrary.All, c => c.Kind == kind);
        }
    }
}
