// Linear activation: f(z) = z, f'(z) = 1. Layers skip it; as a formula it is a copy.
// Favours clarity over speed.
using System.Numerics;
using RefNet.Backends;
using RefNet.Tensors;

namespace RefNet.Activations;

/// <summary>f(z) = z (Keras "linear").</summary>
public sealed class Linear : ActivationFunction
{
    /// <inheritdoc/>
    public override string Name => "linear";

    /// <inheritdoc/>
    public override void Forward<T>(IBackend<T> backend, Tensor<T> x, Tensor<T> y) => backend.Copy(x, y);

    /// <inheritdoc/>
    public override void Backward<T>(IBackend<T> backend, Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T> dx) => backend.Copy(dy, dx);
}
