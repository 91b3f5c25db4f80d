// GlobalMaxPooling2D: the largest value of each channel over the whole image (Keras GlobalMaxPooling2D).
// Forward and Backward live in GlobalPooling2D; ties send the gradient to the first maximum in row-major order.
using System.Numerics;
using RefNet.Backends;
using RefNet.Tensors;

namespace RefNet.Layers;

/// <summary>y[n, c] = max_{i, j} x[n, i, j, c] (Keras <c>GlobalMaxPooling2D</c>, channels-last).</summary>
/// <typeparam name="T">float or double.</typeparam>
/// <param name="inputShape">(H, W, C) when this is the first layer.</param>
/// <param name="name">Layer name ("global_max_pooling2d_1" etc. when null).</param>
public sealed class GlobalMaxPooling2D<T>(Shape? inputShape = null, string? name = null)
    : GlobalPooling2D<T>(PoolKind.Max, inputShape, name)
    where T : unmanaged, IFloatingPointIeee754<T>;
