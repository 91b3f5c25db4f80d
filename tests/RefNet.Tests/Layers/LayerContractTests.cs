// What the Stryker run of src/RefNet/Layers left standing: Dense's and Dropout's argument checks and messages, and
// that BackwardParametersOnly really skips the input-gradient product δ·Wᵀ (counted on a backend that counts GEMMs).
using RefNet.Activations;
using RefNet.Backends;
using RefNet.Layers;
using RefNet.Tensors;
using Xunit;

namespace RefNet.Tests.Layers;

public sealed class LayerContractTests
{
    /// <summary>The reference backend, counting matrix products.</summary>
    private sealed class CountingBackend : ReferenceBackend<double>
    {
        public int Products { get; private set; }

        protected override void MatMulCore(Tensor<double> a, bool transposeA, Tensor<double> b, bool transposeB, Tensor<double> c, double alpha, double beta, int m, int n, int k)
        {
            Products++;
            base.MatMulCore(a, transposeA, b, transposeB, c, alpha, beta, m, n, k);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Dense_BackwardParametersOnly_SkipsTheInputGradientProduct_ButGivesTheSameParameterGradients(bool linear)
    {
        var counting = new CountingBackend();
        var layer = new Dense<double>(3, linear ? null : ActivationFunction.Tanh, inputDim: 4, seed: 2);
        layer.UseBackend(counting);
        layer.Build(new Shape(4));
        var x = Tensor<double>.FromArray(new Shape(2, 4), [0.1, -0.2, 0.3, 0.4, -0.5, 0.6, 0.7, -0.8]);
        var g = Tensor<double>.FromArray(new Shape(2, 3), [1, -1, 0.5, 0.25, 2, -0.5]);
        layer.Forward(x, training: true);
        int before = counting.Products;
        layer.BackwardParametersOnly(g);
        Assert.Equal(1, counting.Products - before); // xᵀ·δ only
        double[] kernelGradient = layer.Kernel.Gradient.ToArray();
        double[] biasGradient = layer.Bias!.Gradient.ToArray();
        before = counting.Products;
        Tensor<double> dx = layer.Backward(g);
        Assert.Equal(2, counting.Products - before); // xᵀ·δ and δ·Wᵀ
        Assert.Equal(new Shape(2, 4), dx.Shape);
        Assert.Equal(kernelGradient, layer.Kernel.Gradient.ToArray());
        Assert.Equal(biasGradient, layer.Bias!.Gradient.ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void Dense_WithoutUnits_IsRejected(int units)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Dense<double>(units));
        Assert.Contains($"Dense needs at least one unit, got {units}", e.Message);
    }

    [Fact]
    public void Dense_WithANonPositiveInputDim_IsRejected()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Dense<double>(2, inputDim: 0));
        Assert.Contains("Dense input_dim must be positive, got 0", e.Message);
    }

    [Fact]
    public void Dense_OnAnImageShapedInput_ActsOnTheLastAxis_AndAScalarInputIsRejected_WithTheShape()
    {
        // Keras' Dense on (28, 28, 1) gives (28, 28, units); only a sample without any axis has nothing to act on.
        var layer = new Dense<double>(2, name: "head");
        Assert.Equal(new Shape(28, 28, 2), layer.ComputeOutputShape(new Shape(28, 28, 1)));
        var e = Assert.Throws<ShapeMismatchException>(() => layer.ComputeOutputShape(new Shape()));
        Assert.Contains("Dense 'head' input", e.Message);
        Assert.Contains("(…, features)", e.Message);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void Dropout_RateOutsideZeroToOne_IsRejected_WithItsValue(double rate)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout<double>(rate));
        Assert.Contains($"Dropout rate must be in [0, 1), got {rate}", e.Message);
    }
}
