// Nadam (Keras 2 Nadam, Dozat 2016): Adam with Nesterov momentum and a warming momentum schedule.
// Keras 2.3.1 keras/optimizers.py, t = iterations + 1:
//   μ_t = β₁(1 − ½·0.96^(t·sd)),  μ_{t+1} = β₁(1 − ½·0.96^((t+1)·sd)),  S_t = Π_{i≤t} μ_i (Keras' m_schedule)
//   ĝ = g/(1 − S_t);  m = β₁m + (1−β₁)g;  m̂ = m/(1 − S_t·μ_{t+1});  v = β₂v + (1−β₂)g²;  v̂ = v/(1 − β₂ᵗ)
//   m̄ = (1 − μ_t)·ĝ + μ_{t+1}·m̂;  p −= lr·m̄/(√v̂ + ε)
using System.Numerics;
using RefNet.Backends;
using RefNet.Engine;
using RefNet.Tensors;

namespace RefNet.Optimizers;

/// <summary>Nadam (Keras 2 <c>Nadam</c>).</summary>
/// <remarks>Defaults (Keras 2): lr 0.002, β₁ 0.9, β₂ 0.999, schedule_decay 0.004, ε from the Keras profile. The momentum
/// schedule S_t is a function of the iteration count alone (the product of μ_1 … μ_t, formed in that order), so a resumed
/// run recomputes it exactly.</remarks>
/// <param name="learningRate">η.</param>
/// <param name="beta1">β₁.</param>
/// <param name="beta2">β₂.</param>
/// <param name="epsilon">ε; null: the Keras profile's.</param>
/// <param name="scheduleDecay">sd in μ_t = β₁(1 − ½·0.96^(t·sd)).</param>
public sealed class Nadam(double learningRate = 0.002, double beta1 = 0.9, double beta2 = 0.999, double? epsilon = null, double scheduleDecay = 0.004)
    : Optimizer(learningRate, 0)
{
    private readonly double? _epsilon = epsilon is { } e ? CheckRange(e, nameof(epsilon), 0, double.PositiveInfinity) : null;
    private double _schedule = 1;
    private long _scheduleSteps;

    /// <summary>β₁.</summary>
    public double Beta1 { get; } = CheckRange(beta1, nameof(beta1), 0, 1);

    /// <summary>β₂.</summary>
    public double Beta2 { get; } = CheckRange(beta2, nameof(beta2), 0, 1);

    /// <summary>ε: as given, else the profile's.</summary>
    public double Epsilon => EpsilonOrProfile(_epsilon);

    /// <summary>The schedule decay sd.</summary>
    public double ScheduleDecay { get; } = CheckRange(scheduleDecay, nameof(scheduleDecay), 0, double.PositiveInfinity);

    /// <inheritdoc/>
    /// <remarks>m and v.</remarks>
    public override int SlotsPerParameter => 2;

    /// <inheritdoc/>
    public override string Name => "nadam";

    /// <summary>μ_t = β₁(1 − ½·0.96^(t·sd)).</summary>
    public double MomentumCache(double t) => Beta1 * (1 - (0.5 * Math.Pow(0.96, t * ScheduleDecay)));

    /// <summary>Below this S_t is taken as 0: 2⁻⁶⁰, far under double's 2⁻⁵³, so 1 − S_t and 1 − S_t·μ_{t+1} are 1 either way.</summary>
    public const double NegligibleSchedule = 8.673617379884035e-19;

    /// <summary>S_t = μ_1·μ_2·…·μ_t (1 for t = 0), multiplied in that order; cached for consecutive steps; 0 once it falls
    /// below <see cref="NegligibleSchedule"/>.</summary>
    public double Schedule(long t)
    {
        if (_scheduleSteps > t)
        {
            _schedule = 1;
            _scheduleSteps = 0;
        }
        for (; _scheduleSteps < t; _scheduleSteps++)
        {
            if (_schedule < NegligibleSchedule)
            {
                // 1 − S rounds to 1 in double from here on (after about 50 steps for β₁ = 0.9), so S is 0 for every later
                // step: a huge t costs nothing (multiplying on would stall at the smallest subnormal, never reaching 0).
                _schedule = 0;
                _scheduleSteps = t;
                break;
            }
            _schedule *= MomentumCache(_scheduleSteps + 1);
        }
        return _schedule;
    }

    /// <inheritdoc/>
    protected override void Update<T>(IBackend<T> backend, Parameter<T> parameter)
    {
        Tensor<T>[] s = State(backend, parameter, 2);
        long t = Iterations + 1;
        // β₂ as T holds it (Keras: a float32 variable), so that 1 − β₂ᵗ and the (1 − β₂) of the v update carry the same
        // rounding, as in Adam.
        double beta2 = double.CreateChecked(T.CreateChecked(Beta2));
        double cacheT = MomentumCache(t), cacheNext = MomentumCache(t + 1);
        double scheduleNew = Schedule(t), scheduleNext = scheduleNew * cacheNext;
        backend.Update(parameter.Value, parameter.Gradient, s[0], s[1], new Rule<T>(T.CreateChecked(CurrentLearningRate),
            T.CreateChecked(Beta1), T.CreateChecked(Beta2), T.CreateChecked(Epsilon), T.CreateChecked(cacheT), T.CreateChecked(cacheNext),
            T.CreateChecked(1 - scheduleNew), T.CreateChecked(1 - scheduleNext), T.CreateChecked(1 - Math.Pow(beta2, t))));
    }

    /// <inheritdoc/>
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c.Remove("decay");
        c["beta_1"] = Beta1;
        c["beta_2"] = Beta2;
        c["epsilon"] = Epsilon;
        c["schedule_decay"] = ScheduleDecay;
        return c;
    }

    /// <summary>One Nadam step with this step's scalars (s1 = m, s2 = v).</summary>
    public readonly struct Rule<T>(T learningRate, T beta1, T beta2, T epsilon, T cacheT, T cacheNext, T oneMinusScheduleNew,
        T oneMinusScheduleNext, T oneMinusBeta2T) : IVectorUpdateWithTwoStates<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T _oneMinusBeta1 = T.One - beta1;
        private readonly T _oneMinusBeta2 = T.One - beta2;
        private readonly T _oneMinusCacheT = T.One - cacheT;

        /// <inheritdoc/>
        public void Apply(ref T p, T g, ref T m, ref T v)
        {
            T gHat = g / oneMinusScheduleNew;
            m = (beta1 * m) + (_oneMinusBeta1 * g);
            T mHat = m / oneMinusScheduleNext;
            v = (beta2 * v) + (_oneMinusBeta2 * g * g);
            T vHat = v / oneMinusBeta2T;
            T mBar = (_oneMinusCacheT * gHat) + (cacheNext * mHat);
            p -= learningRate * mBar / (T.Sqrt(vHat) + epsilon);
        }

        /// <inheritdoc/>
        public void Apply(ref Vector<T> p, Vector<T> g, ref Vector<T> m, ref Vector<T> v)
        {
            Vector<T> gHat = g / new Vector<T>(oneMinusScheduleNew);
            m = (new Vector<T>(beta1) * m) + (new Vector<T>(_oneMinusBeta1) * g);
            Vector<T> mHat = m / new Vector<T>(oneMinusScheduleNext);
            v = (new Vector<T>(beta2) * v) + (new Vector<T>(_oneMinusBeta2) * g * g);
            Vector<T> vHat = v / new Vector<T>(oneMinusBeta2T);
            Vector<T> mBar = (new Vector<T>(_oneMinusCacheT) * gHat) + (new Vector<T>(cacheNext) * mHat);
            p -= new Vector<T>(learningRate) * mBar / (Vector.SquareRoot(vHat) + new Vector<T>(epsilon));
        }
    }
}
