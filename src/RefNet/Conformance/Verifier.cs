// refnet verify: compares another implementation's results with the cases' expected tensors, case by case.
// Results come from a folder (DIR/<case-id>/<file>.npy) or from running a command per case ({case} and {out} are
// replaced by the case folder and an empty output folder). A failing case names its worst element; a case RefNet can
// regenerate is recomputed under every other Keras profile, and if one explains the results the verdict says so.
// Nothing stops the run: a malformed case, a missing file, a crashing or hanging command fail that case with one line.
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using RefNet.Conventions;

namespace RefNet.Conformance;

/// <summary>How one result tensor compared.</summary>
/// <param name="Name">Tensor name.</param>
/// <param name="Passed">Within tolerance everywhere.</param>
/// <param name="Mismatches">Elements outside tolerance.</param>
/// <param name="Count">Elements compared.</param>
/// <param name="WorstIndex">Index of the worst element (by error / allowed), as "(i, j, …)".</param>
/// <param name="Expected">Expected value there.</param>
/// <param name="Actual">Actual value there.</param>
/// <param name="AbsError">|actual − expected| there.</param>
/// <param name="RelError">|actual − expected| / |expected| there (∞ when expected is 0).</param>
/// <param name="Allowed">The tolerance there.</param>
/// <param name="Problem">A reason the tensor could not be compared (missing file, wrong shape…), else null.</param>
public sealed record TensorComparison(string Name, bool Passed, long Mismatches, long Count, string WorstIndex,
    double Expected, double Actual, double AbsError, double RelError, double Allowed, string? Problem = null)
{
    /// <summary>One line: "grad_x: 3 / 24 mismatched, worst at (1, 2): expected …, actual …".</summary>
    public string Describe() => Problem is not null
        ? $"{Name}: {Problem}"
        : $"{Name}: {Mismatches} / {Count} mismatched; worst at {WorstIndex}: expected {G(Expected)}, actual {G(Actual)}, " +
          $"abs error {G(AbsError)}, rel error {G(RelError)} (allowed {G(Allowed)})";

    /// <summary>A number as this report prints it (9 significant digits, invariant culture).</summary>
    public static string G(double v) => v.ToString("G9", CultureInfo.InvariantCulture);
}

/// <summary>The verdict on one case.</summary>
/// <param name="Id">Case id (or its folder when case.json could not be read).</param>
/// <param name="Status">passed · failed · skipped · xfail (failed as expected) · xpass (passed though marked xfail).</param>
/// <param name="Reason">One line: why it failed or was skipped; empty when it passed.</param>
/// <param name="Tensors">Per-result comparisons (empty when the case never ran).</param>
/// <param name="Explanation">"matches …'s convention (…)" when another profile explains the results, else null.</param>
/// <param name="Seconds">Wall time of the case.</param>
public sealed record CaseVerdict(string Id, string Status, string Reason, IReadOnlyList<TensorComparison> Tensors, string? Explanation, double Seconds);

/// <summary>What to verify and how.</summary>
public sealed class VerifyOptions
{
    /// <summary>The exported cases.</summary>
    public required string CasesDirectory { get; init; }

    /// <summary>A folder of results (DIR/&lt;case-id&gt;/&lt;file&gt;), or null with <see cref="Exec"/>.</summary>
    public string? ResultsDirectory { get; init; }

    /// <summary>A shell command run per case with {case} and {out} replaced, or null with <see cref="ResultsDirectory"/>.</summary>
    public string? Exec { get; init; }

    /// <summary>Only cases whose id matches.</summary>
    public Regex? Include { get; init; }

    /// <summary>Not the cases whose id matches.</summary>
    public Regex? Exclude { get; init; }

    /// <summary>Cases expected to fail (reported as xfail, not failed).</summary>
    public Regex? ExpectedFailures { get; init; }

    /// <summary>Runs of <see cref="Exec"/> per case; results must be bitwise identical across runs.</summary>
    public int Repeat { get; init; } = 1;

    /// <summary>Seconds one run of <see cref="Exec"/> may take.</summary>
    public double TimeoutSeconds { get; init; } = 60;

    /// <summary>For network cases: name the first tensor in forward-then-backward order that differs.</summary>
    public bool Trace { get; init; }
}

