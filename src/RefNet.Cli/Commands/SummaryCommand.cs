// refnet summary: prints the Keras summary table of a network described on the command line.
using RefNet.Backends;
using RefNet.Engine;
using RefNet.Layers;

namespace RefNet.Cli.Commands;

/// <summary><c>refnet summary --dense 20:10:sigmoid,5:sigmoid,1:sigmoid</c>.</summary>
public sealed class SummaryCommand : ICommand
{
    /// <inheritdoc/>
    public string Name => "summary";

    /// <inheritdoc/>
    public string Description => "print the Keras summary of a network: --dense IN:UNITS[:ACT],UNITS[:ACT],...";

    /// <inheritdoc/>
    public int Run(string[] args, TextWriter output)
    {
        string? spec = null;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--dense" && i + 1 < args.Length)
            {
                spec = args[++i];
            }
            else
            {
                throw new UsageException($"unknown argument '{args[i]}' (expected --dense IN:UNITS[:ACT],...)");
            }
        }
        if (spec is null)
        {
            throw new UsageException("missing --dense IN:UNITS[:ACT],UNITS[:ACT],...");
        }
        output.Write(ParseDense(spec).Summary());
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
            ActivationKind act = parts.Length > 1 + offset ? Activations.Activations.FromName(parts[1 + offset]) : ActivationKind.Linear;
            net.Add(new Dense<float>(units, act, inputDim));
        }
        return net;
    }

    private static int ParseInt(string s, string item) =>
        int.TryParse(s, out int v) && v > 0 ? v : throw new UsageException($"bad number '{s}' in layer '{item}'");
}
