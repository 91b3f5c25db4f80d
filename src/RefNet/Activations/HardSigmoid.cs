// Hard sigmoid (Keras 2): f(z) = clip(0.2z + 0.5, 0, 1); f'(z) = 0.2 where 0 ≤ 0.2z + 0.5 ≤ 1, else 0.
// At the kinks z = ±2.5 the slope is 0.2: TensorFlow's clip_by_value passes the gradient where the value equals a bound.
using System.Numerics;
using RefNet.Backends;
using RefNet.Tensors;

namespace RefNet.Activations;

/// <summary>clip(0.2z + 0.5, 0, 1) (Keras 2 "hard_sigmoid"; LSTM/GRU's recurrent activation up to Keras 2.2.5).</summary>
/// <remarks>Keras 3 changed it to relu6(z + 3)/6; this is the Keras 2 / tf.keras 2 form.</remarks>
public sealed class HardSigmoid : ActivationFunction
{
    /// <inheritdoc/>
    public override string Name => "hard_sigmoid";

    /// <inheritdoc/>
    public override IReadOnlyList<double> Kinks => [-2.5, 2.5];

    /// <inheritdoc/>
    public override void Forward<T>(IBackend<T> backend, Tensor<T> x, Tensor<T> y) => backend.Map(x, y, new Function<T>(T.CreateChecked(0.2), T.CreateChecked(0.5)));

    /// <inheritdoc/>
    public override void Backward<T>(IBackend<T> backend, Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T> dx) =>
        backend.Map(x, y, dy, dx, new Derivative<T>(T.CreateChecked(0.2), T.CreateChecked(0.5)));

    /// <summary>f(z) = clip(0.2z + 0.5, 0, 1); NaN stays NaN.</summary>
    public readonly struct Function<T>(T slope, T offset) : IUnaryFunction<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <inheritdoc/>
        public T Apply(T z)
        {
            T u = (slope * z) + offset;
            return u < T.Zero ? T.Zero : u > T.One ? T.One : u;
        }
    }

    /// <summary>dz = 0 ≤ 0.2z + 0.5 ≤ 1 ? 0.2·dy : 0.</summary>
    public readonly struct Derivative<T>(T slope, T offset) : ITernaryFunction<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <inheritdoc/>
        public T Apply(T z, T y, T dy)
        {
            T u = (slope * z) + offset;
            return u >= T.Zero && u <= T.One ? slope * dy : T.Zero;
        }
    }
}
