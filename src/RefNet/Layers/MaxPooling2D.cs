// MaxPooling2D: the largest value of each window, per channel (Keras MaxPooling2D, channels-last).
// Forward and Backward live in Pooling2D; this file names the rule and its tie and NaN conventions.
using System.Numerics;
using RefNet.Backends;
using RefNet.Tensors;

namespace RefNet.Layers;

/// <summary>Max pooling (Keras <c>MaxPooling2D</c>): y = max over each window; the gradient goes to that maximum.</summary>
/// <typeparam name="T">float or double.</typeparam>
/// <remarks>Ties: the first maximum in row-major window order gets the whole gradient (TensorFlow's MaxPoolGrad
/// picks one element, not a share each). A NaN in a window is its maximum, as in TensorFlow.</remarks>
/// <param name="poolSize">(ph, pw); (2, 2) when null.</param>
/// <param name="strides">(sh, sw); the pool size when null.</param>
/// <param name="padding">"valid" or "same".</param>
/// <param name="inputShape">(H, W, C) when this is the first layer.</param>
/// <param name="name">Layer name ("max_pooling2d_1" etc. when null).</param>
public sealed class MaxPooling2D<T>((int Height, int Width)? poolSize = null, (int Height, int Width)? strides = null, string padding = "valid",
    Shape? inputShape = null, string? name = null)
    : Pooling2D<T>(PoolKind.Max, poolSize, strides, padding, inputShape, name)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>A square window, e.g. <c>new MaxPooling2D&lt;float&gt;(2)</c>.</summary>
    public MaxPooling2D(int poolSize, string padding = "valid")
        : this((poolSize, poolSize), null, padding)
    {
    }
}
