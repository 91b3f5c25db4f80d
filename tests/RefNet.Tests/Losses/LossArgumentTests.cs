// Loss lookup and argument checks: the survivors of `make mutate FOLDER=src/RefNet/Losses` (all in Loss.cs, none in a formula).
using RefNet.Backends;
using RefNet.Losses;
using RefNet.Tensors;
using Xunit;

namespace RefNet.Tests.Losses;

public class LossArgumentTests
{
    private static readonly IBackend<double> B = ReferenceBackend<double>.Instance;

    [Theory]
    [InlineData("mse", typeof(MeanSquaredError))]
    [InlineData("mean_squared_error", typeof(MeanSquaredError))]
    [InlineData("mae", typeof(MeanAbsoluteError))]
    [InlineData("mean_absolute_error", typeof(MeanAbsoluteError))]
    [InlineData("binary_crossentropy", typeof(BinaryCrossentropy))]
    [InlineData("bce", typeof(BinaryCrossentropy))]
    [InlineData("categorical_crossentropy", typeof(CategoricalCrossentropy))]
    [InlineData("cce", typeof(CategoricalCrossentropy))]
    public void FromName_KnowsEveryKerasNameAndAlias(string name, Type expected) => Assert.IsType(expected, Loss.FromName(name));

    [Fact]
    public void FromName_Unknown_ListsTheKnownNames()
    {
        var e = Assert.Throws<ArgumentException>(() => Loss.FromName("hinge"));
        Assert.Contains("hinge", e.Message);
        Assert.Contains("categorical_crossentropy", e.Message);
    }

    [Fact]
    public void Gradient_And_ScaledGradient_RejectAWrongGradientShape_NamingTheLoss()
    {
        Loss loss = new MeanSquaredError();
        Tensor<double> p = B.Allocate(new Shape(2, 3)), y = B.Allocate(new Shape(2, 3)), wrong = B.Allocate(new Shape(3, 2));
        var e = Assert.Throws<ShapeMismatchException>(() => loss.Gradient(B, p, y, wrong));
        Assert.Contains("mean_squared_error gradient vs predictions", e.Message);
        e = Assert.Throws<ShapeMismatchException>(() => loss.ScaledGradient(B, p, y, 1.0, wrong));
        Assert.Contains("mean_squared_error gradient vs predictions", e.Message);
        e = Assert.Throws<ShapeMismatchException>(() => loss.ScaledGradient(B, p, B.Allocate(new Shape(2, 2)), 1.0, B.Allocate(new Shape(2, 3))));
        Assert.Contains("mean_squared_error targets vs predictions", e.Message);
        Assert.Throws<ArgumentNullException>(() => loss.ScaledGradient(null!, p, y, 1.0, B.Allocate(new Shape(2, 3))));
    }

    [Fact]
    public void PerSample_RejectsTargetsOfAnotherShape_NamingTheLoss()
    {
        var e = Assert.Throws<ShapeMismatchException>(() =>
            new BinaryCrossentropy().PerSample(B, B.Allocate(new Shape(2, 3)), B.Allocate(new Shape(2, 4)), B.Allocate(new Shape(2))));
        Assert.Contains("binary_crossentropy targets vs predictions", e.Message);
        Assert.Contains("(2, 4)", e.Message);
    }
}
