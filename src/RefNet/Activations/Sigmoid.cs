// Sigmoid: σ(z) = 1/(1 + e^−z), σ'(z) = σ(z)(1 − σ(z)), written in terms of the output y.
// σ is computed from NegativeExp (vectorisable, same bits scalar and vector).
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
    public override void Forward<T>(IBackend<T> backend, Tensor<T> x, Tensor<T> y) => backend.Map(x, y, new Function<T>(NegativeExp<T>.Constants));

    /// <inheritdoc/>
    public override void Backward<T>(IBackend<T> backend, Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T> dx) =>
        backend.Map(x, y, dy, dx, default(Derivative<T>));

    /// <summary>σ(z) with libm's e^x, written as e^z/(1+e^z) for z &lt; 0 so that e^x never overflows (losses and
    /// derivatives that need σ inside another formula; the layer activation is <see cref="Function{T}"/>).</summary>
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

    /// <summary>f(z) = σ(z) = 1/(1 + e^−|z|) for z ≥ 0, e^−|z|/(1 + e^−|z|) below (no overflow), e^−|z| from
    /// <see cref="NegativeExp{T}"/> so that the vector form gives the scalar form's bits.</summary>
    public readonly struct Function<T>(NegativeExp<T> exp) : IVectorUnaryFunction<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <inheritdoc/>
        public T Apply(T z)
        {
            T a = z < T.Zero ? -z : z;
            a = a > exp.Underflow ? exp.Underflow : a;
            T e = exp.Of(a, NegativeExp<T>.UnderflowBits);
            return z >= T.Zero ? T.One / (T.One + e) : e / (T.One + e);
        }

        /// <inheritdoc/>
        public Vector<T> Apply(Vector<T> z)
        {
            var limit = new Vector<T>(exp.Underflow);
            // z < 0 ? −z : z as the scalar form writes it (Vector.Abs would also clear a NaN's sign bit).
            Vector<T> a = Vector.ConditionalSelect(Vector.LessThan(z, Vector<T>.Zero), -z, z);
            a = Vector.ConditionalSelect(Vector.GreaterThan(a, limit), limit, a);
            Vector<T> e = exp.Of(a, NegativeExp<T>.UnderflowBits);
            Vector<T> d = Vector<T>.One + e;
            return Vector.ConditionalSelect(Vector.GreaterThanOrEqual(z, Vector<T>.Zero), Vector<T>.One / d, e / d);
        }
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
