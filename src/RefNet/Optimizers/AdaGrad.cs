// AdaGrad with the Keras 2.x update form.
// a += g²; p −= lr·g/(√a + ε), ε outside the square root; favours clarity over speed.
using System.Numerics;
using RefNet.Backends;
using RefNet.Conventions;
using RefNet.Engine;
using RefNet.Tensors;

namespace RefNet.Optimizers;

/// <summary>AdaGrad (Keras 2 <c>Adagrad</c>): a += g²; p −= lr·g / (√a + ε).</summary>
/// <remarks>Keras 2 starts the accumulator at 0, tf.keras 2.x and TensorFlow.js at 0.1; tf.keras 2.11+ and TensorFlow.js
/// put ε inside the root (√(a + ε)). The Keras profile chooses each one left unspecified. Defaults: lr 0.01 (tf.keras
/// 0.001), ε from the profile (1e-7; 1e-8 for Keras 2.0.x).</remarks>
/// <param name="learningRate">η; null: the profile's (0.01 in Keras 2.x and TensorFlow.js, 0.001 in tf.keras 2.x).</param>
/// <param name="epsilon">ε; null: the profile's.</param>
/// <param name="initialAccumulator">Starting value of a; null: the profile's (0 in Keras 2.x, 0.1 in tf.keras 2.x and TensorFlow.js).</param>
/// <param name="decay">Keras 2 inverse-time decay.</param>
/// <param name="epsilonPlacement">Where ε enters; null: the profile's.</param>
public sealed class AdaGrad(double? learningRate = null, double? epsilon = null, double? initialAccumulator = null, double decay = 0,
    EpsilonPlacement? epsilonPlacement = null)
    : Optimizer(learningRate ?? KerasProfile.Default.AdagradLearningRate, decay)
{
    private readonly bool _learningRateGiven = learningRate is not null;

    private readonly double? _epsilon = epsilon is { } e ? CheckRange(e, nameof(epsilon), 0, double.PositiveInfinity) : null;
    private readonly double? _initialAccumulator = initialAccumulator is { } a
        ? CheckRange(a, nameof(initialAccumulator), 0, double.PositiveInfinity) : null;

    /// <summary>ε: as given, else the profile's.</summary>
    public double Epsilon => EpsilonOrProfile(_epsilon);

    /// <summary>Initial value of the accumulator: as given, else the profile's.</summary>
    public double InitialAccumulator => _initialAccumulator ?? Keras.AdagradInitialAccumulator;

    /// <summary>Where ε enters: as given, else the profile's.</summary>
    public EpsilonPlacement EpsilonPlacement => epsilonPlacement ?? Keras.AdagradEpsilon;

    /// <inheritdoc/>
    /// <remarks>An unspecified learning rate that is still the previous profile's default becomes the new profile's.</remarks>
    protected override void OnProfileChanged(KerasProfile previous)
    {
        if (!_learningRateGiven && LearningRate == previous.AdagradLearningRate)
        {
            LearningRate = Keras.AdagradLearningRate;
        }
    }

    /// <inheritdoc/>
    /// <remarks>the accumulator.</remarks>
    public override int SlotsPerParameter => 1;

    /// <inheritdoc/>
    public override string Name => "adagrad";

    /// <inheritdoc/>
    protected override void Update<T>(IBackend<T> backend, Parameter<T> parameter)
    {
        // The accumulator starts at InitialAccumulator (also after Reset()).
        Tensor<T> accumulator = State(backend, parameter, 1, InitialAccumulator)[0];
        T lr = T.CreateChecked(CurrentLearningRate), epsilon = T.CreateChecked(Epsilon);
        if (EpsilonPlacement == EpsilonPlacement.InsideRoot)
        {
            backend.Update(parameter.Value, parameter.Gradient, accumulator, new InsideRootRule<T>(lr, epsilon));
        }
        else
        {
            backend.Update(parameter.Value, parameter.Gradient, accumulator, new Rule<T>(lr, epsilon));
        }
    }

    /// <inheritdoc/>
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["epsilon"] = Epsilon;
        c["initial_accumulator_value"] = InitialAccumulator;
        if (EpsilonPlacement == EpsilonPlacement.InsideRoot)
        {
            c["epsilon_inside_sqrt"] = true;
        }
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

    /// <summary>TensorFlow.js: a += g²;  p −= η·g / √(a + ε).</summary>
    public readonly struct InsideRootRule<T>(T learningRate, T epsilon) : IVectorUpdateWithState<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <inheritdoc/>
        public void Apply(ref T p, T g, ref T a)
        {
            a += g * g;
            p -= learningRate * g / T.Sqrt(a + epsilon);
        }

        /// <inheritdoc/>
        public void Apply(ref Vector<T> p, Vector<T> g, ref Vector<T> a)
        {
            a += g * g;
            p -= new Vector<T>(learningRate) * g / Vector.SquareRoot(a + new Vector<T>(epsilon));
        }
    }
}
