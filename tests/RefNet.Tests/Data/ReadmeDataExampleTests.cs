// The README's "Loading in C#" example, on small files written here, so the documented calls keep working.
using RefNet.Data;
using RefNet.Tensors;
using Xunit;

namespace RefNet.Tests.Data;

public sealed class ReadmeDataExampleTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("refnet-readme-data-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void LoadingExample_Runs()
    {
        string mnistDir = Path.Combine(_dir, "mnist");
        Directory.CreateDirectory(mnistDir);
        foreach ((string prefix, int n) in new[] { ("train", 6), ("t10k", 3) })
        {
            byte[] pixels = Enumerable.Range(0, n * 784).Select(i => (byte)(i % 256)).ToArray();
            Idx.WriteImages(Path.Combine(mnistDir, $"{prefix}-images-idx3-ubyte"), new IdxImages(n, 28, 28, pixels));
            Idx.WriteLabels(Path.Combine(mnistDir, $"{prefix}-labels-idx1-ubyte.gz"), Enumerable.Range(0, n).Select(i => (byte)i).ToArray(), gzip: true);
        }
        string csvPath = Path.Combine(_dir, "iris.csv");
        File.WriteAllText(csvPath, "sepal,petal,species\n5.1,1.4,setosa\n7.0,4.7,versicolor\n6.3,6.0,virginica\n4.9,1.4,setosa\n");

        TrainTest<float> mnist = MnistLoader.Load<float>(mnistDir);
        IdxImages images = Idx.ReadImages(Path.Combine(mnistDir, "t10k-images-idx3-ubyte"));
        byte[] labels = Idx.ReadLabels(Path.Combine(mnistDir, "train-labels-idx1-ubyte.gz"));
        CsvDataset<double> iris = CsvLoader.Load<double>(csvPath, labelColumn: "species");
        var scaler = new MinMaxScaler();
        Tensor<double> x = scaler.FitTransform(iris.Data.X);
        TrainTest<double> split = Preprocessing.TrainTestSplit(iris.Data, testSize: 0.25, seed: 42);
        Tensor<float> y = Preprocessing.ToCategorical<float>([3, 0, 9], numClasses: 10);

        Assert.Equal(new[] { 6, 784 }, mnist.Train.X.Shape.ToArray());
        Assert.Equal(3, images.Count);
        Assert.Equal(new byte[] { 0, 1, 2, 3, 4, 5 }, labels);
        Assert.Equal(new[] { 0, 1, 2, 0 }, iris.Data.Labels);
        Assert.Equal(new[] { (5.1 - 4.9) / (7.0 - 4.9), 0.0 }, x.ToArray()[..2], new ToleranceComparer(1e-15));
        Assert.Equal((3, 1), (split.Train.Count, split.Test.Count));
        Assert.Equal(1f, y[2, 9]);
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= tolerance;

        public int GetHashCode(double value) => 0;
    }
}
