// refnet cases: the conformance cases, listed or exported as case.json + NPY folders that any language can run.
using System.Globalization;
using System.Text.RegularExpressions;
using RefNet.Conformance;
using RefNet.Conventions;

namespace RefNet.Cli.Commands;

/// <summary><c>refnet cases list [--include RE]</c> and
/// <c>refnet cases export DIR [--include RE] [--exclude RE] [--dtype f32|f64] [--keras V] [--seed N]</c>.</summary>
public sealed class CasesCommand : ICommand
{
    /// <inheritdoc/>
    public string Name => "cases";

    /// <inheritdoc/>
    public string Description => "conformance cases: 'list [--include RE]' or 'export DIR [--include RE] [--exclude RE] [--dtype f32|f64] [--keras V] [--seed N]'";

    /// <inheritdoc/>
    public int Run(string[] args, TextWriter output)
    {
        if (args.Length == 0 || args[0] is not ("list" or "export"))
        {
            throw new UsageException("usage: refnet cases list [--include RE] | refnet cases export DIR [--include RE] [--exclude RE] [--dtype f32|f64] [--keras V] [--seed N]");
        }
        bool export = args[0] == "export";
        string? directory = null;
        Regex? include = null, exclude = null;
        string dtype = "float64";
        KerasProfile keras = KerasProfile.Default;
        int seed = 0;
        for (int i = 1; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new UsageException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--include":
                    include = VerifyCommand.ParseRegex(Value(), "--include");
                    break;
                case "--exclude":
                    exclude = VerifyCommand.ParseRegex(Value(), "--exclude");
                    break;
                case "--dtype":
                    string d = Value();
                    dtype = d switch
                    {
                        "f64" or "float64" => "float64",
                        "f32" or "float32" => "float32",
                        _ => throw new UsageException($"--dtype: '{d}' is not f32 or f64"),
                    };
                    break;
                case "--keras":
                    keras = Profiles.Parse(Value(), "--keras");
                    break;
                case "--seed":
                    string s = Value();
                    seed = int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : throw new UsageException($"--seed needs an integer, got '{s}'");
                    break;
                default:
                    if (export && directory is null && !args[i].StartsWith("--", StringComparison.Ordinal))
                    {
                        directory = args[i];
                        break;
                    }
                    throw new UsageException($"unknown argument '{args[i]}'");
            }
        }
        List<CaseDefinition> selected = [.. CaseLibrary.All.Where(c => (include?.IsMatch(c.Id) ?? true) && !(exclude?.IsMatch(c.Id) ?? false))];
        if (!export)
        {
            foreach (CaseDefinition c in selected)
            {
                output.WriteLine($"{c.Id,-48} {c.Kind}");
            }
            output.WriteLine($"{selected.Count} cases");
            return 0;
        }
        if (directory is null)
        {
            throw new UsageException("cases export needs a folder: refnet cases export DIR");
        }
        if (selected.Count == 0)
        {
            throw new UsageException("no case matches the filters (see 'refnet cases list')");
        }
        int skipped = 0;
        foreach (CaseDefinition c in selected)
        {
            try
            {
                c.Create(dtype, keras, seed).Write(directory);
            }
            catch (NotSupportedException e)
            {
                // e.g. TensorFlow.js has no GRU reset_after: the case does not exist under that profile.
                output.WriteLine($"skipped {c.Id}: {e.Message}");
                skipped++;
            }
        }
        output.WriteLine($"exported {selected.Count - skipped} cases ({dtype}, Keras profile {keras.Id}, seed {seed}) to {directory}");
        return 0;
    }
}
