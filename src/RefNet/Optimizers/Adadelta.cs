// Adadelta with the Keras 2.x update form (Zeiler 2012, with a learning rate as Keras adds one).
// a = ρa + (1−ρ)g²; Δ = g·√(d + ε)/√(a + ε); p −= lr·Δ; d = ρd + (1−ρ)Δ²; favours clarity over speed.
using System.Numerics;
using RefNet.Backends;
using RefNet.Conventions;
using RefNet.Engine;
using RefNet.Tensors;

namespace RefNet.Optimizers;

/// <summary>Adadelta (Keras 2 <c>Adadelta</c>): a = ρa + (1−ρ)g²; Δ = g·√(d + ε) / √(a + ε); p −= lr·Δ; d = ρd + (1−ρ)Δ².</summary>
/// <remarks>
/// Keras 2 (<c>keras/optimizers.py</c>) defaults: lr 1.0, ρ 0.95, ε = K.epsilon() = 1e-7 (Keras 2.1.3 and later; 2.0.x
/// had ε 1e-8, which Keras' mnist_cnn ran with: the Keras 2.0.8 profile, or pass <paramref name="epsilon"/>). Both accumulators start at 0, so the
/// first step moves each weight by about lr·√ε·sign(g). tf.keras 2.x defaults to lr 0.001 instead of 1.0
/// (../shared/reference/keras-golden.md §1.2): running Keras' mnist_cnn on those defaults does not reproduce it.
/// </remarks>
/// <param name="learningRate">η; null: the Keras profile's (1.0 in Keras 2.x, 0.001 in tf.keras 2.x).</param>
/// <param name="rho">ρ, the decay of both running averages.</param>
/// <param name="epsilon">ε, inside both square roots; null: the profile's (1e-8 in Keras 2.0.x, else 1e-7).</param>
/// <param name="decay">Keras 2 inverse-time decay.</param>
public sealed class Adadelta(double? learningRate = null, double rho = 0.95, double? epsilon = null, double decay = 0)
    : Optimizer(learningRate ?? KerasProfile.Default.AdadeltaLearningRate, decay)
{
    private readonly bool _learningRateGiven = learningRate is not null;
    private readonly double? _epsilon = epsilon is { } e ? CheckRange(e, nameof(epsilon), 0, double.PositiveInfinity) : null;

    /// <summary>ρ.</summary>
    public double Rho { get; } = CheckRange(rho, nameof(rho), 0, 1);

    /// <summary>ε: as given, else the profile's.</summary>
    public double Epsilon => EpsilonOrProfile(_epsilon);

    /// <inheritdoc/>
    /// <remarks>An unspecified learning rate that is still the previous profile's default becomes the new profile's.</remarks>
    protected override void OnProfileChanged(KerasProfile previous)
    {
        if (!_learningRateGiven && LearningRate == previous.AdadeltaLearningRate)
        {
            LearningRate = Keras.AdadeltaLearningRate;
        }
    }

    /// <inheritdoc/>
    /// <remarks>the averages of g² and Δ².</remarks>
    public override int SlotsPerParameter => 2;

    /// <inheritdoc/>
    public override string Name => "adadelta";

    /// <inheritdoc/>
    protected override void Update<T>(IBackend<T> backend, Parameter<T> parameter)
    {
        Tensor<T>[] state = State(backend, parameter, 2);
        backend.Update(parameter.Value, parameter.Gradient, state[0], state[1],
            new Rule<T>(T.CreateChecked(CurrentLearningRate), T.CreateChecked(Rho), T.CreateChecked(Epsilon)));
    }

    /// <inheritdoc/>
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["rho"] = Rho;
        c["epsilon"] = Epsilon;
        return c;
    }

    /// <summary>a = ρa + (1−ρ)g²;  Δ = g·√(d + ε) / √(a + ε);  p −= η·Δ;  d = ρd + (1−ρ)Δ²  (s1 = a, s2 = d).</summary>
    public readonly struct Rule<T>(T learningRate, T rho, T epsilon) : IVectorUpdateWithTwoStates<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T _oneMinusRho = T.One - rho;

        /// <inheritdoc/>
        public void Apply(ref T p, T g, ref T a, ref T d)
        {
            a = (rho * a) + (_oneMinusRho * g * g);
            T delta = g * T.Sqrt(d + epsilon) / T.Sqrt(a + epsilon);
            p -= learningRate * delta;
            d = (rho * d) + (_oneMinusRho * delta * delta);
        }

        /// <inheritdoc/>
        public void Apply(ref Vector<T> p, Vector<T> g, ref Vector<T> a, ref Vector<T> d)
        {
            var r = new Vector<T>(rho);
            var oneMinusRho = new Vector<T>(_oneMinusRho);
            var e = new Vector<T>(epsilon);
            a = (r * a) + (oneMinusRho * g * g);
            Vector<T> delta = g * Vector.SquareRoot(d + e) / Vector.SquareRoot(a + e);
            p -= new Vector<T>(learningRate) * delta;
            d = (r * d) + (oneMinusRho * delta * delta);
        }
    }
}
