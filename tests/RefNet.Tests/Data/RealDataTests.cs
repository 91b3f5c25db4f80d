// Checks on the real datasets when present (skipped otherwise): published first labels of MNIST
// (data.md), image counts and shapes, and the Debian Fashion-MNIST .gz files.
using RefNet.Data;
using RefNet.Tests.Common;
using Xunit;

namespace RefNet.Tests.Data;

public sealed class RealDataTests
{
    [SkippableFact]
    public void Mnist_FirstLabels_MatchThePublishedOnes()
    {
        string? dir = DataPaths.Mnist();
        Skip.If(dir is null, DataPaths.MnistMissing);
        byte[] train = Idx.ReadLabels(Path.Combine(dir!, "train-labels-idx1-ubyte"));
        byte[] test = Idx.ReadLabels(Path.Combine(dir!, "t10k-labels-idx1-ubyte"));
        Assert.Equal(60000, train.Length);
        Assert.Equal(10000, test.Length);
        Assert.Equal(new byte[] { 5, 0, 4, 1, 9, 2, 1, 3, 1, 4 }, train[..10]);
        Assert.Equal(new byte[] { 7, 2, 1, 0, 4, 1, 4, 9, 5, 9 }, test[..10]);
    }

    [SkippableFact]
    public void Mnist_LoadsAs784ColumnsInZeroOne()
    {
        string? dir = DataPaths.Mnist();
        Skip.If(dir is null, DataPaths.MnistMissing);
        TrainTest<float> data = MnistLoader.Load<float>(dir!, limit: 100, testLimit: 10);
        Assert.Equal(new[] { 100, 784 }, data.Train.X.Shape.ToArray());
        float[] x = data.Train.X.ToArray();
        Assert.All(x, v => Assert.InRange(v, 0f, 1f));
        Assert.Contains(1f, x);
    }

    [SkippableFact]
    public void FashionMnist_DebianGzipFiles_Load()
    {
        string? dir = DataPaths.FashionMnist();
        Skip.If(dir is null, "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
        IdxImages images = Idx.ReadImages(Path.Combine(dir!, "t10k-images-idx3-ubyte.gz"));
        Assert.Equal((10000, 28, 28), (images.Count, images.Rows, images.Cols));
        Assert.Equal(10000, Idx.ReadLabels(Path.Combine(dir!, "t10k-labels-idx1-ubyte.gz")).Length);
    }
}
