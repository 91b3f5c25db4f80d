// Adamax (Keras 2 Adamax, section 7 of the Adam paper): Adam with the infinity norm in place of the second moment.
// Keras 2.3.1 keras/optimizers.py: lr_t = lr / (1 − β₁ᵗ); m = β₁m + (1−β₁)g; u = max(β₂u, |g|); p −= lr_t·m / (u + ε).
using System.Numerics;
using RefNet.Backends;
using RefNet.Engine;
using RefNet.Tensors;

namespace RefNet.Optimizers;

/// <summary>Adamax (Keras 2 <c>Adamax</c>).</summary>
/// <remarks>t = iterations + 1; lr_t = lr/(1 − β₁ᵗ); m = β₁m + (1 − β₁)g; u = max(β₂u, |g|); p −= lr_t·m/(u + ε).
/// Defaults (Keras 2): lr 0.002, β₁ 0.9, β₂ 0.999, ε from the Keras profile (1e-8 in Keras 2.0.x, else 1e-7), no decay.
/// A NaN gradient makes m, and so the weight, NaN.</remarks>
/// <param name="learningRate">η.</param>
/// <param name="beta1">β₁, the decay of the first moment.</param>
/// <param name="beta2">β₂, the decay of the infinity norm.</param>
/// <param name="epsilon">ε; null: the Keras profile's.</param>
/// <param name="decay">Keras 2 inverse-time decay.</param>
public sealed class Adamax(double learningRate = 0.002, double beta1 = 0.9, double beta2 = 0.999, double? epsilon = null, double decay = 0)
    : Optimizer(learningRate, decay)
{
    private readonly double? _epsilon = epsilon is { } e ? CheckRange(e, nameof(epsilon), 0, double.PositiveInfinity) : null;

    /// <summary>β₁.</summary>
    public double Beta1 { get; } = CheckRange(beta1, nameof(beta1), 0, 1);

    /// <summary>β₂.</summary>
    public double Beta2 { get; } = CheckRange(beta2, nameof(beta2), 0, 1);

    /// <summary>ε: as given, else the profile's.</summary>
    public double Epsilon => EpsilonOrProfile(_epsilon);

    /// <inheritdoc/>
    /// <remarks>m and u.</remarks>
    public override int SlotsPerParameter => 2;

    /// <inheritdoc/>
    public override string Name => "adamax";

    /// <inheritdoc/>
    protected override void Update<T>(IBackend<T> backend, Parameter<T> parameter)
    {
        Tensor<T>[] s = State(backend, parameter, 2);
        double t = Iterations + 1;
        double beta1 = double.CreateChecked(T.CreateChecked(Beta1)); // held in T, as Keras holds it in a float32 variable
        backend.Update(parameter.Value, parameter.Gradient, s[0], s[1],
            new Rule<T>(T.CreateChecked(CurrentLearningRate / (1 - Math.Pow(beta1, t))), T.CreateChecked(Beta1), T.CreateChecked(Beta2), T.CreateChecked(Epsilon)));
    }

    /// <inheritdoc/>
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["beta_1"] = Beta1;
        c["beta_2"] = Beta2;
        c["epsilon"] = Epsilon;
        return c;
    }

    /// <summary>m = β₁m + (1−β₁)g;  u = max(β₂u, |g|);  p −= lr_t·m/(u + ε)  (s1 = m, s2 = u).</summary>
    /// <remarks>The maximum is a comparison written the same way in both forms (β₂u &gt; |g| ? β₂u : |g|), so the scalar and
    /// vector forms agree bit for bit, NaN included.</remarks>
    public readonly struct Rule<T>(T learningRateT, T beta1, T beta2, T epsilon) : IVectorUpdateWithTwoStates<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T _oneMinusBeta1 = T.One - beta1;

        /// <inheritdoc/>
        public void Apply(ref T p, T g, ref T m, ref T u)
        {
            m = (beta1 * m) + (_oneMinusBeta1 * g);
            T decayed = beta2 * u, magnitude = T.Abs(g);
            u = decayed > magnitude ? decayed : magnitude;
            p -= learningRateT * m / (u + epsilon);
        }

        /// <inheritdoc/>
        public void Apply(ref Vector<T> p, Vector<T> g, ref Vector<T> m, ref Vector<T> u)
        {
            m = (new Vector<T>(beta1) * m) + (new Vector<T>(_oneMinusBeta1) * g);
            Vector<T> decayed = new Vector<T>(beta2) * u, magnitude = Vector.Abs(g);
            u = Vector.ConditionalSelect(Vector.GreaterThan(decayed, magnitude), decayed, magnitude);
            p -= new Vector<T>(learningRateT) * m / (u + new Vector<T>(epsilon));
        }
    }
}