/// <summary>Runs the verification.</summary>
public static class Verifier
{
    /// <summary>Exit code of an --exec command that cannot express a case (automake's "skipped"); its last stderr line says why.</summary>
    public const int SkipExitCode = 77;

    private const string SkipPrefix = "skip: ";

    /// <summary>The case folders under <paramref name="casesDirectory"/> (each holds a case.json), sorted by path.</summary>
    public static IReadOnlyList<string> FindCases(string casesDirectory)
    {
        if (!Directory.Exists(casesDirectory))
        {
            throw new DirectoryNotFoundException($"{casesDirectory}: no such cases folder (make one with 'refnet cases export DIR')");
        }
        return [.. Directory.EnumerateFiles(casesDirectory, "case.json", SearchOption.AllDirectories)
            .Select(f => Path.GetDirectoryName(f)!).Order(StringComparer.Ordinal)];
    }

    /// <summary>Verifies every selected case; <paramref name="progress"/> gets one line per case.</summary>
    public static IReadOnlyList<CaseVerdict> Run(VerifyOptions options, TextWriter? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if ((options.ResultsDirectory is null) == (options.Exec is null))
        {
            throw new ArgumentException("verify needs exactly one of a results folder or an exec command");
        }
        if (options.ResultsDirectory is not null && !Directory.Exists(options.ResultsDirectory))
        {
            throw new DirectoryNotFoundException($"{options.ResultsDirectory}: no such results folder");
        }
        if (options.Repeat < 1 || (options.Repeat > 1 && options.Exec is null))
        {
            throw new ArgumentException("--repeat K needs K ≥ 1 and --exec (a results folder cannot be re-run)");
        }
        var verdicts = new List<CaseVerdict>();
        foreach (string folder in FindCases(options.CasesDirectory))
        {
            string relative = Path.GetRelativePath(options.CasesDirectory, folder).Replace('\\', '/');
            if ((options.Include is not null && !options.Include.IsMatch(relative)) || (options.Exclude?.IsMatch(relative) ?? false))
            {
                continue;
            }
            var clock = Stopwatch.StartNew();
            CaseVerdict verdict = VerifyCase(folder, relative, options);
            verdict = verdict with { Seconds = clock.Elapsed.TotalSeconds };
            if (options.ExpectedFailures?.IsMatch(relative) ?? false)
            {
                verdict = verdict.Status switch
                {
                    // A broken case stays a failure: --xfail excuses wrong numbers, not an unreadable case.
                    "failed" when !verdict.Reason.StartsWith("case is unreadable", StringComparison.Ordinal) => verdict with { Status = "xfail" },
                    "passed" => verdict with { Status = "xpass", Reason = "marked --xfail but passed" },
                    _ => verdict,
                };
            }
            verdicts.Add(verdict);
            progress?.WriteLine(OneLine(verdict));
        }
        return verdicts;
    }

    /// <summary>"PASS id", or "FAIL id: reason [explanation]".</summary>
    public static string OneLine(CaseVerdict v) => v.Status switch
    {
        "passed" => $"PASS  {v.Id}",
        "xpass" => $"XPASS {v.Id}: {v.Reason}",
        "skipped" => $"SKIP  {v.Id}: {v.Reason}",
        "xfail" => $"XFAIL {v.Id}: {v.Reason}{(v.Explanation is null ? "" : " — " + v.Explanation)}",
        _ => $"FAIL  {v.Id}: {v.Reason}{(v.Explanation is null ? "" : " — " + v.Explanation)}",
    };

    /// <summary>The last line: "verify: N passed, N failed, N skipped" (xpass counts as passed, xfail as skipped).</summary>
    public static string Summary(IReadOnlyList<CaseVerdict> verdicts) =>
        $"verify: {verdicts.Count(v => v.Status is "passed" or "xpass")} passed, {verdicts.Count(v => v.Status == "failed")} failed, " +
        $"{verdicts.Count(v => v.Status is "skipped" or "xfail")} skipped";

