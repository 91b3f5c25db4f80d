// Shared argument rules of the window layers (Conv2D, the pooling layers): positive sizes, the padding names,
// and the geometry of a channels-last input with errors that name the layer and both shapes.
using System.Numerics;
using RefNet.Backends;
using RefNet.Engine;
using RefNet.Tensors;

namespace RefNet.Layers;

/// <summary>Argument checks and geometry for layers that slide a window over (H, W, C) images.</summary>
internal static class Window
{
    /// <summary>Returns <paramref name="size"/> if both parts are positive.</summary>
    public static (int Height, int Width) Positive((int Height, int Width) size, string parameter, string what)
    {
        if (size.Height <= 0 || size.Width <= 0)
        {
            throw new ArgumentOutOfRangeException(parameter, $"{what} must be positive, got {size}");
        }
        return size;
    }

    /// <summary>"valid" or "same" (any case), lower-cased.</summary>
    public static string CheckPadding(string padding, string layer)
    {
        ArgumentNullException.ThrowIfNull(padding);
        string p = padding.Trim().ToLowerInvariant();
        return p is "valid" or "same" ? p : throw new ArgumentException($"{layer} padding must be \"valid\" or \"same\", got \"{padding}\"", nameof(padding));
    }

    /// <summary>The geometry of one image of <paramref name="inputShape"/> (H, W, C), validated for <paramref name="layer"/>.</summary>
    /// <exception cref="ShapeMismatchException">The input is not (H, W, C), or a "valid" window does not fit it.</exception>
    public static ConvGeometry Geometry<T>(Layer<T> layer, Shape inputShape, (int Height, int Width) kernel, (int Height, int Width) strides,
        (int Height, int Width) dilation, string padding)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        string what = $"{layer.TypeName} '{layer.Name}' input";
        if (inputShape.Rank != 3)
        {
            throw new ShapeMismatchException(what, "(height, width, channels)", inputShape);
        }
        int spanH = ((kernel.Height - 1) * dilation.Height) + 1, spanW = ((kernel.Width - 1) * dilation.Width) + 1;
        if (padding == "valid" && (spanH > inputShape[0] || spanW > inputShape[1]))
        {
            throw new ShapeMismatchException($"{what} (a {spanH}×{spanW} window with \"valid\" padding needs at least that image size)",
                $"(≥{spanH}, ≥{spanW}, {inputShape[2]})", inputShape);
        }
        return Geometry(1, inputShape, kernel, strides, dilation, padding);
    }

    /// <summary>The geometry of a batch of <paramref name="batch"/> images of an already validated shape.</summary>
    public static ConvGeometry Geometry(int batch, Shape inputShape, (int Height, int Width) kernel, (int Height, int Width) strides,
        (int Height, int Width) dilation, string padding) =>
        ConvGeometry.Create(batch, inputShape[0], inputShape[1], inputShape[2], kernel, strides, dilation, padding == "same");
}
