// Regularizer construction and display: the cases the mutation run (make mutate FOLDER=src/RefNet/Regularizers)
// found untested — a negative factor must be refused with a message, and ToString names both factors.
using RefNet.Regularizers;
using Xunit;

namespace RefNet.Tests.Regularizers;

public class RegularizerArgumentTests
{
    [Theory]
    [InlineData(-0.1, 0)]
    [InlineData(0, -2)]
    public void NegativeFactor_IsRefused_WithTheValues(double l1, double l2)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Regularizer(l1: l1, l2: l2));
        Assert.Contains("non-negative", e.Message);
        Assert.Contains((l1 < 0 ? l1 : l2).ToString(), e.Message);
    }

    [Fact]
    public void ToString_NamesBothFactors_LikeKerasL1L2()
    {
        Assert.Equal($"l1_l2(l1={0.5}, l2={0.25})", new Regularizer(l1: 0.5, l2: 0.25).ToString());
    }
}
