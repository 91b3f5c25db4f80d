// GlobalAveragePooling2D: the mean of each channel over the whole image (Keras GlobalAveragePooling2D).
// Forward and Backward live in GlobalPooling2D.
using System.Numerics;
using RefNet.Backends;
using RefNet.Tensors;

namespace RefNet.Layers;

/// <summary>y[n, c] = (1 / (H·W)) Σ_{i, j} x[n, i, j, c] (Keras <c>GlobalAveragePooling2D</c>, channels-last).</summary>
/// <typeparam name="T">float or double.</typeparam>
/// <param name="inputShape">(H, W, C) when this is the first layer.</param>
/// <param name="name">Layer name ("global_average_pooling2d_1" etc. when null).</param>
public sealed class GlobalAveragePooling2D<T>(Shape? inputShape = null, string? name = null)
    : GlobalPooling2D<T>(PoolKind.Average, inputShape, name)
    where T : unmanaged, IFloatingPointIeee754<T>;
