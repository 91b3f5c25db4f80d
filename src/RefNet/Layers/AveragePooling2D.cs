// AveragePooling2D: the mean of each window, per channel (Keras AveragePooling2D, channels-last).
// Forward and Backward live in Pooling2D; this file names the rule and its padding convention.
using System.Numerics;
using RefNet.Backends;
using RefNet.Tensors;

namespace RefNet.Layers;

/// <summary>Average pooling (Keras <c>AveragePooling2D</c>): y = mean over each window; each element gets gradient / count.</summary>
/// <typeparam name="T">float or double.</typeparam>
/// <remarks>With "same" padding the mean is over the window's unpadded elements only (TensorFlow's rule), so
/// a corner window of a 2 × 2 pool may average 1, 2 or 4 values.</remarks>
/// <param name="poolSize">(ph, pw); (2, 2) when null.</param>
/// <param name="strides">(sh, sw); the pool size when null.</param>
/// <param name="padding">"valid" or "same".</param>
/// <param name="inputShape">(H, W, C) when this is the first layer.</param>
/// <param name="name">Layer name ("average_pooling2d_1" etc. when null).</param>
public sealed class AveragePooling2D<T>((int Height, int Width)? poolSize = null, (int Height, int Width)? strides = null, string padding = "valid",
    Shape? inputShape = null, string? name = null)
    : Pooling2D<T>(PoolKind.Average, poolSize, strides, padding, inputShape, name)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>A square window, e.g. <c>new AveragePooling2D&lt;float&gt;(2)</c>.</summary>
    public AveragePooling2D(int poolSize, string padding = "valid")
        : this((poolSize, poolSize), null, padding)
    {
    }
}
