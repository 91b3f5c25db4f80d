// refnet gradcheck: runs every registered gradient check in float64 and prints one row per check.
// Exit code 0 when all pass, 1 when any fails, 2 for bad arguments.
using System.Globalization;
using RefNet.Backends;
using RefNet.Backends.Cpu;
using RefNet.Backends.Ilgpu;
using RefNet.Verification;

namespace RefNet.Cli.Commands;

/// <summary><c>refnet gradcheck [--seed N] [--verbose] [--backend reference|fast|ilgpu-cpu|cuda | --all-backends]</c>:
/// central-difference check of every layer, loss and regularizer, on the reference backend unless told otherwise.</summary>
public sealed class GradCheckCommand : ICommand
{
    /// <inheritdoc/>
    public string Name => "gradcheck";

    /// <inheritdoc/>
    public string Description => "check every layer/activation/loss/regularizer gradient against float64 central differences [--seed N] [--verbose] [--backend reference|fast|ilgpu-cpu|cuda | --all-backends]";

    /// <summary>The names --backend accepts.</summary>
    public static IReadOnlyList<string> BackendNames { get; } = ["reference", "fast", "ilgpu-cpu", "cuda"];

    /// <inheritdoc/>
    public int Run(string[] args, TextWriter output)
    {
        int seed = 0;
        bool verbose = false;
        List<string> backends = [];
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--seed")
            {
                if (i + 1 == args.Length)
                {
                    throw new UsageException("--seed needs a value");
                }
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
            else if (args[i] == "--backend")
            {
                string name = i + 1 < args.Length ? args[++i] : throw new UsageException("--backend needs a value (reference, fast, ilgpu-cpu or cuda)");
                backends.Add(BackendNames.Contains(name) ? name : throw new UsageException($"unknown backend '{name}' (use {string.Join(", ", BackendNames)})"));
            }
            else if (args[i] == "--all-backends")
            {
                // fast runs once per available GEMM; cuda only when a device is present.
                backends.AddRange(["reference", "fast", "ilgpu-cpu"]);
                if (IlgpuDevices.CudaAvailable())
                {
                    backends.Add("cuda");
                }
            }
            else
            {
                throw new UsageException($"unknown argument '{args[i]}' (expected --seed N, --verbose, --backend NAME or --all-backends)");
            }
        }
        if (backends.Count == 0)
        {
            backends.Add("reference");
        }
        int failedTotal = 0;
        foreach (string name in backends.Distinct())
        {
            foreach ((string label, IBackend<double> backend) in Create(name))
            {
                try
                {
                    failedTotal += RunOn(label, backend, seed, verbose, output);
                }
                finally
                {
                    (backend as IDisposable)?.Dispose();
                }
            }
        }
        return failedTotal == 0 ? 0 : 1;
    }

    /// <summary>The backends a name stands for: "fast" is the CPU backend with each GEMM that is available.</summary>
    private static IEnumerable<(string Label, IBackend<double> Backend)> Create(string name)
    {
        switch (name)
        {
            case "reference":
                yield return ("reference (plain loops)", ReferenceBackend<double>.Instance);
                break;
            case "fast":
                yield return ("fast (managed GEMM)", new CpuBackend<double>(ManagedGemm.Instance));
                if (OpenBlasGemm.Instance is { } blas)
                {
                    yield return ("fast (OpenBLAS GEMM)", new CpuBackend<double>(blas));
                }
                break;
            case "ilgpu-cpu":
                yield return ("ilgpu-cpu", IlgpuBackend<double>.Create(IlgpuDevice.Cpu));
                break;
            default:
                yield return ("cuda", IlgpuBackend<double>.Create(IlgpuDevice.Cuda));
                break;
        }
    }

    private static int RunOn(string label, IBackend<double> backend, int seed, bool verbose, TextWriter output)
    {
        output.WriteLine($"backend: {label}");

        IReadOnlyList<GradientCheckCase> cases = GradientCheckSuite.Cases;
        int nameWidth = Math.Max(2, cases.Max(c => c.Name.Length));
        output.WriteLine($"{"op".PadRight(nameWidth)}  {"shape",-12}  {"max rel error",13}  pass");
        int failed = 0;
        foreach (GradientCheckCase check in cases)
        {
            GradientCheckResult r = check.Run(seed, backend);
            failed += r.Passed ? 0 : 1;
            string error = r.MaxRelativeError.ToString("0.00E+00", CultureInfo.InvariantCulture);
            output.WriteLine($"{check.Name.PadRight(nameWidth)}  {r.Shape,-12}  {error,13}  {(r.Passed ? "yes" : "NO")}");
            if (verbose || !r.Passed)
            {
                output.WriteLine($"    {r}");
            }
        }
        string tolerance = GradientCheck.Tolerances.Smooth.ToString("0E+00", CultureInfo.InvariantCulture);
        output.WriteLine($"{cases.Count} checks, {cases.Count - failed} passed, {failed} failed (float64, relative tolerance {tolerance}, seed {seed}, backend {label})");
        return failed;
    }
}