    private static CaseVerdict VerifyCase(string folder, string relative, VerifyOptions options)
    {
        ConformanceCase c;
        try
        {
            c = ConformanceCase.Load(folder);
        }
        catch (Exception e) when (e is CaseFormatException or IOException or UnauthorizedAccessException)
        {
            return new(relative, "failed", $"case is unreadable: {e.Message}", [], null, 0);
        }
        if (c.Id != relative)
        {
            return new(relative, "failed", $"case is unreadable: its id '{c.Id}' is not its folder '{relative}'", [], null, 0);
        }
        var expected = new Dictionary<string, NpyArray>();
        foreach (CaseTensor t in c.Results)
        {
            try
            {
                expected[t.Name] = Npy.Read(Path.Combine(folder, t.File));
            }
            catch (Exception e) when (e is NpyFormatException or IOException or UnauthorizedAccessException)
            {
                return new(c.Id, "failed", $"case is unreadable: expected tensor '{t.Name}': {e.Message}", [], null, 0);
            }
        }
        string resultFolder;
        var runs = new List<Dictionary<string, NpyArray?>>();
        var problems = new Dictionary<string, string>();
        string? runProblem = null;
        if (options.ResultsDirectory is not null)
        {
            resultFolder = Path.Combine(options.ResultsDirectory, c.Id.Replace('/', Path.DirectorySeparatorChar));
            if (!Directory.Exists(resultFolder))
            {
                return new(c.Id, "failed", $"no results folder {resultFolder}", [], null, 0);
            }
            runs.Add(ReadResults(c, resultFolder, problems));
        }
        else
        {
            for (int r = 0; r < options.Repeat && runProblem is null; r++)
            {
                string outFolder = Path.Combine(Path.GetTempPath(), $"refnet-verify-{Environment.ProcessId}-{Guid.NewGuid():N}");
                Directory.CreateDirectory(outFolder);
                try
                {
                    runProblem = Execute(options.Exec!, folder, outFolder, options.TimeoutSeconds);
                    if (runProblem is null)
                    {
                        // Problems of later runs are theirs: a file missing only in run k fails as a difference between runs.
                        runs.Add(ReadResults(c, outFolder, r == 0 ? problems : []));
                    }
                    else if (r > 0)
                    {
                        // A later run that crashes, hangs or skips makes the command non-deterministic: the case fails.
                        runProblem = $"not deterministic: run {r + 1} of {options.Repeat}: {(runProblem.StartsWith(SkipPrefix, StringComparison.Ordinal) ? "skipped: " + runProblem[SkipPrefix.Length..] : runProblem)}";
                        return new(c.Id, "failed", runProblem, [], null, 0);
                    }
                }
                finally
                {
                    TryDelete(outFolder);
                }
            }
        }
        if (runs.Count == 0)
        {
            return runProblem is not null && runProblem.StartsWith(SkipPrefix, StringComparison.Ordinal)
                ? new(c.Id, "skipped", runProblem[SkipPrefix.Length..], [], null, 0)
                : new(c.Id, "failed", runProblem ?? "no results", [], null, 0);
        }
        Dictionary<string, NpyArray?> actual = runs[0];
        List<TensorComparison> comparisons = [.. c.Results.Select(t => Compare(t, expected[t.Name], actual[t.Name], problems.GetValueOrDefault(t.Name)))];
        var failing = comparisons.Where(x => !x.Passed).ToList();
        string? determinism = Determinism(runs);
        if (failing.Count == 0 && determinism is null)
        {
            return new(c.Id, "passed", "", comparisons, null, 0);
        }
        if (failing.Count == 0)
        {
            return new(c.Id, "failed", determinism!, comparisons, null, 0);
        }
        TensorComparison first = failing[0];
        string traced = "";
        if (options.Trace && c.Conventions.TryGetValue("trace_order", out string? order))
        {
            // Forward, then backward, then the update: the first tensor in that order that differs is where to look.
            string[] steps = order.Split(',');
            int at = Array.FindIndex(steps, n => failing.Any(f => f.Name == n));
            if (at >= 0)
            {
                first = failing.First(f => f.Name == steps[at]);
                traced = at == 0 ? "first difference: " : $"first difference (after {at} matching: {string.Join(", ", steps.Take(at))}): ";
            }
        }
        string reason = traced + first.Describe() +
            (failing.Count > 1 ? $" (and {failing.Count - 1} more tensor{(failing.Count > 2 ? "s" : "")}: {string.Join(", ", failing.Where(f => f != first).Select(f => f.Name))})" : "") +
            (determinism is null ? "" : "; " + determinism);
        return new(c.Id, "failed", reason, comparisons, Explain(c, folder, actual), 0);
    }

