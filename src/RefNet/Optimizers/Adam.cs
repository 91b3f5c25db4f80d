// Adam with the Keras 2.x update form: bias correction folded into the step size.
// Textbook m̂/v̂ form in the comments, Keras' lr_t form in the code; favours clarity over speed.
using System.Numerics;
using RefNet.Backends;
using RefNet.Conventions;
using RefNet.Engine;
using RefNet.Tensors;

namespace RefNet.Optimizers;

/// <summary>Adam (Keras 2 <c>Adam</c>).</summary>
/// <remarks>Textbook: m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ), p −= lr·m̂/(√v̂ + ε).
/// Keras (implemented): lr_t = lr·√(1−β₂ᵗ)/(1−β₁ᵗ); m = β₁m + (1−β₁)g; v = β₂v + (1−β₂)g²;
/// p −= lr_t·m/(√v + ε), t = iterations + 1. TensorFlow.js uses the textbook form (<see cref="AdamEpsilonForm"/>, chosen by the
/// Keras profile). Defaults: lr 0.001, β₁ 0.9, β₂ 0.999, ε from the profile (1e-7; 1e-8 for Keras 2.0.x).</remarks>
public sealed class Adam : Optimizer
{
    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">η.</param>
    /// <param name="beta1">β₁.</param>
    /// <param name="beta2">β₂.</param>
    /// <param name="epsilon">ε; null: the Keras profile's (1e-8 in Keras 2.0.x, else 1e-7).</param>
    /// <param name="decay">Keras 2 inverse-time decay.</param>
    /// <param name="epsilonForm">How ε meets the bias correction; null: the profile's (Keras' ε-hat; TensorFlow.js the paper's form).</param>
    public Adam(double learningRate = 0.001, double beta1 = 0.9, double beta2 = 0.999, double? epsilon = null, double decay = 0,
        AdamEpsilonForm? epsilonForm = null)
        : base(learningRate, decay)
    {
        Beta1 = CheckRange(beta1, nameof(beta1), 0, 1);
        Beta2 = CheckRange(beta2, nameof(beta2), 0, 1);
        _epsilon = epsilon is { } e ? CheckRange(e, nameof(epsilon), 0, double.PositiveInfinity) : null;
        _form = epsilonForm;
    }

    private readonly double? _epsilon;
    private readonly AdamEpsilonForm? _form;

    /// <summary>How ε meets the bias correction: as given, else the profile's.</summary>
    public AdamEpsilonForm EpsilonForm => _form ?? Keras.AdamEpsilon;

    /// <summary>β₁.</summary>
    public double Beta1 { get; }

    /// <summary>β₂.</summary>
    public double Beta2 { get; }

    /// <summary>ε: as given, else the profile's.</summary>
    public double Epsilon => EpsilonOrProfile(_epsilon);

    /// <inheritdoc/>
    /// <remarks>m and v.</remarks>
    public override int SlotsPerParameter => 2;

    /// <inheritdoc/>
    public override string Name => "adam";

    /// <inheritdoc/>
    protected override void Update<T>(IBackend<T> backend, Parameter<T> parameter)
    {
        Tensor<T>[] s = State(backend, parameter, 2);
        double t = Iterations + 1;
        // β₁, β₂ are rounded to T first, as Keras holds them in float32 variables: then (1 − β₂) in the v update
        // and √(1 − β₂ᵗ) here carry the same rounding and cancel (in float32 the first step is lr·sign(g) to ~1e-7,
        // not 3e-6 off as with exact 0.999 here and 0.999f there).
        double beta1 = double.CreateChecked(T.CreateChecked(Beta1));
        double beta2 = double.CreateChecked(T.CreateChecked(Beta2));
        if (EpsilonForm == AdamEpsilonForm.BiasCorrected)
        {
            backend.Update(parameter.Value, parameter.Gradient, s[0], s[1], new BiasCorrectedRule<T>(T.CreateChecked(CurrentLearningRate),
                T.CreateChecked(Beta1), T.CreateChecked(Beta2), T.CreateChecked(Epsilon),
                T.CreateChecked(1 - Math.Pow(beta1, t)), T.CreateChecked(1 - Math.Pow(beta2, t))));
            return;
        }
        double lrT = CurrentLearningRate * Math.Sqrt(1 - Math.Pow(beta2, t)) / (1 - Math.Pow(beta1, t));
        backend.Update(parameter.Value, parameter.Gradient, s[0], s[1],
            new Rule<T>(T.CreateChecked(lrT), T.CreateChecked(Beta1), T.CreateChecked(Beta2), T.CreateChecked(Epsilon)));
    }

