// Shape: element counts from the product formula, and typed errors for negative or oversized dimensions.
using RefNet.Tensors;
using Xunit;

namespace RefNet.Tests.Unit.Tensors;

public sealed class ShapeTests
{
    [Theory]
    [InlineData(new int[0], 1, 1)]
    [InlineData(new[] { 7 }, 7, 1)]
    [InlineData(new[] { 4, 5 }, 20, 5)]
    [InlineData(new[] { 2, 3, 4 }, 24, 12)]
    [InlineData(new[] { 0, 3, 4 }, 0, 12)]
    public void Length_And_RowLength_AreTheProducts(int[] dims, int length, int rowLength)
    {
        var shape = new Shape(dims);
        Assert.Equal(length, shape.Length);
        Assert.Equal(rowLength, shape.RowLength);
    }

    [Fact]
    public void NegativeDimension_Throws() =>
        Assert.Contains("(2, -1)", Assert.Throws<ArgumentException>(() => new Shape(2, -1)).Message);

    [Theory]
    [InlineData(100000, 100000)]
    [InlineData(0, 100000, 100000)]
    [InlineData(65536, 65536, 65536, 65536)]
    public void MoreElementsThanAnArray_ThrowsNamingTheShape_InsteadOfOverflowing(params int[] dims)
    {
        var e = Assert.Throws<ArgumentException>(() => new Shape(dims));
        Assert.Contains($"({string.Join(", ", dims)})", e.Message);
    }
}
