// Optimizers: turn gradients into parameter updates with Keras 2.x update forms.
// The base class holds per-parameter state and the decay schedule; each optimizer is one file with its update formula.
using System.Numerics;
using RefNet.Backends;
using RefNet.Conventions;
using RefNet.Engine;
using RefNet.Tensors;

namespace RefNet.Optimizers;

/// <summary>Base class: learning rate, Keras 2 time decay, the iteration counter and per-parameter state.</summary>
/// <remarks>Keras 2: <c>lr_t = lr / (1 + decay · iterations)</c>, with iterations counted before this step.</remarks>
public abstract class Optimizer
{
    private readonly Dictionary<object, object> _state = new(ReferenceEqualityComparer.Instance);

    private double _learningRate;

    /// <summary>Creates an optimizer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The learning rate or decay is negative, infinite or NaN.</exception>
    protected Optimizer(double learningRate, double decay)
    {
        LearningRate = learningRate;
        Decay = CheckRange(decay, nameof(decay), 0, double.PositiveInfinity);
    }

    /// <summary>The Keras profile whose defaults fill the arguments left unspecified (ε, and per optimizer its other
    /// version-dependent defaults); <see cref="KerasProfile.Default"/> until <c>Compile</c> sets the network's.</summary>
    public KerasProfile Keras
    {
        get => _keras;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            if (ReferenceEquals(value, _keras))
            {
                return;
            }
            KerasProfile previous = _keras;
            _keras = value;
            OnProfileChanged(previous);
        }
    }

    private KerasProfile _keras = KerasProfile.Default;

    /// <summary>Called when <see cref="Keras"/> changes to another profile: an optimizer whose unspecified defaults live in
    /// fields (a learning rate, which callbacks may change) takes the new profile's here — only while the value is still
    /// <paramref name="previous"/>'s default, so a rate set by the user or a scheduler is kept.</summary>
    /// <param name="previous">The profile before the change.</param>
    protected virtual void OnProfileChanged(KerasProfile previous)
    {
    }

    /// <summary>The given ε, else the profile's <see cref="KerasProfile.OptimizerEpsilon"/>.</summary>
    protected double EpsilonOrProfile(double? epsilon) => epsilon ?? Keras.OptimizerEpsilon;

    /// <summary>Keras name, e.g. "rmsprop".</summary>
    public abstract string Name { get; }

    /// <summary>η (callbacks such as LearningRateScheduler may change it between epochs).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative, infinite or NaN.</exception>
    public double LearningRate
    {
        get => _learningRate;
        set => _learningRate = CheckRange(value, "learningRate", 0, double.PositiveInfinity);
    }

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
        // The list overload is the one that does the work (an indexed loop: no enumerator per training step).
        Step(backend, parameters as IReadOnlyList<Parameter<T>> ?? [.. parameters]);
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

    /// <summary>Creates an optimizer with its Keras defaults from a Keras name: "sgd", "rmsprop", "adam", "adagrad", "adadelta", "adamax" or "nadam".</summary>
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
            "adadelta" => new Adadelta(),
            "adamax" => new Adamax(),
            "nadam" => new Nadam(),
            _ => throw new ArgumentException($"Unknown optimizer '{name}' (supported: sgd, rmsprop, adam, adagrad, adadelta, adamax, nadam)", nameof(name)),
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

    /// <summary>Returns <paramref name="value"/> if it is a finite number in [<paramref name="min"/>, <paramref name="maxExclusive"/>); throws otherwise (NaN included).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside the range or NaN.</exception>
    protected static double CheckRange(double value, string name, double min, double maxExclusive)
    {
        if (!(value >= min && value < maxExclusive))
        {
            string upper = double.IsPositiveInfinity(maxExclusive) ? "∞" : maxExclusive.ToString(System.Globalization.CultureInfo.InvariantCulture);
            throw new ArgumentOutOfRangeException(name, $"{name} must be a finite number in [{min}, {upper}), got {value}");
        }
        return value;
    }

    /// <summary>Forgets all state and resets the counter.</summary>
    public void Reset()
    {
        _state.Clear();
        Iterations = 0;
    }

    /// <summary>How many state tensors the optimizer keeps per parameter (Adam's m and v: 2; plain SGD: 0); −1 (the
    /// default for optimizers outside RefNet) leaves the count unchecked by <see cref="RestoreState{T}"/>.</summary>
    public virtual int SlotsPerParameter => -1;

    /// <summary>Copies of <paramref name="parameter"/>'s state tensors (accumulators, moments) in the optimizer's slot order,
    /// or null before its first update. With <see cref="Iterations"/> this is all an optimizer remembers.</summary>
    public T[][]? GetSlots<T>(Parameter<T> parameter)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(parameter);
        return _state.TryGetValue(parameter, out object? slots) ? [.. ((Tensor<T>[])slots).Select(t => t.ToArray())] : null;
    }

    /// <summary>Restores what <see cref="GetSlots{T}"/> and <see cref="Iterations"/> gave (resuming a saved run): the
    /// iteration counter and, per parameter, its state tensors (null: none yet).</summary>
    /// <exception cref="ArgumentException">Counts differ, or a slot's length is not its parameter's.</exception>
    public void RestoreState<T>(IBackend<T> backend, long iterations, IReadOnlyList<Parameter<T>> parameters, IReadOnlyList<T[][]?> slots)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(slots);
        ArgumentOutOfRangeException.ThrowIfNegative(iterations);
        if (slots.Count != parameters.Count)
        {
            throw new ArgumentException($"{parameters.Count} parameters but {slots.Count} slot lists", nameof(slots));
        }
        for (int i = 0; i < parameters.Count; i++)
        {
            if (slots[i] is { } given && SlotsPerParameter >= 0 && given.Length != SlotsPerParameter)
            {
                throw new ArgumentException($"{Name} keeps {SlotsPerParameter} state tensor(s) per parameter, got {given.Length} for '{parameters[i].Name}'", nameof(slots));
            }
            foreach (T[] slot in slots[i] ?? [])
            {
                if (slot.Length != parameters[i].Count)
                {
                    throw new ArgumentException($"{Name} state of '{parameters[i].Name}' {parameters[i].Value.Shape} has {slot.Length} values, expected {parameters[i].Count}", nameof(slots));
                }
            }
        }
        _state.Clear();
        for (int i = 0; i < parameters.Count; i++)
        {
            if (slots[i] is { } list)
            {
                var tensors = new Tensor<T>[list.Length];
                for (int k = 0; k < list.Length; k++)
                {
                    tensors[k] = backend.Allocate(parameters[i].Value.Shape);
                    backend.CopyFromHost(list[k], tensors[k]);
                }
                _state[parameters[i]] = tensors;
            }
        }
        Iterations = iterations;
    }

    /// <summary>The optimizer a <see cref="GetConfig"/> dictionary describes (Keras <c>optimizers.deserialize</c>): "name"
    /// (sgd, rmsprop, adam, adagrad, adadelta, adamax, nadam) and its hyperparameters; every value the config gives is explicit, so the
    /// result does not depend on a Keras profile (epsilon_inside_sqrt / epsilon_form absent: Keras 2's placement and form).</summary>
    /// <exception cref="ArgumentException">An unknown name, a missing or non-numeric value, or an unknown key.</exception>
    public static Optimizer FromConfig(IReadOnlyDictionary<string, object?> config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var used = new HashSet<string> { "name" };
        double Number(string key, double? fallback = null)
        {
            used.Add(key);
            if (!config.TryGetValue(key, out object? v) || v is null)
            {
                return fallback ?? throw new ArgumentException($"Optimizer config has no '{key}'", nameof(config));
            }
            return v switch
            {
                double d => d,
                float f => f,
                int n => n,
                long n => n,
                _ => throw new ArgumentException($"Optimizer config '{key}' must be a number, got {v}", nameof(config)),
            };
        }
        bool Flag(string key)
        {
            used.Add(key);
            return config.TryGetValue(key, out object? v) && v is not null
                && (v as bool? ?? throw new ArgumentException($"Optimizer config '{key}' must be true or false, got {v}", nameof(config)));
        }
        string name = config.TryGetValue("name", out object? n) && n is string text ? text : throw new ArgumentException("Optimizer config has no 'name'", nameof(config));
        double lr = Number("learning_rate"), decay = Number("decay", 0);
        Optimizer optimizer = name switch
        {
            "sgd" => new Sgd(lr, Number("momentum", 0), Flag("nesterov"), decay),
            "rmsprop" => new RmsProp(lr, Number("rho"), Number("epsilon"), decay, Flag("epsilon_inside_sqrt") ? EpsilonPlacement.InsideRoot : EpsilonPlacement.OutsideRoot),
            "adam" => new Adam(lr, Number("beta_1"), Number("beta_2"), Number("epsilon"), decay, AdamForm()),
            "adagrad" => new AdaGrad(lr, Number("epsilon"), Number("initial_accumulator_value", 0), decay,
                Flag("epsilon_inside_sqrt") ? EpsilonPlacement.InsideRoot : EpsilonPlacement.OutsideRoot),
            "adadelta" => new Adadelta(lr, Number("rho"), Number("epsilon"), decay),
            "adamax" => new Adamax(lr, Number("beta_1"), Number("beta_2"), Number("epsilon"), decay),
            "nadam" => decay == 0 ? new Nadam(lr, Number("beta_1"), Number("beta_2"), Number("epsilon"), Number("schedule_decay"))
                : throw new ArgumentException($"Optimizer config for nadam has decay {decay}: Keras' Nadam has none (it has schedule_decay)", nameof(config)),
            _ => throw new ArgumentException($"Unknown optimizer '{name}' in config (supported: sgd, rmsprop, adam, adagrad, adadelta, adamax, nadam)", nameof(config)),
        };
        if (config.Keys.FirstOrDefault(k => !used.Contains(k)) is { } unknown)
        {
            throw new ArgumentException($"Optimizer config for {name} has an unknown key '{unknown}'", nameof(config));
        }
        return optimizer;

        AdamEpsilonForm AdamForm()
        {
            used.Add("epsilon_form");
            return config.TryGetValue("epsilon_form", out object? f) && f is not null
                ? f is "bias_corrected" ? AdamEpsilonForm.BiasCorrected : throw new ArgumentException($"Optimizer config 'epsilon_form' must be \"bias_corrected\" or absent, got {f}", nameof(config))
                : default;
        }
    }

    /// <summary>Keras-style configuration.</summary>
    public virtual Dictionary<string, object?> GetConfig() => new()
    {
        ["name"] = Name,
        ["learning_rate"] = LearningRate,
        ["decay"] = Decay,
    };
}
