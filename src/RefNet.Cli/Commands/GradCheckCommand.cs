// refnet gradcheck: runs every registered gradient check in float64 and prints one row per check.
// Exit code 0 when all pass, 1 when any fails, 2 for bad arguments.
using System.Globalization;
using RefNet.Verification;

namespace RefNet.Cli.Commands;

/// <summary><c>refnet gradcheck [--seed N] [--verbose]</c>: central-difference check of every layer, loss and regularizer.</summary>
public sealed class GradCheckCommand : ICommand
{
    /// <inheritdoc/>
    public string Name => "gradcheck";

    /// <inheritdoc/>
    public string Description => "check every layer/activation/loss/regularizer gradient against float64 central differences [--seed N] [--verbose]";

    /// <inheritdoc/>
    public int Run(string[] args, TextWriter output)
    {
        int seed = 0;
        bool verbose = false;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--seed" && i + 1 < args.Length)
            {
                string value = args[++i];
                if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out seed))
                {
                    throw new UsageException($"--seed needs an integer, got '{value}'");
                }
            }
            else if (args[i] == "--verbose")
            {
                verbose = true;
            }
            else
            {
                throw new UsageException($"unknown argument '{args[i]}' (expected --seed N or --verbose)");
            }
        }

        IReadOnlyList<GradientCheckCase> cases = GradientCheckSuite.Cases;
        int nameWidth = Math.Max(2, cases.Max(c => c.Name.Length));
        output.WriteLine($"{"op".PadRight(nameWidth)}  {"shape",-8}  {"max rel error",13}  pass");
        int failed = 0;
        foreach (GradientCheckCase check in cases)
        {
            GradientCheckResult r = check.Run(seed);
            failed += r.Passed ? 0 : 1;
            string error = r.MaxRelativeError.ToString("0.00E+00", CultureInfo.InvariantCulture);
            output.WriteLine($"{check.Name.PadRight(nameWidth)}  {r.Shape,-8}  {error,13}  {(r.Passed ? "yes" : "NO")}");
            if (verbose || !r.Passed)
            {
                output.WriteLine($"    {r}");
            }
        }
        string tolerance = GradientCheck.Tolerances.Smooth.ToString("0E+00", CultureInfo.InvariantCulture);
        output.WriteLine($"{cases.Count} checks, {cases.Count - failed} passed, {failed} failed (float64, relative tolerance {tolerance}, seed {seed})");
        return failed == 0 ? 0 : 1;
    }
}
