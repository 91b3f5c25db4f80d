// What the Stryker run of src/RefNet/Initializers left standing: argument checks and their messages, and the
// class-name-to-Keras-name conversion at an upper-case last letter.
using RefNet.Initializers;
using Xunit;

namespace RefNet.Tests.Initializers;

public sealed class InitializerContractTests
{
    [Theory]
    [InlineData("HeNormal", "he_normal")]
    [InlineData("GlorotUniform", "glorot_uniform")]
    [InlineData("lecun_normal", "lecun_normal")]
    [InlineData(" TruncatedNormal ", "truncated_normal")]
    public void FromName_ReadsKerasClassNamesAndSnakeCaseNames(string name, string expected) =>
        Assert.Equal(expected, Initializer.FromName(name).Name);

    [Theory]
    [InlineData("GlorotUniformX")] // an upper-case last letter after a lower-case one: "glorot_uniform_x"
    [InlineData("X")]
    [InlineData("kaiming")]
    public void FromName_UnknownName_IsAnArgumentErrorNamingIt(string name)
    {
        var e = Assert.Throws<ArgumentException>(() => Initializer.FromName(name));
        Assert.Contains($"Unknown initializer '{name}'", e.Message);
    }

    [Fact]
    public void NegativeStandardDeviations_AreRejected_WithTheirValue()
    {
        Assert.Contains("stddev must be non-negative, got -1", Assert.Throws<ArgumentOutOfRangeException>(() => new RandomNormal(stddev: -1)).Message);
        Assert.Contains("stddev must be non-negative, got -0.5", Assert.Throws<ArgumentOutOfRangeException>(() => new TruncatedNormal(stddev: -0.5)).Message);
    }

    [Fact]
    public void RandomUniform_WithMinAboveMax_IsRejected_NamingBoth()
    {
        var e = Assert.Throws<ArgumentException>(() => new RandomUniform(minValue: 1, maxValue: 0));
        Assert.Contains("minValue 1 is above maxValue 0", e.Message);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-2.0)]
    [InlineData(double.NaN)]
    public void VarianceScaling_NonPositiveScale_IsRejected(double scale)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new VarianceScaling(scale));
        Assert.Contains($"scale must be positive, got {scale}", e.Message);
    }

    [Fact]
    public void Orthogonal_OnAVector_IsRejected_WithTheShape()
    {
        var e = Assert.Throws<ArgumentException>(() => new Orthogonal().Fill(new double[3], [3], new Random(1)));
        Assert.Contains("orthogonal needs a weight of rank 2 or more, got shape (3)", e.Message);
        Assert.Throws<ArgumentNullException>(() => new Orthogonal().Fill(new double[3], null!, new Random(1)));
    }

    [Fact]
    public void LecunNormal_IsNamedAsInKeras() => Assert.Equal("lecun_normal", new LecunNormal().Name);
}
