// Softmax over the last axis: s_j = e^(z_j − max) / Σ_k e^(z_k − max); backward dz = s ⊙ (g − ⟨g, s⟩).
// Row functions run by the backend (two passes per row); favours clarity over speed.
using System.Numerics;
using RefNet.Backends;
using RefNet.Tensors;

namespace RefNet.Activations;

/// <summary>Row-wise softmax, shifted by the row maximum (Keras "softmax").</summary>
public sealed class Softmax : ActivationFunction
{
    /// <inheritdoc/>
    public override string Name => "softmax";

    // Slide: s_j = e^{z_j} / Σ_k e^{z_k}
    /// <inheritdoc/>
    public override void Forward<T>(IBackend<T> backend, Tensor<T> x, Tensor<T> y) => backend.MapRows(x, x, y, default(Function<T>));

    // Slide: ∂s_j/∂z_k = s_j(δ_jk − s_k), so dz_k = s_k (g_k − Σ_j g_j s_j)
    /// <inheritdoc/>
    public override void Backward<T>(IBackend<T> backend, Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T> dx) =>
        backend.MapRows(y, dy, dx, default(Derivative<T>));

    /// <summary>Pass 1: r₁ = max_j z_j; pass 2: r₂ = Σ_j e^(z_j − r₁); s_j = e^(z_j − r₁)/r₂. Arguments (z, z).</summary>
    public readonly struct Function<T> : IRowMap<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <inheritdoc/>
        public T Initial1 => T.NegativeInfinity;

        /// <inheritdoc/>
        public T Step1(T acc, T z, T unused) => z > acc ? z : acc;

        /// <inheritdoc/>
        public T Initial2 => T.Zero;

        /// <inheritdoc/>
        public T Step2(T acc, T z, T unused, T max) => acc + T.Exp(z - max);

        /// <inheritdoc/>
        public T Apply(T z, T unused, T max, T sum) => T.Exp(z - max) / sum;
    }

    /// <summary>Pass 1: r₁ = ⟨g, s⟩; dz_j = s_j·(g_j − r₁). Arguments (s, g).</summary>
    public readonly struct Derivative<T> : IRowMap<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <inheritdoc/>
        public T Initial1 => T.Zero;

        /// <inheritdoc/>
        public T Step1(T acc, T s, T g) => acc + (g * s);

        /// <inheritdoc/>
        public T Initial2 => T.Zero;

        /// <inheritdoc/>
        public T Step2(T acc, T s, T g, T dot) => acc;

        /// <inheritdoc/>
        public T Apply(T s, T g, T dot, T unused) => s * (g - dot);
    }
}
