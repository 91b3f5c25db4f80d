// refnet verify: checks another implementation against exported cases; exit 1 when any case fails.
using System.Globalization;
using System.Text.RegularExpressions;
using RefNet.Conformance;

namespace RefNet.Cli.Commands;

/// <summary><c>refnet verify --cases DIR (--results DIR | --exec "CMD {case} {out}") [--include RE] [--exclude RE] [--xfail RE]
/// [--repeat K] [--timeout S] [--trace] [--report-md F] [--report-json F] [--junit F]</c>.</summary>
public sealed class VerifyCommand : ICommand
{
    /// <inheritdoc/>
    public string Name => "verify";

    /// <inheritdoc/>
    public string Description => "verify another implementation: --cases DIR (--results DIR | --exec \"CMD {case} {out}\") [--include/--exclude/--xfail RE] [--repeat K] [--timeout S] [--trace] [--report-md F] [--report-json F] [--junit F]";

    /// <inheritdoc/>
    public int Run(string[] args, TextWriter output)
    {
        string? cases = null, results = null, exec = null, markdown = null, json = null, junit = null;
        Regex? include = null, exclude = null, xfail = null;
        int repeat = 1;
        double timeout = 60;
        bool trace = false;
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new UsageException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--cases": cases = Value(); break;
                case "--results": results = Value(); break;
                case "--exec": exec = Value(); break;
                case "--include": include = ParseRegex(Value(), "--include"); break;
                case "--exclude": exclude = ParseRegex(Value(), "--exclude"); break;
                case "--xfail": xfail = ParseRegex(Value(), "--xfail"); break;
                case "--report-md": markdown = Value(); break;
                case "--report-json": json = Value(); break;
                case "--junit": junit = Value(); break;
                case "--trace": trace = true; break;
                case "--repeat":
                    string r = Value();
                    repeat = int.TryParse(r, NumberStyles.None, CultureInfo.InvariantCulture, out int k) && k >= 1 ? k : throw new UsageException($"--repeat needs an integer ≥ 1, got '{r}'");
                    break;
                case "--timeout":
                    string t = Value();
                    timeout = double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double s) && s > 0 && double.IsFinite(s)
                        ? s : throw new UsageException($"--timeout needs a positive number of seconds, got '{t}'");
                    break;
                default:
                    throw new UsageException($"unknown argument '{args[i]}'");
            }
        }
        if (cases is null || (results is null) == (exec is null))
        {
            throw new UsageException("usage: refnet verify --cases DIR (--results DIR | --exec \"CMD {case} {out}\") [options]");
        }
        if (repeat > 1 && exec is null)
        {
            throw new UsageException("--repeat needs --exec (a results folder cannot be re-run)");
        }
        var options = new VerifyOptions
        {
            CasesDirectory = cases,
            ResultsDirectory = results,
            Exec = exec,
            Include = include,
            Exclude = exclude,
            ExpectedFailures = xfail,
            Repeat = repeat,
            TimeoutSeconds = timeout,
            Trace = trace,
        };
        IReadOnlyList<CaseVerdict> verdicts = Verifier.Run(options, output);
        if (markdown is not null)
        {
            File.WriteAllText(markdown, VerifyReports.Markdown(verdicts));
        }
        if (json is not null)
        {
            File.WriteAllText(json, VerifyReports.Json(verdicts));
        }
        if (junit is not null)
        {
            File.WriteAllText(junit, VerifyReports.JUnit(verdicts));
        }
        int xfailed = verdicts.Count(v => v.Status == "xfail");
        if (xfailed > 0)
        {
            output.WriteLine($"({xfailed} expected failure{(xfailed == 1 ? "" : "s")} counted as skipped)");
        }
        output.WriteLine(Verifier.Summary(verdicts));
        return verdicts.Any(v => v.Status == "failed") ? 1 : 0;
    }

    /// <summary>A regular expression from an option, or a usage error naming the option.</summary>
    internal static Regex ParseRegex(string pattern, string option)
    {
        try
        {
            return new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"{option}: '{pattern}' is not a valid regular expression ({e.Message})");
        }
    }
}
