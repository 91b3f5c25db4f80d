// SGD with optional momentum and Nesterov momentum, Keras 2 update forms; the formulas sit below as structs.
// Favours clarity over speed.
using System.Numerics;
using RefNet.Backends;
using RefNet.Engine;
using RefNet.Tensors;

namespace RefNet.Optimizers;

/// <summary>Stochastic gradient descent with optional momentum and Nesterov momentum (Keras 2 <c>SGD</c>).</summary>
/// <remarks>Slide: W ← W − η·∂J/∂W. Keras with momentum m: v = m·v − η·g; W ← W + v
/// (Nesterov: W ← W + m·v − η·g). Defaults as Keras: lr 0.01, momentum 0.</remarks>
public sealed class Sgd : Optimizer
{
    /// <summary>Creates the optimizer.</summary>
    public Sgd(double learningRate = 0.01, double momentum = 0, bool nesterov = false, double decay = 0)
        : base(learningRate, decay)
    {
        if (!(momentum >= 0 && momentum <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(momentum), $"Momentum must be in [0, 1], got {momentum}");
        }
        Momentum = momentum;
        Nesterov = nesterov;
    }

    /// <summary>m.</summary>
    public double Momentum { get; }

    /// <summary>Whether Nesterov momentum is used.</summary>
    public bool Nesterov { get; }

    /// <inheritdoc/>
    /// <remarks>SGD: a velocity with momentum or Nesterov, else none.</remarks>
    public override int SlotsPerParameter => Momentum == 0 && !Nesterov ? 0 : 1;

    /// <inheritdoc/>
    public override string Name => "sgd";

    /// <inheritdoc/>
    protected override void Update<T>(IBackend<T> backend, Parameter<T> parameter)
    {
        T lr = T.CreateChecked(CurrentLearningRate);
        if (Momentum == 0 && !Nesterov)
        {
            backend.Update(parameter.Value, parameter.Gradient, new Rule<T>(lr));
            return;
        }
        Tensor<T> velocity = State(backend, parameter, 1)[0];
        backend.Update(parameter.Value, parameter.Gradient, velocity, new MomentumRule<T>(lr, T.CreateChecked(Momentum), Nesterov));
    }

    /// <inheritdoc/>
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["momentum"] = Momentum;
        c["nesterov"] = Nesterov;
        return c;
    }

    /// <summary>Slide: p ← p − η·g.</summary>
    public readonly struct Rule<T>(T learningRate) : IVectorUpdate<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <inheritdoc/>
        public void Apply(ref T p, T g) => p -= learningRate * g;

        /// <inheritdoc/>
        public void Apply(ref Vector<T> p, Vector<T> g) => p -= new Vector<T>(learningRate) * g;
    }

    /// <summary>Keras 2: v = m·v − η·g; p ← p + v (Nesterov: p ← p + m·v − η·g).</summary>
    /// <remarks>The flag is held as an int: GPU kernel parameters cannot contain a bool.</remarks>
    public readonly struct MomentumRule<T> : IUpdateWithState<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T _learningRate;
        private readonly T _momentum;
        private readonly int _nesterov;

        /// <summary>The rule for one step.</summary>
        public MomentumRule(T learningRate, T momentum, bool nesterov)
        {
            _learningRate = learningRate;
            _momentum = momentum;
            _nesterov = nesterov ? 1 : 0;
        }

        /// <inheritdoc/>
        public void Apply(ref T p, T g, ref T v)
        {
            v = (_momentum * v) - (_learningRate * g);
            p = _nesterov != 0 ? p + (_momentum * v) - (_learningRate * g) : p + v;
        }
    }
}
