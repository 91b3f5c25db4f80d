// Tanh: f(z) = tanh z, f'(z) = 1 − tanh² z, written in terms of the output y.
// tanh is computed from NegativeExp (vectorisable, same bits scalar and vector).
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
    public override void Forward<T>(IBackend<T> backend, Tensor<T> x, Tensor<T> y) => backend.Map(x, y, new Function<T>(NegativeExp<T>.Constants));

    /// <inheritdoc/>
    public override void Backward<T>(IBackend<T> backend, Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T> dx) =>
        backend.Map(x, y, dy, dx, default(Derivative<T>));

    /// <summary>f(z) = sign(z)·(−d)/(2 + d) with d = e^−2|z| − 1 = 2^−k·m + (2^−k − 1) from <see cref="NegativeExp{T}"/>
    /// (no cancellation: for small |z| d is m itself). |z| is clamped to 20, where tanh is 1 in T.</summary>
    public readonly struct Function<T>(NegativeExp<T> exp) : IVectorUnaryFunction<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <inheritdoc/>
        public T Apply(T z)
        {
            T a = z < T.Zero ? -z : z;
            a = a > exp.Saturated ? exp.Saturated : a;
            T k = exp.Reduce(a + a, out T m);
            T p = exp.PowerOfHalfK(k, NegativeExp<T>.SaturatedBits);
            T d = (p * m) + (p - T.One);
            T y = (T.Zero - d) / (exp.Two + d);
            return a == T.Zero ? z : z < T.Zero ? -y : y; // tanh(±0) = ±0
        }

        /// <inheritdoc/>
        public Vector<T> Apply(Vector<T> z)
        {
            var limit = new Vector<T>(exp.Saturated);
            // z < 0 ? −z : z as the scalar form writes it (Vector.Abs would also clear a NaN's sign bit).
            Vector<T> a = Vector.ConditionalSelect(Vector.LessThan(z, Vector<T>.Zero), -z, z);
            a = Vector.ConditionalSelect(Vector.GreaterThan(a, limit), limit, a);
            Vector<T> k = exp.Reduce(a + a, out Vector<T> m);
            Vector<T> p = exp.PowerOfHalfK(k, NegativeExp<T>.SaturatedBits);
            Vector<T> d = (p * m) + (p - Vector<T>.One);
            Vector<T> y = (Vector<T>.Zero - d) / (new Vector<T>(exp.Two) + d);
            y = Vector.ConditionalSelect(Vector.LessThan(z, Vector<T>.Zero), -y, y);
            return Vector.ConditionalSelect(Vector.Equals(a, Vector<T>.Zero), z, y);
        }
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