    private static Dictionary<string, NpyArray?> ReadResults(ConformanceCase c, string folder, Dictionary<string, string> problems)
    {
        var results = new Dictionary<string, NpyArray?>();
        foreach (CaseTensor t in c.Results)
        {
            string file = Path.Combine(folder, t.File);
            try
            {
                results[t.Name] = Npy.Read(file);
            }
            catch (FileNotFoundException)
            {
                results[t.Name] = null;
                problems[t.Name] = $"missing results file {t.File}";
            }
            catch (Exception e) when (e is NpyFormatException or IOException or UnauthorizedAccessException)
            {
                results[t.Name] = null;
                problems[t.Name] = $"unreadable results file: {e.Message}";
            }
        }
        return results;
    }

    /// <summary>Compares one result; element i passes when |a − e| ≤ atol + rtol·|e| (NaN with NaN, ±∞ with the same ∞).</summary>
    public static TensorComparison Compare(CaseTensor tensor, NpyArray expected, NpyArray? actual, string? problem = null)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ArgumentNullException.ThrowIfNull(expected);
        if (actual is null)
        {
            return new(tensor.Name, false, expected.Length, expected.Length, "", 0, 0, 0, 0, 0, problem ?? $"missing results file {tensor.File}");
        }
        if (!actual.Shape.SequenceEqual(expected.Shape))
        {
            return new(tensor.Name, false, expected.Length, expected.Length, "", 0, 0, 0, 0, 0,
                $"shape {actual.ShapeText} but the case expects {expected.ShapeText} ({tensor.File})");
        }
        if (tensor.Statistics is CaseStatistics statistics)
        {
            return CompareStatistics(tensor, statistics, actual);
        }
        CaseTolerance tol = tensor.Tolerance!;
        long mismatches = 0;
        int worst = -1;
        double worstRatio = -1;
        for (int i = 0; i < expected.Values.Length; i++)
        {
            double e = expected.Values[i], a = actual.Values[i];
            double ratio;
            if (double.IsNaN(e) || double.IsNaN(a) || double.IsInfinity(e) || double.IsInfinity(a))
            {
                ratio = (double.IsNaN(e) && double.IsNaN(a)) || e == a ? 0 : double.PositiveInfinity;
            }
            else
            {
                double allowed = tol.Allowed(e);
                double error = Math.Abs(a - e);
                ratio = allowed > 0 ? error / allowed : error == 0 ? 0 : double.PositiveInfinity;
            }
            if (ratio > 1)
            {
                mismatches++;
            }
            if (ratio > worstRatio)
            {
                worstRatio = ratio;
                worst = i;
            }
        }
        if (worst < 0)
        {
            return new(tensor.Name, true, 0, 0, "()", 0, 0, 0, 0, 0);
        }
        double we = expected.Values[worst], wa = actual.Values[worst];
        double abs = Math.Abs(wa - we);
        return new(tensor.Name, mismatches == 0, mismatches, expected.Values.Length, IndexText(expected.Shape, worst), we, wa,
            abs, we == 0 ? (abs == 0 ? 0 : double.PositiveInfinity) : abs / Math.Abs(we), tol.Allowed(we));
    }

    /// <summary>A random draw against its distribution: finite, inside the bounds, mean and variance within Z standard errors.</summary>
    private static TensorComparison CompareStatistics(CaseTensor tensor, CaseStatistics s, NpyArray actual)
    {
        string name = tensor.Name;
        double[] v = actual.Values;
        int n = v.Length;
        TensorComparison Fail(string problem) => new(name, false, 1, n, "", 0, 0, 0, 0, 0, problem);
        int bad = Array.FindIndex(v, x => !double.IsFinite(x));
        if (bad >= 0)
        {
            return Fail($"element {IndexText(actual.Shape, bad)} is {TensorComparison.G(v[bad])}");
        }
        if (n < 2)
        {
            return Fail("a draw of fewer than 2 values has no sample variance");
        }
        double lo = v.Min(), hi = v.Max();
        if ((s.Min is double min && lo < min) || (s.Max is double max && hi > max))
        {
            return Fail($"values span [{TensorComparison.G(lo)}, {TensorComparison.G(hi)}] but the distribution's support is [{TensorComparison.G(s.Min ?? double.NegativeInfinity)}, {TensorComparison.G(s.Max ?? double.PositiveInfinity)}]");
        }
        double mean = v.Average();
        double variance = v.Sum(x => (x - mean) * (x - mean)) / (n - 1);
        double meanError = Math.Sqrt(s.Variance / n), varianceError = Math.Sqrt(Math.Max(s.FourthMoment - (s.Variance * s.Variance), 0) / n);
        if (Math.Abs(mean - s.Mean) > s.Z * meanError)
        {
            return Fail($"sample mean {TensorComparison.G(mean)} is {(Math.Abs(mean - s.Mean) / meanError).ToString("F1", CultureInfo.InvariantCulture)} standard errors from {TensorComparison.G(s.Mean)} (allowed {s.Z})");
        }
        if (Math.Abs(variance - s.Variance) > s.Z * varianceError)
        {
            return Fail($"sample variance {TensorComparison.G(variance)} is {(Math.Abs(variance - s.Variance) / varianceError).ToString("F1", CultureInfo.InvariantCulture)} standard errors from {TensorComparison.G(s.Variance)} (allowed {s.Z})");
        }
        if (s.OrthogonalGain is double gain)
        {
            return Orthogonality(tensor, gain, actual);
        }
        return new(name, true, 0, n, "", s.Variance, variance, Math.Abs(variance - s.Variance), Math.Abs(variance - s.Variance) / s.Variance, s.Z * varianceError);
    }

    /// <summary>An orthogonal draw: the Gram matrix of its shorter side is g²·I within 64·√K·u·g² (K the longer side, u the
    /// dtype's unit roundoff). Reports the worst entry of the Gram matrix.</summary>
    private static TensorComparison Orthogonality(CaseTensor tensor, double gain, NpyArray actual)
    {
        int cols = actual.Shape.Length == 0 ? 1 : actual.Shape[^1];
        int rows = cols == 0 ? 0 : actual.Values.Length / cols;
        bool byRows = rows <= cols;
        int count = byRows ? rows : cols, length = byRows ? cols : rows;
        double u = tensor.Dtype == "float32" ? Math.Pow(2, -24) : Math.Pow(2, -53);
        double allowed = 64 * Math.Sqrt(length) * u * gain * gain; // the transcendental class' c: a QR's rounding, then the dtype's
        double[] v = actual.Values;
        double Element(int vector, int k) => byRows ? v[(vector * cols) + k] : v[(k * cols) + vector];
        double worst = -1, worstExpected = 0, worstActual = 0;
        (int A, int B) at = (0, 0);
        long mismatches = 0;
        for (int a = 0; a < count; a++)
        {
            for (int c = a; c < count; c++)
            {
                double dot = 0;
                for (int k = 0; k < length; k++)
                {
                    dot += Element(a, k) * Element(c, k);
                }
                double expected = a == c ? gain * gain : 0;
                double error = Math.Abs(dot - expected);
                if (error > allowed)
                {
                    mismatches++;
                }
                if (error > worst)
                {
                    (worst, worstExpected, worstActual, at) = (error, expected, dot, (a, c));
                }
            }
        }
        string gram = byRows ? "W·Wᵀ" : "Wᵀ·W";
        return new(tensor.Name, mismatches == 0, mismatches, (long)count * (count + 1) / 2, $"{gram}{Npy.ShapeText([at.A, at.B])}", worstExpected, worstActual,
            worst, worstExpected == 0 ? double.PositiveInfinity : worst / worstExpected, allowed,
            mismatches == 0 ? null : $"not orthogonal: {gram}{Npy.ShapeText([at.A, at.B])} is {TensorComparison.G(worstActual)} but g²·I has {TensorComparison.G(worstExpected)} there (allowed ±{TensorComparison.G(allowed)}; {mismatches} of {(long)count * (count + 1) / 2} entries off)");
    }

    private static string IndexText(int[] shape, int flat)
    {
        if (shape.Length == 0)
        {
            return "()";
        }
        var index = new int[shape.Length];
        for (int axis = shape.Length - 1; axis >= 0; axis--)
        {
            index[axis] = flat % Math.Max(1, shape[axis]);
            flat /= Math.Max(1, shape[axis]);
        }
        return Npy.ShapeText(index);
    }

    private static string? Determinism(List<Dictionary<string, NpyArray?>> runs)
    {
        for (int r = 1; r < runs.Count; r++)
        {
            foreach ((string name, NpyArray? first) in runs[0])
            {
                NpyArray? other = runs[r][name];
                if (first is null && other is null)
                {
                    continue;
                }
                if (first is null || other is null)
                {
                    return $"not deterministic: '{name}' is {(first is null ? "missing" : "present")} in run 1 and {(other is null ? "missing" : "present")} in run {r + 1}";
                }
                if (!first.Shape.SequenceEqual(other.Shape))
                {
                    return $"not deterministic: '{name}' has shape {first.ShapeText} in run 1 and {other.ShapeText} in run {r + 1}";
                }
                for (int i = 0; i < first.Values.Length; i++)
                {
                    if (BitConverter.DoubleToInt64Bits(first.Values[i]) != BitConverter.DoubleToInt64Bits(other.Values[i]))
                    {
                        return $"not deterministic: '{name}' element {IndexText(first.Shape, i)} is {TensorComparison.G(first.Values[i])} in run 1 and {TensorComparison.G(other.Values[i])} in run {r + 1}";
                    }
                }
            }
        }
        return null;
    }

    /// <summary>If the results pass the same case regenerated under another Keras profile (with identical givens), names
    /// that profile and the conventions in which it differs from the case's; else null.</summary>
    public static string? Explain(ConformanceCase c, string caseFolder, IReadOnlyDictionary<string, NpyArray?> actual)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(actual);
        CaseDefinition? definition = CaseLibrary.Find(c.Id);
        KerasProfile caseProfile;
        try
        {
            caseProfile = KerasProfile.FromName(c.Keras);
        }
        catch (ArgumentException)
        {
            return null;
        }
        if (definition is null)
        {
            return null;
        }
        var givens = new Dictionary<string, double[]>();
        foreach (CaseTensor t in c.Tensors.Where(t => !t.IsResult))
        {
            try
            {
                givens[t.Name] = Npy.Read(Path.Combine(caseFolder, t.File)).Values;
            }
            catch (Exception e) when (e is NpyFormatException or IOException)
            {
                return null;
            }
        }
        foreach (KerasProfile other in KerasProfile.All.Where(p => p != caseProfile))
        {
            CaseBuilder alternative;
            try
            {
                alternative = definition.Create(c.Dtype, other, c.Seed);
            }
            catch (Exception e) when (e is NotSupportedException or ArgumentException or InvalidOperationException)
            {
                continue; // the case cannot be built under that profile (e.g. TF.js has no GRU reset_after)
            }
            ConformanceCase alt = alternative.Build();
            // Only a profile that reproduces the case's givens exactly can explain the results (a different initializer cannot).
            bool sameGivens = alt.Tensors.Where(t => !t.IsResult).All(t =>
                givens.TryGetValue(t.Name, out double[]? mine) && mine.SequenceEqual(alternative.Arrays[t.Name].Values));
            if (!sameGivens)
            {
                continue;
            }
            bool all = alt.Results.All(t => actual.TryGetValue(t.Name, out NpyArray? a) && Compare(t, alternative.Arrays[t.Name], a).Passed);
            if (all)
            {
                string differences = string.Join("; ", ConventionTable.Differences(caseProfile, other)
                    .Where(d => Relevant(d.Key, c)).Select(d => $"{d.Key}: {d.B} instead of {d.A}"));
                return $"matches {other}'s convention (--keras {other.Id}){(differences.Length > 0 ? ": " + differences : "")}";
            }
        }
        return null;
    }

    // The conventions that can change this case's numbers: those of its op's class (and its optimizer's, for a network).
    private static bool Relevant(string key, ConformanceCase c)
    {
        string op = "";
        string optimizer = "";
        if (c.OpJson is not null)
        {
            using var doc = System.Text.Json.JsonDocument.Parse(c.OpJson);
            op = doc.RootElement.TryGetProperty("class_name", out var cls) ? cls.GetString() ?? "" : "";
            if (doc.RootElement.TryGetProperty("config", out var config) && config.ValueKind == System.Text.Json.JsonValueKind.Object
                && config.TryGetProperty("optimizer_config", out var oc) && oc.TryGetProperty("class_name", out var ocn))
            {
                optimizer = ocn.GetString() ?? "";
            }
        }
        string[] keys = (c.Kind == "network" ? optimizer : op) switch
        {
            "RMSprop" => ["optimizer.epsilon", "rmsprop."],
            "Adam" => ["optimizer.epsilon", "adam."],
            "Adagrad" => ["optimizer.epsilon", "adagrad."],
            "Adadelta" => ["optimizer.epsilon", "adadelta."],
            "Adamax" or "Nadam" => ["optimizer.epsilon"],
            "binary_crossentropy" => ["backend.epsilon", "bce."],
            "categorical_crossentropy" or "sparse_categorical_crossentropy" => ["backend.epsilon"],
            "LSTM" => ["rnn.", "lstm.", "kernel_initializer", "orthogonal", "hard_sigmoid"],
            "GRU" => ["rnn.", "gru.", "kernel_initializer", "orthogonal", "hard_sigmoid"],
            "SimpleRNN" => ["kernel_initializer", "orthogonal"],
            "BatchNormalization" => ["batchnorm."],
            "Dense" or "Conv2D" or "TimeDistributed" => ["kernel_initializer"],
            "Embedding" => ["embedding."],
            "Activation" => ["hard_sigmoid"],
            _ => [],
        };
        if (c.Kind == "network")
        {
            keys = [.. keys, "crossentropy.logits_after_activation", "backend.epsilon", "kernel_initializer"];
        }
        return keys.Any(k => k.EndsWith('.') ? key.StartsWith(k, StringComparison.Ordinal) : key == k);
    }

    /// <summary>Runs <paramref name="template"/> for one case; null on success, else one line saying what went wrong.</summary>
    private static string? Execute(string template, string caseFolder, string outFolder, double timeoutSeconds)
    {
        string command = template.Replace("{case}", Quote(caseFolder), StringComparison.Ordinal).Replace("{out}", Quote(outFolder), StringComparison.Ordinal);
        var info = new ProcessStartInfo("/bin/sh", ["-c", command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = new Process { StartInfo = info };
        var stderr = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stderr)
                {
                    stderr.AppendLine(e.Data);
                }
            }
        };
        process.OutputDataReceived += (_, _) => { };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"cannot start /bin/sh: {e.Message}";
        }
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        if (!process.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds)))
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (Exception e) when (e is InvalidOperationException or AggregateException or System.ComponentModel.Win32Exception)
            {
                // it ended between the wait and the kill, or a child could not be signalled: the timeout is reported anyway
            }
            DrainPipes(process); // bounded: an escaped child may still hold the pipes
            return $"--exec timed out after {timeoutSeconds.ToString("G", CultureInfo.InvariantCulture)} s (killed)";
        }
        DrainPipes(process);
        if (process.ExitCode != 0)
        {
            string last;
            lock (stderr)
            {
                last = stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
            }
            if (process.ExitCode == SkipExitCode)
            {
                return SkipPrefix + (last.Length > 0 ? last : "the implementation skipped it (exit 77)");
            }
            return $"--exec exited with code {process.ExitCode}{(last.Length > 0 ? ": " + (last.Length > 300 ? last[..300] + "…" : last) : "")}";
        }
        return null;
    }

    // The process has exited: wait for its redirected output to reach end of file (the parameterless WaitForExit), but at
    // most 5 s, since a background child it left behind may hold the pipes open for ever.
    private static void DrainPipes(Process process) => Task.Run(process.WaitForExit).Wait(TimeSpan.FromSeconds(5));

    private static string Quote(string path) => "'" + path.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // a leftover temporary folder is harmless
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
