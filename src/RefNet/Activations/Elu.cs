// ELU (Keras 2): f(z) = z for z > 0, α(e^z − 1) otherwise; f'(z) = 1 for z > 0, α·e^z otherwise (α at z = 0, as Keras' tf.where).
// Favours clarity over speed.
using System.Numerics;
using RefNet.Backends;
using RefNet.Tensors;

namespace RefNet.Activations;

/// <summary>Exponential linear unit (Keras "elu", α = 1 by default).</summary>
/// <param name="alpha">α, the negative saturation value.</param>
public sealed class Elu(double alpha = 1.0) : ActivationFunction
{
    /// <summary>α.</summary>
    public double Alpha { get; } = alpha;

    /// <inheritdoc/>
    public override string Name => "elu";

    /// <inheritdoc/>
    public override IReadOnlyList<double> Kinks => [0.0];

    /// <inheritdoc/>
    public override void Forward<T>(IBackend<T> backend, Tensor<T> x, Tensor<T> y) =>
        backend.Map(x, y, new Function<T>(T.CreateChecked(Alpha), T.One));

    /// <inheritdoc/>
    public override void Backward<T>(IBackend<T> backend, Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T> dx) =>
        backend.Map(x, y, dy, dx, new Derivative<T>(T.CreateChecked(Alpha), T.One));

    /// <inheritdoc/>
    protected override bool ParametersEqual(ActivationFunction other) => ((Elu)other).Alpha == Alpha;

    /// <summary>f(z) = λ·(z &gt; 0 ? z : α(e^z − 1)); λ = 1 for ELU (SELU reuses it with its λ).</summary>
    public readonly struct Function<T>(T alpha, T lambda) : IUnaryFunction<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <inheritdoc/>
        public T Apply(T z) => lambda * (z > T.Zero ? z : alpha * (T.Exp(z) - T.One));
    }

    /// <summary>dz = λ·(z &gt; 0 ? 1 : α·e^z)·dy.</summary>
    public readonly struct Derivative<T>(T alpha, T lambda) : ITernaryFunction<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <inheritdoc/>
        public T Apply(T z, T y, T dy) => lambda * (z > T.Zero ? T.One : alpha * T.Exp(z)) * dy;
    }
}
