// refnet summary: prints the Keras summary table of a network described on the command line.
// Takes --dense IN:UNITS[:ACT],... or --config model.json; bad input is a one-line usage error.
using RefNet.Activations;
using RefNet.Backends;
using RefNet.Conventions;
using RefNet.Engine;
using RefNet.Layers;
using RefNet.Serialization;

namespace RefNet.Cli.Commands;

/// <summary><c>refnet summary --dense 20:10:sigmoid,5:sigmoid,1:sigmoid</c> or <c>refnet summary --config model.json</c>.</summary>
public sealed class SummaryCommand : ICommand
{
    /// <inheritdoc/>
    public string Name => "summary";

    /// <inheritdoc/>
    public string Description => "print the Keras summary of a network: --dense IN:UNITS[:ACT],UNITS[:ACT],... or --config model.json [--keras V]";

    /// <inheritdoc/>
    public int Run(string[] args, TextWriter output)
    {
        string? spec = null;
        string? config = null;
        KerasProfile? keras = null;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] is "--dense" or "--config" or "--keras" && i + 1 == args.Length)
            {
                throw new UsageException($"{args[i]} needs a value");
            }
            if (args[i] == "--dense")
            {
                spec = args[++i];
            }
            else if (args[i] == "--config")
            {
                config = args[++i];
            }
            else if (args[i] == "--keras")
            {
                keras = Profiles.Parse(args[++i], "--keras");
            }
            else
            {
                throw new UsageException($"unknown argument '{args[i]}' (expected --dense IN:UNITS[:ACT],... or --config model.json [--keras V])");
            }
        }
        if ((spec is null) == (config is null))
        {
            throw new UsageException("give exactly one of --dense IN:UNITS[:ACT],UNITS[:ACT],... or --config model.json");
        }
        Network<float> network = spec is not null ? ParseDense(spec) : LoadConfig(config!, keras);
        output.Write(network.Summary());
        return 0;
    }

    /// <summary>Builds a network from "20:10:sigmoid,5:sigmoid,1:sigmoid" (first item: inputs:units[:activation]).</summary>
    public static Network<float> ParseDense(string spec)
    {
        var net = new Network<float>();
        string[] items = spec.Split(',', StringSplitOptions.TrimEntries);
        for (int i = 0; i < items.Length; i++)
        {
            string[] parts = items[i].Split(':');
            int offset = i == 0 ? 1 : 0;
            if (parts.Length < 1 + offset || parts.Length > 2 + offset)
            {
                throw new UsageException($"bad layer '{items[i]}' (expected {(i == 0 ? "IN:UNITS[:ACT]" : "UNITS[:ACT]")})");
            }
            int? inputDim = i == 0 ? ParseInt(parts[0], items[i]) : null;
            int units = ParseInt(parts[offset], items[i]);
            ActivationFunction act = parts.Length > 1 + offset ? ActivationFunction.FromName(parts[1 + offset]) : ActivationFunction.Linear;
            net.Add(new Dense<float>(units, act, inputDim));
        }
        return net;
    }

    /// <summary>Builds a network from a Keras-style model config file (see <see cref="ModelConfig"/>).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ModelConfigException">The file is not a valid model config; the message names the layer and field.</exception>
    /// <param name="path">The JSON file.</param>
    /// <param name="keras">The Keras profile; null: the file's <c>keras_version</c> decides (see <see cref="ModelConfig.FromJson{T}"/>).</param>
    public static Network<float> LoadConfig(string path, KerasProfile? keras = null)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"model config '{path}' not found", path);
        }
        try
        {
            return ModelConfig.FromJson<float>(File.ReadAllText(path), keras: keras);
        }
        catch (ModelConfigException e)
        {
            throw new ModelConfigException($"{path}: {e.Message}", e.LayerIndex, e.Field, e);
        }
    }

    private static int ParseInt(string s, string item) =>
        int.TryParse(s, out int v) && v > 0 ? v : throw new UsageException($"bad number '{s}' in layer '{item}'");
}
