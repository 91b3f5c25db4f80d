// Tanh: f(z) = tanh z, f'(z) = 1 − tanh² z, written in terms of the output y.
// Favours clarity over speed.
using System.Numerics;
using RefNet.Backends;
using RefNet.Tensors;

namespace RefNet.Activations;

/// <summary>tanh z (Keras "tanh").</summary>
public sealed class Tanh : ActivationFunction
{
    /// <inheritdoc/>
    public override string Name => "tanh";

    /// <inheritdoc/>
    public override void Forward<T>(IBackend<T> backend, Tensor<T> x, Tensor<T> y) => backend.Map(x, y, default(Function<T>));

    /// <inheritdoc/>
    public override void Backward<T>(IBackend<T> backend, Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T> dx) =>
        backend.Map(x, y, dy, dx, default(Derivative<T>));

    /// <summary>f(z) = tanh z.</summary>
    public readonly struct Function<T> : IUnaryFunction<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <inheritdoc/>
        public T Apply(T z) => T.Tanh(z);
    }

    /// <summary>dz = dy·(1 − y²).</summary>
    public readonly struct Derivative<T> : IVectorTernaryFunction<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <inheritdoc/>
        public T Apply(T z, T y, T dy) => dy * (T.One - (y * y));

        /// <inheritdoc/>
        public Vector<T> Apply(Vector<T> z, Vector<T> y, Vector<T> dy) => dy * (Vector<T>.One - (y * y));
    }
}
