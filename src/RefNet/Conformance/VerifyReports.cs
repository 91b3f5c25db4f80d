// The reports of refnet verify: Markdown for people, JSON for programs, JUnit XML for CI dashboards.
using System.Text;
using System.Text.Json;
using System.Xml.Linq;

namespace RefNet.Conformance;

/// <summary>Writes the verdicts of a verification run.</summary>
public static class VerifyReports
{
    /// <summary>A Markdown table (one row per case) and, per failing case, every tensor that differs.</summary>
    public static string Markdown(IReadOnlyList<CaseVerdict> verdicts)
    {
        ArgumentNullException.ThrowIfNull(verdicts);
        var s = new StringBuilder();
        s.AppendLine("# refnet verify").AppendLine();
        s.AppendLine("| case | status | detail |").AppendLine("|---|---|---|");
        foreach (CaseVerdict v in verdicts)
        {
            string detail = (v.Reason + (v.Explanation is null ? "" : " — " + v.Explanation)).Replace("|", "\\|", StringComparison.Ordinal);
            s.AppendLine($"| `{v.Id}` | {v.Status} | {detail} |");
        }
        foreach (CaseVerdict v in verdicts.Where(v => v.Status is "failed" or "xfail" && v.Tensors.Any(t => !t.Passed)))
        {
            s.AppendLine().AppendLine($"## {v.Id}").AppendLine();
            foreach (TensorComparison t in v.Tensors.Where(t => !t.Passed))
            {
                s.AppendLine($"- {t.Describe()}");
            }
        }
        s.AppendLine().AppendLine(Verifier.Summary(verdicts));
        return s.ToString();
    }

    /// <summary>Every verdict with every comparison, as indented JSON.</summary>
    public static string Json(IReadOnlyList<CaseVerdict> verdicts)
    {
        ArgumentNullException.ThrowIfNull(verdicts);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("summary", Verifier.Summary(verdicts));
            w.WriteStartArray("cases");
            foreach (CaseVerdict v in verdicts)
            {
                w.WriteStartObject();
                w.WriteString("id", v.Id);
                w.WriteString("status", v.Status);
                w.WriteString("reason", v.Reason);
                if (v.Explanation is not null)
                {
                    w.WriteString("explanation", v.Explanation);
                }
                w.WriteNumber("seconds", Math.Round(v.Seconds, 4));
                w.WriteStartArray("tensors");
                foreach (TensorComparison t in v.Tensors)
                {
                    w.WriteStartObject();
                    w.WriteString("name", t.Name);
                    w.WriteBoolean("passed", t.Passed);
                    if (t.Problem is not null)
                    {
                        w.WriteString("problem", t.Problem);
                    }
                    else
                    {
                        w.WriteNumber("mismatches", t.Mismatches);
                        w.WriteNumber("count", t.Count);
                        w.WriteString("worst_index", t.WorstIndex);
                        Number(w, "expected", t.Expected);
                        Number(w, "actual", t.Actual);
                        Number(w, "abs_error", t.AbsError);
                        Number(w, "rel_error", t.RelError);
                        Number(w, "allowed", t.Allowed);
                    }
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>JUnit XML: one testsuite, one testcase per case (failure / skipped elements as JUnit readers expect).</summary>
    public static string JUnit(IReadOnlyList<CaseVerdict> verdicts)
    {
        ArgumentNullException.ThrowIfNull(verdicts);
        var suite = new XElement("testsuite",
            new XAttribute("name", "refnet verify"),
            new XAttribute("tests", verdicts.Count),
            new XAttribute("failures", verdicts.Count(v => v.Status == "failed")),
            new XAttribute("skipped", verdicts.Count(v => v.Status is "skipped" or "xfail")),
            new XAttribute("time", verdicts.Sum(v => v.Seconds).ToString("F3", System.Globalization.CultureInfo.InvariantCulture)));
        foreach (CaseVerdict v in verdicts)
        {
            int slash = v.Id.LastIndexOf('/');
            var testcase = new XElement("testcase",
                new XAttribute("classname", slash < 0 ? "cases" : v.Id[..slash].Replace('/', '.')),
                new XAttribute("name", slash < 0 ? v.Id : v.Id[(slash + 1)..]),
                new XAttribute("time", v.Seconds.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)));
            string message = XmlSafe(v.Reason + (v.Explanation is null ? "" : " — " + v.Explanation));
            if (v.Status == "failed")
            {
                testcase.Add(new XElement("failure", new XAttribute("message", message),
                    XmlSafe(string.Join("\n", v.Tensors.Where(t => !t.Passed).Select(t => t.Describe())))));
            }
            else if (v.Status is "skipped" or "xfail")
            {
                testcase.Add(new XElement("skipped", new XAttribute("message", (v.Status == "xfail" ? "expected failure: " : "") + message)));
            }
            suite.Add(testcase);
        }
        return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" + suite.ToString() + "\n";
    }

    // A command's stderr may hold characters XML 1.0 cannot carry (ANSI escapes): each becomes U+FFFD.
    private static string XmlSafe(string text) => new([.. text.Select(ch => System.Xml.XmlConvert.IsXmlChar(ch) || char.IsSurrogate(ch) ? ch : '\uFFFD')]);

    private static void Number(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value))
        {
            w.WriteNumber(name, value);
        }
        else
        {
            w.WriteString(name, double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }
}
