// RMSprop with the Keras 2.x update form (epsilon outside the square root).
// a = ρa + (1−ρ)g²; p −= lr·g/(√a + ε); favours clarity over speed.
using System.Numerics;
using RefNet.Backends;
using RefNet.Engine;
using RefNet.Tensors;

namespace RefNet.Optimizers;

/// <summary>RMSprop (Keras 2 <c>RMSprop</c>): a = ρ·a + (1−ρ)·g²; p −= lr·g / (√a + ε).</summary>
/// <remarks>Keras 2.1.3–2.3 and tf.keras 2.x (momentum 0) put ε outside the square root; Keras 3 and
/// TF's ApplyRMSProp put it inside (see golden/published/optimizers.json). Defaults: lr 0.001, ρ 0.9, ε 1e-7.</remarks>
public sealed class RmsProp : Optimizer
{
    /// <summary>Creates the optimizer.</summary>
    public RmsProp(double learningRate = 0.001, double rho = 0.9, double epsilon = 1e-7, double decay = 0)
        : base(learningRate, decay)
    {
        Rho = CheckRange(rho, nameof(rho), 0, 1);
        Epsilon = CheckRange(epsilon, nameof(epsilon), 0, double.PositiveInfinity);
    }

    /// <summary>ρ, the decay of the squared-gradient average.</summary>
    public double Rho { get; }

    /// <summary>ε, added to √a.</summary>
    public double Epsilon { get; }

    /// <inheritdoc/>
    public override string Name => "rmsprop";

    /// <inheritdoc/>
    protected override void Update<T>(IBackend<T> backend, Parameter<T> parameter)
    {
        Tensor<T> accumulator = State(backend, parameter, 1)[0];
        backend.Update(parameter.Value, parameter.Gradient, accumulator,
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
}
