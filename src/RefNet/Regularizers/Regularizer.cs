// Weight penalties added to the loss: L1 (λΣ|w|) and L2 (λΣw²), Keras' regularizers.l1/l2/l1_l2.
// Penalty and gradient are computed with backend ops; favours clarity over speed.
using System.Numerics;
using RefNet.Backends;
using RefNet.Tensors;

namespace RefNet.Regularizers;

/// <summary>A penalty on a weight tensor: value λ₁Σ|w| + λ₂Σw², gradient λ₁·sign(w) + 2λ₂·w.</summary>
/// <remarks>Keras: <c>keras.regularizers.l1_l2(l1, l2)</c>. sign(0) = 0.</remarks>
public sealed class Regularizer
{
    /// <summary>Creates an L1+L2 penalty.</summary>
    public Regularizer(double l1 = 0, double l2 = 0)
    {
        if (l1 < 0 || l2 < 0 || double.IsNaN(l1) || double.IsNaN(l2))
        {
            throw new ArgumentOutOfRangeException(nameof(l1), $"Regularization factors must be non-negative, got l1={l1}, l2={l2}");
        }
        L1 = l1;
        L2 = l2;
    }

    /// <summary>λ₁.</summary>
    public double L1 { get; }

    /// <summary>λ₂.</summary>
    public double L2 { get; }

    /// <summary>Keras <c>l1(λ)</c>.</summary>
    public static Regularizer LOne(double l1) => new(l1: l1);

    /// <summary>Keras <c>l2(λ)</c>.</summary>
    public static Regularizer LTwo(double l2) => new(l2: l2);

    /// <summary>λ₁Σ|w| + λ₂Σw².</summary>
    public double Penalty<T>(IBackend<T> backend, Tensor<T> weights)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double value = 0;
        if (L1 != 0)
        {
            value += L1 * double.CreateChecked(backend.SumOfAbsolute(weights));
        }
        if (L2 != 0)
        {
            value += L2 * double.CreateChecked(backend.SumOfSquares(weights));
        }
        return value;
    }

    /// <summary>gradient += λ₁·sign(w) + 2λ₂·w.</summary>
    public void AddGradient<T>(IBackend<T> backend, Tensor<T> weights, Tensor<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (L1 != 0)
        {
            backend.Map(gradient, weights, gradient, new L1Gradient<T>(T.CreateChecked(L1)));
        }
        if (L2 != 0)
        {
            backend.Axpy(T.CreateChecked(2 * L2), weights, gradient);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"l1_l2(l1={L1}, l2={L2})";

    /// <summary>g + λ₁·sign(w), sign(0) = 0 (arguments (g, w)): the L1 term's gradient added to g.</summary>
    public readonly struct L1Gradient<T>(T l1) : IBinaryFunction<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <inheritdoc/>
        public T Apply(T g, T w)
        {
            T s = w > T.Zero ? T.One : w < T.Zero ? -T.One : T.Zero;
            return g + (l1 * s);
        }
    }
}
