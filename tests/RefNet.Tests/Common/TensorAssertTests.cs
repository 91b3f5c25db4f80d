// The comparison helper must pass equal tensors and fail with a message naming the worst element.
using RefNet.Tensors;
using Xunit;
using Xunit.Sdk;

namespace RefNet.Tests.Common;

public class TensorAssertTests
{
    [Fact]
    public void Close_PassesWithinTolerance()
    {
        var a = Tensor<double>.FromRows(new double[,] { { 1, 2 }, { 3, 4 } });
        var b = Tensor<double>.FromRows(new double[,] { { 1, 2 + 1e-13 }, { 3, 4 } });
        TensorAssert.Close(a, b, atol: 1e-12, rtol: 0, because: "tiny difference");
    }

    [Fact]
    public void Close_ReportsShapeMismatchFirst()
    {
        var e = Assert.Throws<XunitException>(() => TensorAssert.Close(new Tensor<double>(2, 3), new Tensor<double>(3, 2), 1, 1, "shapes"));
        Assert.Contains("shapes: shape mismatch: expected (2, 3) but got (3, 2)", e.Message);
    }

    [Fact]
    public void Close_ReportsTheWorstElementWithIndexAndErrors()
    {
        var a = Tensor<double>.FromRows(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        var b = Tensor<double>.FromRows(new double[,] { { 1, 2.1, 3 }, { 4, 5, 7 } });
        var e = Assert.Throws<XunitException>(() => TensorAssert.Close(a, b, atol: 1e-3, rtol: 0, because: "Dense forward"));
        Assert.Contains("Dense forward: 2 of 6 elements differ", e.Message);
        Assert.Contains("worst at [1, 2]: expected 6, actual 7, abs error 1.000E+000", e.Message);
    }

    [Fact]
    public void Close_TreatsNaNAsDifferent()
    {
        Assert.Throws<XunitException>(() => TensorAssert.Close([1.0], [double.NaN], 1, 1));
    }

    [Fact]
    public void GoldenFile_FindsRepositoryRoot() =>
        Assert.True(File.Exists(Path.Combine(GoldenFile.RepositoryRoot, "RefNet.sln")));
}
