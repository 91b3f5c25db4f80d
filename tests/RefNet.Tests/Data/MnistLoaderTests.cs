// MnistLoader tests on a tiny MNIST-shaped directory written by the test (raw and .gz files),
// checking scaling (float32 b/255, as numpy's astype('float32') / 255), one-hot labels and limits.
using RefNet.Data;
using Xunit;

namespace RefNet.Tests.Data;

public sealed class MnistLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("refnet-mnist-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void WriteSet(string prefix, byte[] labels, int rows, int cols, bool gzip)
    {
        byte[] pixels = new byte[labels.Length * rows * cols];
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (byte)(i * 11 % 256);
        }
        pixels[0] = 255;
        string suffix = gzip ? ".gz" : string.Empty;
        Idx.WriteImages(Path.Combine(_dir, $"{prefix}-images-idx3-ubyte{suffix}"), new IdxImages(labels.Length, rows, cols, pixels), gzip);
        Idx.WriteLabels(Path.Combine(_dir, $"{prefix}-labels-idx1-ubyte{suffix}"), labels, gzip);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Load_ScalesPixelsAndOneHotsLabels(bool gzip)
    {
        WriteSet("train", [5, 0, 4, 1, 9], 2, 3, gzip);
        WriteSet("t10k", [7, 2, 1], 2, 3, gzip);
        Assert.True(MnistLoader.Exists(_dir));
        TrainTest<float> data = MnistLoader.Load<float>(_dir);
        Assert.Equal(new[] { 5, 6 }, data.Train.X.Shape.ToArray());
        Assert.Equal(new[] { 5, 10 }, data.Train.Y.Shape.ToArray());
        Assert.Equal(new[] { 3, 6 }, data.Test.X.Shape.ToArray());
        Assert.Equal(new[] { 5, 0, 4, 1, 9 }, data.Train.Labels);
        float[] x = data.Train.X.ToArray();
        Assert.Equal(1f, x[0]);
        for (int i = 1; i < x.Length; i++)
        {
            // Independent formula: float32(b) / float32(255), one rounding (what numpy does for float32 / int).
            Assert.Equal((float)(i * 11 % 256) / 255f, x[i]);
        }
        float[] y = data.Train.Y.ToArray();
        for (int r = 0; r < 5; r++)
        {
            for (int c = 0; c < 10; c++)
            {
                Assert.Equal(c == data.Train.Labels![r] ? 1f : 0f, y[r * 10 + c]);
            }
        }
    }

    [Fact]
    public void Load_Double_UsesDoubleDivision()
    {
        WriteSet("train", [1, 2], 1, 2, false);
        WriteSet("t10k", [3], 1, 2, false);
        double[] x = MnistLoader.Load<double>(_dir).Train.X.ToArray();
        Assert.Equal(11 / 255.0, x[1]);
    }

    [Fact]
    public void Limit_KeepsTheFirstSamples()
    {
        WriteSet("train", [5, 0, 4, 1, 9], 2, 2, false);
        WriteSet("t10k", [7, 2, 1], 2, 2, false);
        TrainTest<float> data = MnistLoader.Load<float>(_dir, limit: 2, testLimit: 1);
        Assert.Equal(new[] { 5, 0 }, data.Train.Labels);
        Assert.Equal(new[] { 7 }, data.Test.Labels);
        Assert.Equal(2, data.Train.X.Rows);
    }

    [Fact]
    public void CountMismatch_BetweenImagesAndLabels_NamesTheFile()
    {
        WriteSet("train", [5, 0, 4], 2, 2, false);
        WriteSet("t10k", [7], 2, 2, false);
        string labels = Path.Combine(_dir, "train-labels-idx1-ubyte");
        Idx.WriteLabels(labels, [5, 0]);
        var e = Assert.Throws<DataFormatException>(() => MnistLoader.Load<float>(_dir));
        Assert.Contains(labels, e.Message);
        Assert.Contains("2 labels", e.Message);
        Assert.Contains("3 images", e.Message);
    }

    [Fact]
    public void LabelOutOfRange_IsReportedWithOffset()
    {
        WriteSet("train", [5, 12, 4], 2, 2, false);
        WriteSet("t10k", [7], 2, 2, false);
        var e = Assert.Throws<DataFormatException>(() => MnistLoader.Load<float>(_dir));
        Assert.Equal(9, e.Offset);
        Assert.Contains("label 12", e.Message);
    }

    [Fact]
    public void MissingDirectoryFiles_AreFileNotFound()
    {
        Assert.False(MnistLoader.Exists(_dir));
        var e = Assert.Throws<FileNotFoundException>(() => MnistLoader.Load<float>(_dir));
        Assert.Contains("train-images-idx3-ubyte", e.Message);
    }
}
