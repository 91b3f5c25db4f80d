// SELU (Keras 2): f(z) = λ·elu(z, α) with α ≈ 1.6733 and λ ≈ 1.0507 (Klambauer et al. 2017); the ELU formula with λ.
// Favours clarity over speed.
using System.Numerics;
using RefNet.Backends;
using RefNet.Tensors;

namespace RefNet.Activations;

/// <summary>Scaled exponential linear unit (Keras "selu").</summary>
public sealed class Selu : ActivationFunction
{
    /// <summary>α as in Keras' activations.py.</summary>
    public const double Alpha = 1.6732632423543772848170429916717;

    /// <summary>λ (Keras' "scale").</summary>
    public const double Scale = 1.0507009873554804934193349852946;

    /// <inheritdoc/>
    public override string Name => "selu";

    /// <inheritdoc/>
    public override IReadOnlyList<double> Kinks => [0.0];

    /// <inheritdoc/>
    public override void Forward<T>(IBackend<T> backend, Tensor<T> x, Tensor<T> y) =>
        backend.Map(x, y, new Elu.Function<T>(T.CreateChecked(Alpha), T.CreateChecked(Scale)));

    /// <inheritdoc/>
    public override void Backward<T>(IBackend<T> backend, Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T> dx) =>
        backend.Map(x, y, dy, dx, new Elu.Derivative<T>(T.CreateChecked(Alpha), T.CreateChecked(Scale)));
}
