// refnet conventions / refnet diff-profiles: the Keras profiles' conventions with their sources, and where two differ.
// The table is KerasProfile.Conventions: values read from the profile the code runs, citations beside them.
using RefNet.Conventions;

namespace RefNet.Cli.Commands;

/// <summary><c>refnet conventions [--keras V | --markdown]</c>: every convention of one profile (or all), with its value and source.</summary>
public sealed class ConventionsCommand : ICommand
{
    /// <inheritdoc/>
    public string Name => "conventions";

    /// <inheritdoc/>
    public string Description => "the Keras profiles' defaults and conventions with their sources: [--keras 2.0.8|2.2.5|2.3.1|tf-2.15|tfjs-4.22] [--markdown: README's table]";

    /// <inheritdoc/>
    public int Run(string[] args, TextWriter output)
    {
        IReadOnlyList<KerasProfile>? profiles = args switch
        {
            [] => KerasProfile.All,
            ["--markdown"] => null,
            ["--keras", string name] => [Profiles.Parse(name, "--keras")],
            _ => throw new UsageException($"usage: refnet conventions [--keras {Profiles.Ids} | --markdown] (got '{string.Join(' ', args)}')"),
        };
        if (profiles is null)
        {
            output.Write(ConventionTable.Markdown());
            return 0;
        }
        if (profiles.Count == 1)
        {
            KerasProfile p = profiles[0];
            output.WriteLine($"{p} (--keras {p.Id}, keras_version \"{p.KerasVersion}\"){(ReferenceEquals(p, KerasProfile.Default) ? ", RefNet's default" : "")}");
            foreach (Convention c in p.Conventions)
            {
                output.WriteLine($"  {c.Key,-38} {c.Value}");
                output.WriteLine($"  {"",-38} source: {c.Source}");
            }
            return 0;
        }
        // All profiles side by side: one row per convention (the sources: refnet conventions --keras V).
        const int keyWidth = 38;
        int[] widths = [.. profiles.Select(p => Math.Max(p.Id.Length, p.Conventions.Max(c => c.Value.Length)))];
        string Row(string first, Func<int, string> cell) =>
            $"{first,-keyWidth} | {string.Join(" | ", profiles.Select((_, i) => cell(i).PadRight(widths[i])))}".TrimEnd();
        output.WriteLine(Row("convention", i => profiles[i].Id));
        output.WriteLine($"{new string('-', keyWidth)}-|-{string.Join("-|-", widths.Select(w => new string('-', w)))}");
        foreach (string key in ConventionTable.Keys)
        {
            output.WriteLine(Row(key, i => profiles[i].Conventions.Single(c => c.Key == key).Value));
        }
        output.WriteLine($"default: {KerasProfile.Default.Id}; sources: refnet conventions --keras V");
        return 0;
    }
}

/// <summary><c>refnet diff-profiles A B</c>: the conventions where two Keras profiles differ.</summary>
public sealed class DiffProfilesCommand : ICommand
{
    /// <inheritdoc/>
    public string Name => "diff-profiles";

    /// <inheritdoc/>
    public string Description => "where two Keras profiles differ: diff-profiles A B (e.g. 2.0.8 tf-2.15)";

    /// <inheritdoc/>
    public int Run(string[] args, TextWriter output)
    {
        if (args.Length != 2)
        {
            throw new UsageException($"usage: refnet diff-profiles A B, each one of {Profiles.Ids}");
        }
        KerasProfile a = Profiles.Parse(args[0], null), b = Profiles.Parse(args[1], null);
        IReadOnlyList<(string Key, string Description, string A, string B)> diff = ConventionTable.Differences(a, b);
        output.WriteLine($"{a} vs {b}: {diff.Count} of {ConventionTable.Keys.Count} conventions differ");
        foreach ((string key, string description, string va, string vb) in diff)
        {
            output.WriteLine($"  {key} ({description}): {va}  |  {vb}");
        }
        return 0;
    }
}

/// <summary>Profile names on the command line.</summary>
internal static class Profiles
{
    /// <summary>"2.0.8|2.2.5|…".</summary>
    public static string Ids => string.Join("|", KerasProfile.All.Select(p => p.Id));

    /// <summary>The profile named <paramref name="name"/>, or a usage error naming <paramref name="option"/> (when given).</summary>
    public static KerasProfile Parse(string name, string? option)
    {
        try
        {
            return KerasProfile.FromName(name);
        }
        catch (ArgumentException)
        {
            throw new UsageException($"{(option is null ? "" : option + ": ")}unknown Keras profile '{name}' (have: {Ids.Replace("|", ", ", StringComparison.Ordinal)})");
        }
    }
}
