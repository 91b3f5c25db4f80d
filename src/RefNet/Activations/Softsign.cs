// Softsign: f(z) = z / (1 + |z|), f'(z) = 1 / (1 + |z|)².
// Favours clarity over speed.
using System.Numerics;
using RefNet.Backends;
using RefNet.Tensors;

namespace RefNet.Activations;

/// <summary>z / (1 + |z|) (Keras "softsign").</summary>
public sealed class Softsign : ActivationFunction
{
    /// <inheritdoc/>
    public override string Name => "softsign";

    /// <inheritdoc/>
    public override void Forward<T>(IBackend<T> backend, Tensor<T> x, Tensor<T> y) => backend.Map(x, y, default(Function<T>));

    /// <inheritdoc/>
    public override void Backward<T>(IBackend<T> backend, Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T> dx) =>
        backend.Map(x, y, dy, dx, default(Derivative<T>));

    /// <summary>f(z) = z/(1 + |z|).</summary>
    public readonly struct Function<T> : IUnaryFunction<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <inheritdoc/>
        public T Apply(T z) => z / (T.One + T.Abs(z));
    }

    /// <summary>dz = dy/(1 + |z|)².</summary>
    public readonly struct Derivative<T> : ITernaryFunction<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <inheritdoc/>
        public T Apply(T z, T y, T dy)
        {
            T d = T.One + T.Abs(z);
            return dy / (d * d);
        }
    }
}
