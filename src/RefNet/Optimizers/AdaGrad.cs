// AdaGrad with the Keras 2.x update form.
// a += g²; p −= lr·g/(√a + ε), ε outside the square root; favours clarity over speed.
using System.Numerics;
using RefNet.Backends;
using RefNet.Engine;
using RefNet.Tensors;

namespace RefNet.Optimizers;

/// <summary>AdaGrad (Keras 2 <c>Adagrad</c>): a += g²; p −= lr·g / (√a + ε).</summary>
/// <remarks>Keras 2 starts the accumulator at 0 (tf.keras 2.x at 0.1: pass <paramref name="initialAccumulator"/>).
/// Defaults: lr 0.01, ε 1e-7.</remarks>
/// <param name="learningRate">η.</param>
/// <param name="epsilon">ε added to √a.</param>
/// <param name="initialAccumulator">Starting value of a.</param>
/// <param name="decay">Keras 2 inverse-time decay.</param>
public sealed class AdaGrad(double learningRate = 0.01, double epsilon = 1e-7, double initialAccumulator = 0, double decay = 0)
    : Optimizer(learningRate, decay)
{
    /// <summary>ε.</summary>
    public double Epsilon { get; } = CheckRange(epsilon, nameof(epsilon), 0, double.PositiveInfinity);

    /// <summary>Initial value of the accumulator.</summary>
    public double InitialAccumulator { get; } = CheckRange(initialAccumulator, nameof(initialAccumulator), 0, double.PositiveInfinity);

    /// <inheritdoc/>
    public override string Name => "adagrad";

    /// <inheritdoc/>
    protected override void Update<T>(IBackend<T> backend, Parameter<T> parameter)
    {
        // The accumulator starts at InitialAccumulator (also after Reset()).
        Tensor<T> accumulator = State(backend, parameter, 1, InitialAccumulator)[0];
        backend.Update(parameter.Value, parameter.Gradient, accumulator,
            new Rule<T>(T.CreateChecked(CurrentLearningRate), T.CreateChecked(Epsilon)));
    }

    /// <inheritdoc/>
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["epsilon"] = Epsilon;
        c["initial_accumulator_value"] = InitialAccumulator;
        return c;
    }

    /// <summary>Keras 2: a += g²;  p −= η·g / (√a + ε).</summary>
    public readonly struct Rule<T>(T learningRate, T epsilon) : IVectorUpdateWithState<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <inheritdoc/>
        public void Apply(ref T p, T g, ref T a)
        {
            a += g * g;
            p -= learningRate * g / (T.Sqrt(a) + epsilon);
        }

        /// <inheritdoc/>
        public void Apply(ref Vector<T> p, Vector<T> g, ref Vector<T> a)
        {
            a += g * g;
            p -= new Vector<T>(learningRate) * g / (Vector.SquareRoot(a) + new Vector<T>(epsilon));
        }
    }
}
