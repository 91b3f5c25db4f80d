// Where the CLI's default paths (data/mnist, artifacts/) live: the checkout the program was built in, found by walking
// up from the program's own folder to RefNet.sln, so `refnet` finds `make data`'s MNIST from any working directory.
// An installed copy outside a checkout falls back to the working directory.
namespace RefNet.Cli;

/// <summary>The default folders of the CLI.</summary>
public static class RepositoryPaths
{
    private static readonly Lazy<string> s_root = new(() => FindRoot(AppContext.BaseDirectory) ?? Directory.GetCurrentDirectory());

    /// <summary>The checkout's root (the folder holding RefNet.sln above the program), else the working directory.</summary>
    public static string Root => s_root.Value;

    /// <summary>A path under <see cref="Root"/>, e.g. ("data", "mnist").</summary>
    public static string Under(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>The nearest folder at or above <paramref name="start"/> that holds RefNet.sln, or null.</summary>
    public static string? FindRoot(string start)
    {
        for (DirectoryInfo? d = new(start); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "RefNet.sln")))
            {
                return d.FullName;
            }
        }
        return null;
    }
}
