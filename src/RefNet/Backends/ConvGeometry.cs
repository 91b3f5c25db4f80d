// ConvGeometry: the sizes of a 2-D window operation (convolution or pooling) on NHWC images,
// with TensorFlow's "valid" and "same" rules. Favours clarity over speed.
using System.Numerics;
using RefNet.Tensors;

namespace RefNet.Backends;

/// <summary>Sizes of a 2-D sliding window over (batch, height, width, channels) images.</summary>
/// <param name="Batch">N.</param>
/// <param name="Height">Input height H.</param>
/// <param name="Width">Input width W.</param>
/// <param name="Channels">Input channels C.</param>
/// <param name="KernelHeight">Window height kh.</param>
/// <param name="KernelWidth">Window width kw.</param>
/// <param name="StrideHeight">Vertical stride.</param>
/// <param name="StrideWidth">Horizontal stride.</param>
/// <param name="DilationHeight">Vertical dilation (1 = dense window).</param>
/// <param name="DilationWidth">Horizontal dilation.</param>
/// <param name="PadTop">Zero rows above the image.</param>
/// <param name="PadLeft">Zero columns left of the image.</param>
/// <param name="OutHeight">Output height.</param>
/// <param name="OutWidth">Output width.</param>
/// <remarks>Output pixel (oy, ox) reads input rows oy·StrideHeight − PadTop + ky·DilationHeight, ky &lt; kh (and the same for columns).</remarks>
public readonly record struct ConvGeometry(
    int Batch, int Height, int Width, int Channels,
    int KernelHeight, int KernelWidth, int StrideHeight, int StrideWidth,
    int DilationHeight, int DilationWidth, int PadTop, int PadLeft, int OutHeight, int OutWidth)
{
    /// <summary>Shape of the input, (N, H, W, C).</summary>
    public Shape InputShape => new(Batch, Height, Width, Channels);

    /// <summary>Shape of a pooling output, (N, OutHeight, OutWidth, C).</summary>
    public Shape PooledShape => new(Batch, OutHeight, OutWidth, Channels);

    /// <summary>Shape of <see cref="IBackend{T}.Im2Col"/>'s output, (N·OutHeight·OutWidth, kh·kw·C).</summary>
    public Shape ColumnsShape => new(Batch * OutHeight * OutWidth, KernelHeight * KernelWidth * Channels);

    /// <summary>The geometry of a window over NHWC images with TensorFlow's padding rules.</summary>
    /// <param name="batch">N.</param>
    /// <param name="height">H.</param>
    /// <param name="width">W.</param>
    /// <param name="channels">C.</param>
    /// <param name="kernel">(kh, kw).</param>
    /// <param name="strides">(sh, sw).</param>
    /// <param name="dilation">(dh, dw).</param>
    /// <param name="same">"same" padding when true, "valid" when false.</param>
    /// <remarks>valid: out = ⌊(H − ((kh−1)·d + 1)) / s⌋ + 1. same: out = ⌈H / s⌉, total padding
    /// max((out−1)·s + (kh−1)·d + 1 − H, 0), of which ⌊total/2⌋ goes on top and the odd row at the bottom (TF).</remarks>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, or a "valid" window is larger than the input.</exception>
    public static ConvGeometry Create(int batch, int height, int width, int channels,
        (int Height, int Width) kernel, (int Height, int Width) strides, (int Height, int Width) dilation, bool same)
    {
        Positive(batch, nameof(batch));
        Positive(height, nameof(height));
        Positive(width, nameof(width));
        Positive(channels, nameof(channels));
        Positive(kernel.Height, "kernel height");
        Positive(kernel.Width, "kernel width");
        Positive(strides.Height, "stride height");
        Positive(strides.Width, "stride width");
        Positive(dilation.Height, "dilation height");
        Positive(dilation.Width, "dilation width");
        (int outH, int padTop) = Axis(height, kernel.Height, strides.Height, dilation.Height, same, "height");
        (int outW, int padLeft) = Axis(width, kernel.Width, strides.Width, dilation.Width, same, "width");
        return new ConvGeometry(batch, height, width, channels, kernel.Height, kernel.Width, strides.Height, strides.Width,
            dilation.Height, dilation.Width, padTop, padLeft, outH, outW);
    }

    private static (int Out, int PadBefore) Axis(int size, int k, int stride, int dilation, bool same, string axis)
    {
        int span = ((k - 1) * dilation) + 1;
        if (same)
        {
            int output = (size + stride - 1) / stride;
            int total = Math.Max(((output - 1) * stride) + span - size, 0);
            return (output, total / 2);
        }
        if (span > size)
        {
            throw new ArgumentOutOfRangeException(nameof(size),
                $"a {axis} window of {span} (kernel {k}, dilation {dilation}) does not fit an input {axis} of {size} with \"valid\" padding");
        }
        return (((size - span) / stride) + 1, 0);
    }

    private static void Positive(int value, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentOutOfRangeException(name, $"{name} must be positive, got {value}");
        }
    }
}

/// <summary>The scalar rules of window pooling, shared by every backend's loops.</summary>
/// <typeparam name="T">float or double.</typeparam>
public static class PoolRules<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Running maximum that a NaN takes over and keeps (TensorFlow's max pool propagates NaN); start from −∞.</summary>
    public static T MaxStep(T acc, T v) => Replaces(acc, v) ? v : acc;

    /// <summary>Whether v takes over from the running maximum: v is larger, or v is the first NaN (which then stays).</summary>
    /// <remarks>Forward and backward use this one rule, so the gradient goes to the element the forward pass chose.</remarks>
    public static bool Replaces(T max, T v) => !T.IsNaN(max) && (T.IsNaN(v) || v > max);
}
