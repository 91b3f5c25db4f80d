// Where the tests find the real datasets: data/mnist of the checkout (make data) and the Debian Fashion-MNIST.
// Tests that need them are skipped with a reason when they are absent.
using RefNet.Data;

namespace RefNet.Tests.Common;

public static class DataPaths
{
    /// <summary>The checkout root (the directory holding RefNet.sln), found upwards from the test binaries.</summary>
    public static string? RepositoryRoot()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "RefNet.sln")))
        {
            dir = Path.GetDirectoryName(dir);
        }
        return dir;
    }

    /// <summary>MNIST directory: $REFNET_MNIST_DIR, else data/mnist of the checkout; null when the files are absent.</summary>
    public static string? Mnist()
    {
        string? dir = Environment.GetEnvironmentVariable("REFNET_MNIST_DIR");
        if (string.IsNullOrEmpty(dir))
        {
            string? root = RepositoryRoot();
            dir = root is null ? null : Path.Combine(root, "data", "mnist");
        }
        return dir is not null && MnistLoader.Exists(dir) ? dir : null;
    }

    public const string MnistMissing = "MNIST not found in data/mnist (run `make data`, or set REFNET_MNIST_DIR)";

    /// <summary>The Debian dataset-fashion-mnist directory, or null when not installed.</summary>
    public static string? FashionMnist() =>
        MnistLoader.Exists(MnistLoader.FashionMnistDebianDirectory) ? MnistLoader.FashionMnistDebianDirectory : null;
}
