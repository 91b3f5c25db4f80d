// ReLU: f(z) = max(z, 0), f'(z) = 1[z > 0] (f'(0) = 0, as TensorFlow and PyTorch). NaN stays NaN, as in TensorFlow, in
// the forward pass and in the gradient (dy · 1[z > 0] is a product there: NaN · 0 = NaN).
// Scalar and vector forms side by side; favours clarity over speed.
using System.Numerics;
using RefNet.Backends;
using RefNet.Tensors;

namespace RefNet.Activations;

/// <summary>max(z, 0) (Keras "relu").</summary>
public sealed class Relu : ActivationFunction
{
    /// <inheritdoc/>
    public override string Name => "relu";

    /// <inheritdoc/>
    public override IReadOnlyList<double> Kinks => [0.0];

    /// <inheritdoc/>
    public override void Forward<T>(IBackend<T> backend, Tensor<T> x, Tensor<T> y) => backend.Map(x, y, default(Function<T>));

    /// <inheritdoc/>
    public override void Backward<T>(IBackend<T> backend, Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T> dx) =>
        backend.Map(x, y, dy, dx, default(Derivative<T>));

    /// <summary>f(z) = z ≤ 0 ? 0 : z — so NaN passes through (z ≤ 0 is false) and −0 becomes +0.</summary>
    public readonly struct Function<T> : IVectorUnaryFunction<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <inheritdoc/>
        public T Apply(T z) => z <= T.Zero ? T.Zero : z;

        /// <inheritdoc/>
        public Vector<T> Apply(Vector<T> z) => Vector.ConditionalSelect(Vector.LessThanOrEqual(z, Vector<T>.Zero), Vector<T>.Zero, z);
    }

    /// <summary>dz = dy · 1[y &gt; 0], from the output y = f(z): a product, as TensorFlow's ReluGrad
    /// (<c>gradients * (features &gt; 0)</c>), so a NaN upstream gradient stays NaN where z ≤ 0 too.</summary>
    public readonly struct Derivative<T> : IVectorTernaryFunction<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <inheritdoc/>
        public T Apply(T z, T y, T dy) => dy * (y > T.Zero ? T.One : T.Zero);

        /// <inheritdoc/>
        public Vector<T> Apply(Vector<T> z, Vector<T> y, Vector<T> dy) => dy * Vector.ConditionalSelect(Vector.GreaterThan(y, Vector<T>.Zero), Vector<T>.One, Vector<T>.Zero);
    }
}
