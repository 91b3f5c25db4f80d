// What the Stryker run of src/RefNet/Activations left standing: the linear aliases, the unknown-name message, and
// value equality (by type and parameters).
using RefNet.Activations;
using Xunit;

namespace RefNet.Tests.Activations;

public sealed class ActivationRegistryTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("none")]
    [InlineData("NONE")]
    [InlineData("linear")]
    public void LinearAliases_GiveTheLinearActivation(string? name) => Assert.Same(ActivationFunction.Linear, ActivationFunction.FromName(name));

    [Fact]
    public void UnknownName_ListsTheKnownOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => ActivationFunction.FromName("swishy"));
        Assert.Contains("Unknown activation 'swishy' (expected ", e.Message);
        Assert.Contains(string.Join(", ", ActivationFunction.Names), e.Message);
        Assert.Equal("name", e.ParamName);
    }

    [Fact]
    public void Equality_IsByTypeAndParameters()
    {
        Assert.Equal(ActivationFunction.Relu, new Relu());
        Assert.True(new Relu().Equals(new Relu()));
        Assert.False(ActivationFunction.Relu.Equals(ActivationFunction.Tanh));
        Assert.False(ActivationFunction.Relu.Equals(null));
        Assert.Equal(new LeakyRelu(0.1), new LeakyRelu(0.1));
        Assert.NotEqual(new LeakyRelu(0.1), new LeakyRelu(0.2));
        Assert.Equal(new Elu(0.5), new Elu(0.5));
        Assert.NotEqual(new Elu(0.5), new Elu(1.0));
        Assert.NotEqual<ActivationFunction>(new Elu(1.0), new Selu());
        Assert.Equal(new LeakyRelu(0.1).GetHashCode(), new LeakyRelu(0.1).GetHashCode());
    }
}
