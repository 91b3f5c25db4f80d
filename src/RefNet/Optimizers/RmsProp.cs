// RMSprop with the Keras 2.x update form (epsilon outside the square root).
// a = ρa + (1−ρ)g²; p −= lr·g/(√a + ε); favours clarity over speed.
using System.Numerics;
using RefNet.Backends;
using RefNet.Conventions;
using RefNet.Engine;
using RefNet.Tensors;

namespace RefNet.Optimizers;

/// <summary>RMSprop (Keras 2 <c>RMSprop</c>): a = ρ·a + (1−ρ)·g²; p −= lr·g / (√a + ε).</summary>
/// <remarks>Keras 2.x and tf.keras 2.0–2.10 (momentum 0) put ε outside the square root; tf.keras 2.11+ (the default optimizer), TensorFlow.js, Keras 3 and
/// TF's ApplyRMSProp put it inside (see golden/published/optimizers.json), chosen by the Keras profile or
/// <c>epsilonPlacement</c>. Defaults: lr 0.001, ρ 0.9, ε from the profile (1e-7; 1e-8 for Keras 2.0.x).</remarks>
public sealed class RmsProp : Optimizer
{
    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">η.</param>
    /// <param name="rho">ρ.</param>
    /// <param name="epsilon">ε; null: the Keras profile's (1e-8 in Keras 2.0.x, 1e-7 from 2.1.3).</param>
    /// <param name="decay">Keras 2 inverse-time decay.</param>
    /// <param name="epsilonPlacement">Where ε enters; null: the profile's (outside √ in Keras, inside in TensorFlow.js).</param>
    public RmsProp(double learningRate = 0.001, double rho = 0.9, double? epsilon = null, double decay = 0,
        EpsilonPlacement? epsilonPlacement = null)
        : base(learningRate, decay)
    {
        Rho = CheckRange(rho, nameof(rho), 0, 1);
        _epsilon = epsilon is { } e ? CheckRange(e, nameof(epsilon), 0, double.PositiveInfinity) : null;
        _placement = epsilonPlacement;
    }

    private readonly double? _epsilon;
    private readonly EpsilonPlacement? _placement;

    /// <summary>ρ, the decay of the squared-gradient average.</summary>
    public double Rho { get; }

    /// <summary>ε: as given, else the profile's.</summary>
    public double Epsilon => EpsilonOrProfile(_epsilon);

    /// <summary>Where ε enters: as given, else the profile's.</summary>
    public EpsilonPlacement EpsilonPlacement => _placement ?? Keras.RmsPropEpsilon;

    /// <inheritdoc/>
    /// <remarks>the average of g².</remarks>
    public override int SlotsPerParameter => 1;

    /// <inheritdoc/>
    public override string Name => "rmsprop";

    /// <inheritdoc/>
    protected override void Update<T>(IBackend<T> backend, Parameter<T> parameter)
    {
        Tensor<T> accumulator = State(backend, parameter, 1)[0];
        T lr = T.CreateChecked(CurrentLearningRate), rho = T.CreateChecked(Rho), epsilon = T.CreateChecked(Epsilon);
        if (EpsilonPlacement == EpsilonPlacement.InsideRoot)
        {
            backend.Update(parameter.Value, parameter.Gradient, accumulator, new InsideRootRule<T>(lr, rho, epsilon));
        }
        else
        {
            backend.Update(parameter.Value, parameter.Gradient, accumulator, new Rule<T>(lr, rho, epsilon));
        }
    }

    /// <inheritdoc/>
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["rho"] = Rho;
        c["epsilon"] = Epsilon;
        if (EpsilonPlacement == EpsilonPlacement.InsideRoot)
        {
            c["epsilon_inside_sqrt"] = true;
        }
        return c;
    }

    /// <summary>a = ρ·a + (1−ρ)·g²;  p −= η·g / (√a + ε)  (ε outside the root, Keras 2).</summary>
    public readonly struct Rule<T>(T learningRate, T rho, T epsilon) : IVectorUpdateWithState<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T _oneMinusRho = T.One - rho;

        /// <inheritdoc/>
        public void Apply(ref T p, T g, ref T a)
        {
            a = (rho * a) + (_oneMinusRho * g * g);
            p -= learningRate * g / (T.Sqrt(a) + epsilon);
        }

        /// <inheritdoc/>
        public void Apply(ref Vector<T> p, Vector<T> g, ref Vector<T> a)
        {
            a = (new Vector<T>(rho) * a) + (new Vector<T>(_oneMinusRho) * g * g);
            p -= new Vector<T>(learningRate) * g / (Vector.SquareRoot(a) + new Vector<T>(epsilon));
        }
    }

    /// <summary>a = ρ·a + (1−ρ)·g²;  p −= η·g / √(a + ε)  (ε inside the root: TensorFlow.js, Keras 3).</summary>
    public readonly struct InsideRootRule<T>(T learningRate, T rho, T epsilon) : IVectorUpdateWithState<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T _oneMinusRho = T.One - rho;

        /// <inheritdoc/>
        public void Apply(ref T p, T g, ref T a)
        {
            a = (rho * a) + (_oneMinusRho * g * g);
            p -= learningRate * g / T.Sqrt(a + epsilon);
        }

        /// <inheritdoc/>
        public void Apply(ref Vector<T> p, Vector<T> g, ref Vector<T> a)
        {
            a = (new Vector<T>(rho) * a) + (new Vector<T>(_oneMinusRho) * g * g);
            p -= new Vector<T>(learningRate) * g / Vector.SquareRoot(a + new Vector<T>(epsilon));
        }
    }
}
