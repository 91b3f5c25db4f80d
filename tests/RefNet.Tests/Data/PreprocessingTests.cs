// ToCategorical, TrainTestSplit and MinMaxScaler against formulas written out in the tests
// (Keras to_categorical, scikit-learn train_test_split sizes and MinMaxScaler with constant columns).
using RefNet.Data;
using RefNet.Tensors;
using Xunit;

namespace RefNet.Tests.Data;

public sealed class PreprocessingTests
{
    [Fact]
    public void ToCategorical_PutsOneInTheLabelsColumn()
    {
        Tensor<double> y = Preprocessing.ToCategorical<double>([2, 0, 1, 2], 4);
        double[] expected =
        [
            0, 0, 1, 0,
            1, 0, 0, 0,
            0, 1, 0, 0,
            0, 0, 1, 0,
        ];
        Assert.Equal(new[] { 4, 4 }, y.Shape.ToArray());
        Assert.Equal(expected, y.ToArray());
    }

    [Fact]
    public void ToCategorical_DefaultClassCount_IsMaxPlusOne()
    {
        Assert.Equal(new[] { 2, 6 }, Preprocessing.ToCategorical<float>([5, 1]).Shape.ToArray());
    }

    [Theory]
    [InlineData(3)]
    [InlineData(-1)]
    public void ToCategorical_OutOfRange_Throws(int bad)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Preprocessing.ToCategorical<float>([0, bad], 3));
        Assert.Contains($"label {bad} at index 1", e.Message);
    }

    private static Dataset<double> Numbered(int n)
    {
        var x = new Tensor<double>(n, 2);
        for (int i = 0; i < n; i++)
        {
            x[i, 0] = i;
            x[i, 1] = 100 + i;
        }
        int[] labels = Enumerable.Range(0, n).Select(i => i % 3).ToArray();
        return new Dataset<double>(x, Preprocessing.ToCategorical<double>(labels, 3), labels);
    }

    [Fact]
    public void TrainTestSplit_SizesFollowScikitLearn_AndRowsStayTogether()
    {
        Dataset<double> data = Numbered(10);
        TrainTest<double> split = Preprocessing.TrainTestSplit(data, testSize: 0.25, seed: 42);
        // scikit-learn: n_test = ceil(0.25·10) = 3, n_train = 7.
        Assert.Equal(7, split.Train.Count);
        Assert.Equal(3, split.Test.Count);
        var ids = new List<int>();
        foreach (Dataset<double> part in new[] { split.Train, split.Test })
        {
            for (int r = 0; r < part.Count; r++)
            {
                int id = (int)part.X[r, 0];
                ids.Add(id);
                Assert.Equal(100 + id, part.X[r, 1]);
                Assert.Equal(id % 3, part.Labels![r]);
                Assert.Equal(1.0, part.Y[r, id % 3]);
            }
        }
        Assert.Equal(Enumerable.Range(0, 10), ids.Order());
    }

    [Fact]
    public void TrainTestSplit_IsDeterministicPerSeed()
    {
        Dataset<double> data = Numbered(50);
        double[] a = Preprocessing.TrainTestSplit(data, 0.2, seed: 7).Test.X.ToArray();
        double[] b = Preprocessing.TrainTestSplit(data, 0.2, seed: 7).Test.X.ToArray();
        double[] c = Preprocessing.TrainTestSplit(data, 0.2, seed: 8).Test.X.ToArray();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void TrainTestSplit_WithoutShuffle_TakesTheLastRowsForTest()
    {
        TrainTest<double> split = Preprocessing.TrainTestSplit(Numbered(4), 0.5, shuffle: false);
        Assert.Equal(new[] { 2, 3 }, split.Test.Labels!.Select((_, r) => (int)split.Test.X[r, 0]));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(0.95)] // ceil(9.5) = 10 test samples, none left to train
    public void TrainTestSplit_RejectsEmptyParts(double testSize)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Preprocessing.TrainTestSplit(Numbered(10), testSize));
    }

    [Fact]
    public void MinMaxScaler_MatchesScikitLearnFormula_IncludingConstantColumn()
    {
        var x = Tensor<double>.FromRows(new double[,] { { 1, -2, 5 }, { 3, 6, 5 }, { 2, 2, 5 } });
        var scaler = new MinMaxScaler();
        Tensor<double> t = scaler.FitTransform(x);
        // Column 0: (x−1)/2; column 1: (x+2)/8; column 2 constant: range 0 → 1, so x − 5 = 0.
        double[] expected = [0, 0, 0, 1, 1, 0, 0.5, 0.5, 0];
        Assert.Equal(expected, t.ToArray());
        Assert.Equal(new double[] { 1, -2, 5 }, scaler.DataMin);
        Assert.Equal(new double[] { 3, 6, 5 }, scaler.DataMax);
        Assert.Equal(x.ToArray(), scaler.InverseTransform(t).ToArray());
    }

    [Fact]
    public void MinMaxScaler_CustomRange_AndUnseenValuesAreNotClipped()
    {
        var scaler = new MinMaxScaler(-1, 1).Fit(Tensor<double>.FromRows(new double[,] { { 0 }, { 10 } }));
        double[] t = scaler.Transform(Tensor<double>.FromRows(new double[,] { { 5 }, { 20 } })).ToArray();
        // scale = 2/10, min = −1 − 0·scale: 5 → 0, 20 → 3.
        Assert.Equal(new[] { 0.0, 3.0 }, t);
    }

    [Fact]
    public void MinMaxScaler_Errors()
    {
        var scaler = new MinMaxScaler();
        Assert.Throws<InvalidOperationException>(() => scaler.Transform(new Tensor<double>(2, 2)));
        scaler.Fit(new Tensor<double>(2, 2));
        Assert.Throws<ShapeMismatchException>(() => scaler.Transform(new Tensor<double>(2, 3)));
        Assert.Throws<ArgumentException>(() => new MinMaxScaler(1, 1));
        Assert.Throws<ArgumentException>(() => scaler.Fit(Tensor<double>.FromRows(new double[,] { { double.NaN } })));
    }
}