    /// <inheritdoc/>
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["beta_1"] = Beta1;
        c["beta_2"] = Beta2;
        c["epsilon"] = Epsilon;
        if (EpsilonForm == AdamEpsilonForm.BiasCorrected)
        {
            c["epsilon_form"] = "bias_corrected";
        }
        return c;
    }

    /// <summary>Keras 2: m = β₁m + (1−β₁)g;  v = β₂v + (1−β₂)g²;  p −= lr_t·m / (√v + ε).</summary>
    public readonly struct Rule<T>(T learningRateT, T beta1, T beta2, T epsilon) : IVectorUpdateWithTwoStates<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T _oneMinusBeta1 = T.One - beta1;
        private readonly T _oneMinusBeta2 = T.One - beta2;

        /// <inheritdoc/>
        public void Apply(ref T p, T g, ref T m, ref T v)
        {
            m = (beta1 * m) + (_oneMinusBeta1 * g);
            v = (beta2 * v) + (_oneMinusBeta2 * g * g);
            p -= learningRateT * m / (T.Sqrt(v) + epsilon);
        }

        /// <inheritdoc/>
        public void Apply(ref Vector<T> p, Vector<T> g, ref Vector<T> m, ref Vector<T> v)
        {
            m = (new Vector<T>(beta1) * m) + (new Vector<T>(_oneMinusBeta1) * g);
            v = (new Vector<T>(beta2) * v) + (new Vector<T>(_oneMinusBeta2) * g * g);
            p -= new Vector<T>(learningRateT) * m / (Vector.SquareRoot(v) + new Vector<T>(epsilon));
        }
    }

    /// <summary>The paper's form (TensorFlow.js): m = β₁m + (1−β₁)g;  v = β₂v + (1−β₂)g²;
    /// p −= η·(m / (1−β₁ᵗ)) / (√(v / (1−β₂ᵗ)) + ε).</summary>
    /// <remarks><paramref name="oneMinusBeta1T"/> = 1 − β₁ᵗ and <paramref name="oneMinusBeta2T"/> = 1 − β₂ᵗ for this step's t.</remarks>
    public readonly struct BiasCorrectedRule<T>(T learningRate, T beta1, T beta2, T epsilon, T oneMinusBeta1T, T oneMinusBeta2T)
        : IVectorUpdateWithTwoStates<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T _oneMinusBeta1 = T.One - beta1;
        private readonly T _oneMinusBeta2 = T.One - beta2;

        /// <inheritdoc/>
        public void Apply(ref T p, T g, ref T m, ref T v)
        {
            m = (beta1 * m) + (_oneMinusBeta1 * g);
            v = (beta2 * v) + (_oneMinusBeta2 * g * g);
            p -= learningRate * (m / oneMinusBeta1T) / (T.Sqrt(v / oneMinusBeta2T) + epsilon);
        }

        /// <inheritdoc/>
        public void Apply(ref Vector<T> p, Vector<T> g, ref Vector<T> m, ref Vector<T> v)
        {
            m = (new Vector<T>(beta1) * m) + (new Vector<T>(_oneMinusBeta1) * g);
            v = (new Vector<T>(beta2) * v) + (new Vector<T>(_oneMinusBeta2) * g * g);
            p -= new Vector<T>(learningRate) * (m / new Vector<T>(oneMinusBeta1T)) / (Vector.SquareRoot(v / new Vector<T>(oneMinusBeta2T)) + new Vector<T>(epsilon));
        }
    }
}
