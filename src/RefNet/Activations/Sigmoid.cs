// Sigmoid: σ(z) = 1/(1 + e^−z), σ'(z) = σ(z)(1 − σ(z)), written in terms of the output y.
// Favours clarity over speed.
using System.Numerics;
using RefNet.Backends;
using RefNet.Tensors;

namespace RefNet.Activations;

/// <summary>σ(z) = 1/(1 + e^−z) (Keras "sigmoid").</summary>
public sealed class Sigmoid : ActivationFunction
{
    /// <inheritdoc/>
    public override string Name => "sigmoid";

    /// <inheritdoc/>
    public override void Forward<T>(IBackend<T> backend, Tensor<T> x, Tensor<T> y) => backend.Map(x, y, default(Function<T>));

    /// <inheritdoc/>
    public override void Backward<T>(IBackend<T> backend, Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T> dx) =>
        backend.Map(x, y, dy, dx, default(Derivative<T>));

    /// <summary>σ(z), written as e^z/(1+e^z) for z &lt; 0 so that e^x never overflows.</summary>
    public static T Of<T>(T z)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (z >= T.Zero)
        {
            return T.One / (T.One + T.Exp(-z));
        }
        T e = T.Exp(z);
        return e / (T.One + e);
    }

    /// <summary>f(z) = σ(z).</summary>
    public readonly struct Function<T> : IUnaryFunction<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <inheritdoc/>
        public T Apply(T z) => Of(z);
    }

    /// <summary>dz = dy·y·(1 − y).</summary>
    public readonly struct Derivative<T> : IVectorTernaryFunction<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <inheritdoc/>
        public T Apply(T z, T y, T dy) => dy * y * (T.One - y);

        /// <inheritdoc/>
        public Vector<T> Apply(Vector<T> z, Vector<T> y, Vector<T> dy) => dy * y * (Vector<T>.One - y);
    }
}
