// Optimizers: turn gradients into parameter updates with Keras 2.x update forms.
using System.Numerics;
using RefNet.Backends;
using RefNet.Engine;
using RefNet.Tensors;

namespace RefNet.Optimizers;

/// <summary>Base class: learning rate, Keras 2 time decay, the iteration counter and per-parameter state.</summary>
/// <remarks>Keras 2: <c>lr_t = lr / (1 + decay · iterations)</c>, with iterations counted before this step.</remarks>
public abstract class Optimizer
{
    private readonly Dictionary<object, object> _state = new(ReferenceEqualityComparer.Instance);

    /// <summary>Creates an optimizer.</summary>
    protected Optimizer(double learningRate, double decay)
    {
        if (!(learningRate >= 0) || double.IsInfinity(learningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate), $"Learning rate must be a finite non-negative number, got {learningRate}");
        }
        if (!(decay >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(decay), $"Decay must be non-negative, got {decay}");
        }
        LearningRate = learningRate;
        Decay = decay;
    }

    /// <summary>Keras name, e.g. "rmsprop".</summary>
    public abstract string Name { get; }

    /// <summary>η (callbacks such as LearningRateScheduler may change it between epochs).</summary>
    public double LearningRate { get; set; }

    /// <summary>Keras 2 inverse-time decay per update.</summary>
    public double Decay { get; }

    /// <summary>Number of updates applied so far.</summary>
    public long Iterations { get; private set; }

    /// <summary>The learning rate this step uses: lr / (1 + decay · iterations).</summary>
    protected double CurrentLearningRate => LearningRate / (1.0 + (Decay * Iterations));

    /// <summary>Applies one update to every trainable parameter, then advances <see cref="Iterations"/>.</summary>
    public void Step<T>(IBackend<T> backend, IEnumerable<Parameter<T>> parameters)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters is IReadOnlyList<Parameter<T>> list)
        {
            // Indexed loop: no enumerator object per training step.
            for (int i = 0; i < list.Count; i++)
            {
                if (list[i].Trainable)
                {
                    Update(backend, list[i]);
                }
            }
        }
        else
        {
            foreach (Parameter<T> p in parameters)
            {
                if (p.Trainable)
                {
                    Update(backend, p);
                }
            }
        }
        Iterations++;
    }

    /// <summary>Applies one update to every trainable parameter, then advances <see cref="Iterations"/>.</summary>
    /// <remarks>Indexed loop: no enumerator is allocated (this is the per-batch path of Fit).</remarks>
    public void Step<T>(IBackend<T> backend, IReadOnlyList<Parameter<T>> parameters)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(parameters);
        for (int i = 0; i < parameters.Count; i++)
        {
            if (parameters[i].Trainable)
            {
                Update(backend, parameters[i]);
            }
        }
        Iterations++;
    }

    /// <summary>Creates an optimizer with its Keras defaults from a Keras name: "sgd", "rmsprop", "adam" or "adagrad".</summary>
    /// <exception cref="ArgumentException">The name is unknown.</exception>
    public static Optimizer FromName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Trim().ToLowerInvariant() switch
        {
            "sgd" => new Sgd(),
            "rmsprop" => new RmsProp(),
            "adam" => new Adam(),
            "adagrad" => new AdaGrad(),
            _ => throw new ArgumentException($"Unknown optimizer '{name}' (supported: sgd, rmsprop, adam, adagrad)", nameof(name)),
        };
    }

    /// <summary>Updates one parameter from its gradient.</summary>
    protected abstract void Update<T>(IBackend<T> backend, Parameter<T> parameter)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>Per-parameter state tensors, filled with <paramref name="initialValue"/> (default 0) on first use.</summary>
    protected Tensor<T>[] State<T>(IBackend<T> backend, Parameter<T> parameter, int count, double initialValue = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!_state.TryGetValue(parameter, out object? slots))
        {
            var tensors = new Tensor<T>[count];
            for (int i = 0; i < count; i++)
            {
                tensors[i] = backend.Allocate(parameter.Value.Shape);
                if (initialValue != 0)
                {
                    backend.Fill(tensors[i], T.CreateChecked(initialValue));
                }
            }
            _state[parameter] = slots = tensors;
        }
        return (Tensor<T>[])slots;
    }

    /// <summary>Forgets all state and resets the counter.</summary>
    public void Reset()
    {
        _state.Clear();
        Iterations = 0;
    }

    /// <summary>Keras-style configuration.</summary>
    public virtual Dictionary<string, object?> GetConfig() => new()
    {
        ["name"] = Name,
        ["learning_rate"] = LearningRate,
        ["decay"] = Decay,
    };
}

/// <summary>Stochastic gradient descent with optional momentum and Nesterov momentum (Keras 2 <c>SGD</c>).</summary>
/// <remarks>Slide: W ← W − η·∂J/∂W. Keras with momentum m: v = m·v − η·g; W ← W + v
/// (Nesterov: W ← W + m·v − η·g). Defaults as Keras: lr 0.01, momentum 0.</remarks>
public sealed class Sgd : Optimizer
{
    /// <summary>Creates the optimizer.</summary>
    public Sgd(double learningRate = 0.01, double momentum = 0, bool nesterov = false, double decay = 0)
        : base(learningRate, decay)
    {
        if (momentum < 0 || momentum > 1)
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
    public override string Name => "sgd";

    /// <inheritdoc/>
    protected override void Update<T>(IBackend<T> backend, Parameter<T> parameter)
    {
        Tensor<T>? velocity = Momentum == 0 && !Nesterov ? null : State(backend, parameter, 1)[0];
        backend.SgdUpdate(parameter.Value, parameter.Gradient, velocity,
            T.CreateChecked(CurrentLearningRate), T.CreateChecked(Momentum), Nesterov);
    }

    /// <inheritdoc/>
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["momentum"] = Momentum;
        c["nesterov"] = Nesterov;
        return c;
    }
}
