// Leaky ReLU: f(z) = z for z > 0, αz otherwise; f'(z) = 1 for z > 0, α otherwise (α at z = 0, as TensorFlow's LeakyReluGrad).
// α = 0.3 is Keras 2's LeakyReLU layer default (tf.nn.leaky_relu uses 0.2). Favours clarity over speed.
using System.Numerics;
using RefNet.Backends;
using RefNet.Tensors;

namespace RefNet.Activations;

/// <summary>Leaky rectifier (Keras 2 <c>LeakyReLU(alpha=0.3)</c>, name "leaky_relu").</summary>
/// <param name="alpha">Slope for z ≤ 0.</param>
public sealed class LeakyRelu(double alpha = 0.3) : ActivationFunction
{
    /// <summary>α.</summary>
    public double Alpha { get; } = alpha;

    /// <inheritdoc/>
    public override string Name => "leaky_relu";

    /// <inheritdoc/>
    public override IReadOnlyList<double> Kinks => [0.0];

    /// <inheritdoc/>
    public override void Forward<T>(IBackend<T> backend, Tensor<T> x, Tensor<T> y) => backend.Map(x, y, new Function<T>(T.CreateChecked(Alpha)));

    /// <inheritdoc/>
    public override void Backward<T>(IBackend<T> backend, Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T> dx) =>
        backend.Map(x, y, dy, dx, new Derivative<T>(T.CreateChecked(Alpha)));

    /// <inheritdoc/>
    protected override bool ParametersEqual(ActivationFunction other) => ((LeakyRelu)other).Alpha == Alpha;

    /// <summary>f(z) = z &gt; 0 ? z : αz.</summary>
    public readonly struct Function<T>(T alpha) : IVectorUnaryFunction<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <inheritdoc/>
        public T Apply(T z) => z > T.Zero ? z : alpha * z;

        /// <inheritdoc/>
        public Vector<T> Apply(Vector<T> z) => Vector.ConditionalSelect(Vector.GreaterThan(z, Vector<T>.Zero), z, new Vector<T>(alpha) * z);
    }

    /// <summary>dz = z &gt; 0 ? dy : α·dy.</summary>
    public readonly struct Derivative<T>(T alpha) : IVectorTernaryFunction<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <inheritdoc/>
        public T Apply(T z, T y, T dy) => z > T.Zero ? dy : alpha * dy;

        /// <inheritdoc/>
        public Vector<T> Apply(Vector<T> z, Vector<T> y, Vector<T> dy) =>
            Vector.ConditionalSelect(Vector.GreaterThan(z, Vector<T>.Zero), dy, new Vector<T>(alpha) * dy);
    }
}
