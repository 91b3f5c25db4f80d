// Property: Conv2D, max and average pooling and BatchNormalization match float64 central differences (wrt the input and
// every trainable parameter) over random window geometries: kernel 1–4, stride 1–3, dilation 1–2, valid/same, odd and
// even sizes, channels 1–3, batch 1–3. Max pooling inputs are drawn without ties (ties have their own exact tests).
using RefNet.Activations;
using RefNet.Backends;
using RefNet.Engine;
using RefNet.Initializers;
using RefNet.Layers;
using RefNet.Tensors;
using RefNet.Verification;
using Xunit;

namespace RefNet.Tests.Properties;

public class WindowGradientProperties
{
    [RefNetProperty]
    public void Conv2D_MatchesCentralDifferences(WindowCase c)
    {
        var conv = new Conv2D<double>(c.Filters, (c.KernelHeight, c.KernelWidth), (c.Stride, c.Stride), c.Same ? "same" : "valid",
            (c.Dilation, c.Dilation), ActivationFunction.Tanh, name: "conv", seed: c.Seed);
        conv.UseBackend(ReferenceBackend<double>.Instance);
        GradientCheckResult r = GradientCheck.Layer(conv, new Shape(c.Batch, c.Height, c.Width, c.Channels), seed: c.Seed);
        Assert.True(r.Passed, $"{c}: {r}");
    }

    [RefNetProperty]
    public void MaxAndAveragePooling_MatchCentralDifferences(WindowCase c)
    {
        string padding = c.Same ? "same" : "valid";
        Layer<double>[] layers =
        [
            new MaxPooling2D<double>((c.KernelHeight, c.KernelWidth), (c.Stride, c.Stride), padding, name: "max_pooling2d"),
            new AveragePooling2D<double>((c.KernelHeight, c.KernelWidth), (c.Stride, c.Stride), padding, name: "average_pooling2d"),
        ];
        foreach (Layer<double> layer in layers)
        {
            layer.UseBackend(ReferenceBackend<double>.Instance);
            GradientCheckResult r = GradientCheck.Layer(layer, TieFree(c), seed: c.Seed);
            Assert.True(r.Passed, $"{layer.TypeName}, {c}: {r}");
        }
    }

    [RefNetProperty]
    public void BatchNormalization_InTrainingMode_MatchesCentralDifferences(WindowCase c)
    {
        // At least 2 values per channel, else σ² = 0 and x̂ = 0 for every input (a constant output).
        int batch = c.Batch * c.Height * c.Width < 2 ? 2 : c.Batch;
        var bn = new BatchNormalization<double>(betaInitializer: new RandomUniform(-0.5, 0.5), gammaInitializer: new RandomUniform(0.5, 1.5),
            name: "batch_normalization") { Seed = c.Seed };
        bn.UseBackend(ReferenceBackend<double>.Instance);
        GradientCheckResult r = GradientCheck.Layer(bn, TieFree(c with { Batch = batch }), seed: c.Seed, training: true);
        Assert.True(r.Passed, $"{c}: {r}");
    }

    // Distinct values 0.05 apart (≫ the stencil's step), shuffled by the seed: no window has two equal maxima.
    private static Tensor<double> TieFree(WindowCase c)
    {
        int n = c.Batch * c.Height * c.Width * c.Channels;
        var values = Enumerable.Range(0, n).Select(i => -1 + (0.05 * i)).ToArray();
        new Random(c.Seed).Shuffle(values);
        return Tensor<double>.FromArray(new Shape(c.Batch, c.Height, c.Width, c.Channels), values);
    }
}
