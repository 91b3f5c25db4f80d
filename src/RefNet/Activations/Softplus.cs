// Softplus: f(z) = ln(1 + e^z), computed as max(z, 0) + ln(1 + e^−|z|) so that e^z never overflows; f'(z) = σ(z).
// Favours clarity over speed.
using System.Numerics;
using RefNet.Backends;
using RefNet.Tensors;

namespace RefNet.Activations;

/// <summary>ln(1 + e^z) (Keras "softplus").</summary>
public sealed class Softplus : ActivationFunction
{
    /// <inheritdoc/>
    public override string Name => "softplus";

    /// <inheritdoc/>
    public override void Forward<T>(IBackend<T> backend, Tensor<T> x, Tensor<T> y) => backend.Map(x, y, default(Function<T>));

    /// <inheritdoc/>
    public override void Backward<T>(IBackend<T> backend, Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T> dx) =>
        backend.Map(x, y, dy, dx, default(Derivative<T>));

    /// <summary>f(z) = max(z, 0) + ln(1 + e^−|z|).</summary>
    public readonly struct Function<T> : IUnaryFunction<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <inheritdoc/>
        public T Apply(T z) => (z > T.Zero ? z : T.Zero) + T.Log(T.One + T.Exp(-T.Abs(z)));
    }

    /// <summary>dz = σ(z)·dy.</summary>
    public readonly struct Derivative<T> : ITernaryFunction<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <inheritdoc/>
        public T Apply(T z, T y, T dy) => RefNet.Activations.Sigmoid.Of(z) * dy;
    }
}
