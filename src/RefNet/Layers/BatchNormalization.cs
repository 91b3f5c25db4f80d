// BatchNormalization: y = γ·(x − μ)/√(σ² + ε) + β per channel (the last axis), batch statistics in training and
// moving ones in inference. Forward and Backward sit side by side with the formulas; favours clarity over speed.
using System.Numerics;
using RefNet.Backends;
using RefNet.Engine;
using RefNet.Initializers;
using RefNet.Regularizers;
using RefNet.Tensors;

namespace RefNet.Layers;

/// <summary>Which variance the moving average of a <see cref="BatchNormalization{T}"/> layer is fed (the versions differ).</summary>
/// <remarks>Sources: shared/reference/wave2-anchors.md §2.8. The training output is the same under every rule (it always
/// uses the biased batch variance); only the moving variance, and so the inference output, differs.</remarks>
public enum MovingVarianceRule
{
    /// <summary>The biased batch variance σ² (Keras 2.0.0–2.1.2 <c>moving_average_update</c> with zero_debias=False,
    /// TensorFlow.js 4.x <c>doMovingAverage</c>, Keras 3, tf.keras' non-fused path).</summary>
    Biased,

    /// <summary>σ²·m/(m − (1 + ε)), m the values per channel (Keras 2.3.0–2.3.1 <c>normalization.py</c>, commit f51a7ef0's
    /// "sample variance" with Keras' ε in the divisor), with the plain moving average.</summary>
    Keras23,

    /// <summary>σ²·m/(m − 1), Bessel's correction (tf.keras 2.x fused batch norm, the default for 4-D inputs).</summary>
    Bessel,

    /// <summary>tf.keras 2.x's default: <see cref="Bessel"/> for 4-D (N, H, W, C) inputs, which take its fused path, and
    /// <see cref="Biased"/> otherwise (its non-fused path, <c>tf.nn.moments</c>).</summary>
    BesselWhenFused,

    /// <summary>Keras 2.1.4–2.2.5: σ²·m/(m − (1 + ε)) as <see cref="Keras23"/>, and both moving statistics zero-debiased as
    /// TensorFlow's <c>assign_moving_average(zero_debias=True)</c> (Keras commit 3ce40705): a shadow b starts at 0,
    /// b ← b − (b − v)·(1 − momentum), and s = b / (1 − momentumᵗ) after the t-th training step, so the initial moving
    /// values are forgotten at the first step. The shadows and t live in the layer, not among its weights (as TensorFlow's
    /// extra variables are not Keras weights): they are not saved, and a loaded layer starts them again.</summary>
    ZeroDebiased,
}

/// <summary>Batch normalization over the last axis (Keras <c>BatchNormalization(axis=-1)</c>).</summary>
/// <typeparam name="T">float or double.</typeparam>
/// <remarks>
/// <para>Every value of channel c in the batch — m = N·H·W values for images, N for vectors — shares one mean μ_c and one
/// biased variance σ²_c = Σ(x − μ)²/m (two passes, as <c>tf.nn.moments</c>). Training: y = γ·x̂ + β with
/// x̂ = (x − μ)·(1/√(σ² + ε)), and the moving statistics move towards the batch's: s ← s − (s − v)·(1 − momentum).
/// Inference: the same formula with the moving mean and variance.</para>
/// <para>Keras 2 defaults: momentum 0.99, ε 1e-3, center and scale on, β = 0, γ = 1, moving mean 0, moving variance 1;
/// γ and β are trainable, the moving statistics are non-trainable parameters (Summary counts them as such, 4·C in all).
/// Keras 2.1.4–2.2.5 also zero-debiased the moving averages (TensorFlow's <c>zero_debias=True</c>):
/// <see cref="MovingVarianceRule.ZeroDebiased"/>.</para>
/// </remarks>
public sealed class BatchNormalization<T> : Layer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private Tensor<T>? _biasedMean, _biasedVariance;
    private long _debiasSteps;
    private Tensor<T>? _lastInput;
    private bool _lastTraining;
    private Tensor<T>? _centered, _normalized, _broadcast, _zeros, _scratch, _output, _inputGradient;
    private Tensor<T> _mean = null!, _variance = null!, _negated = null!, _inverseStd = null!, _columnScale = null!;
    private Tensor<T> _sumGradient = null!, _sumGradientNormalized = null!;
    private Shape _channelRow = null!;
    private ViewSlot _xView, _yView, _gView, _dxView;

    /// <inheritdoc/>
    /// <remarks>Under <see cref="MovingVarianceRule.ZeroDebiased"/>: the step count and the biased shadows of the moving
    /// averages (TensorFlow's zero-debias variables); otherwise nothing.</remarks>
    public override LayerState<T>? GetTrainingState()
    {
        if (_debiasSteps == 0 && _biasedMean is null)
        {
            return null;
        }
        var tensors = new Dictionary<string, T[]>();
        if (_biasedMean is not null)
        {
            tensors["biased_mean"] = _biasedMean.ToArray();
            tensors["biased_variance"] = _biasedVariance!.ToArray();
        }
        return new(new Dictionary<string, ulong> { ["debias_steps"] = (ulong)_debiasSteps }, tensors);
    }

    /// <inheritdoc/>
    public override void RestoreTrainingState(LayerState<T> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        string name = Name ?? TypeName;
        if (state.Counters.Keys.Any(k => k != "debias_steps") || state.Tensors.Keys.Any(k => k is not ("biased_mean" or "biased_variance"))
            || state.Tensors.ContainsKey("biased_mean") != state.Tensors.ContainsKey("biased_variance"))
        {
            throw new ArgumentException($"BatchNormalization '{name}' keeps 'debias_steps' and both of 'biased_mean', 'biased_variance'", nameof(state));
        }
        ulong steps = state.Counter("debias_steps", name);
        if (steps > long.MaxValue)
        {
            throw new ArgumentException($"BatchNormalization '{name}': debias_steps {steps} is out of range", nameof(state));
        }
        _debiasSteps = (long)steps;
        _biasedMean = _biasedVariance = null;
        if (state.Tensors.TryGetValue("biased_mean", out T[]? mean))
        {
            T[] variance = state.Tensors["biased_variance"];
            if (mean.Length != _channelRow.Length || variance.Length != _channelRow.Length)
            {
                throw new ArgumentException($"BatchNormalization '{name}': biased moving statistics need {_channelRow.Length} values, got {mean.Length} and {variance.Length}", nameof(state));
            }
            _biasedMean = Backend.Allocate(_channelRow);
            _biasedVariance = Backend.Allocate(_channelRow);
            Backend.CopyFromHost(mean, _biasedMean);
            Backend.CopyFromHost(variance, _biasedVariance);
        }
    }

    /// <summary>Creates a BatchNormalization layer.</summary>
    /// <param name="axis">The normalized axis: −1 (the last, channels-last), or its positive index counting the batch as 0.</param>
    /// <param name="momentum">Weight of the old value in the moving averages (0.99).</param>
    /// <param name="epsilon">ε added to the variance (1e-3).</param>
    /// <param name="center">Whether to add β.</param>
    /// <param name="scale">Whether to multiply by γ.</param>
    /// <param name="betaInitializer">Defaults to zeros.</param>
    /// <param name="gammaInitializer">Defaults to ones.</param>
    /// <param name="movingMeanInitializer">Defaults to zeros.</param>
    /// <param name="movingVarianceInitializer">Defaults to ones.</param>
    /// <param name="betaRegularizer">Optional L1/L2 penalty on β.</param>
    /// <param name="gammaRegularizer">Optional L1/L2 penalty on γ.</param>
    /// <param name="movingVarianceRule">What the moving variance is fed; see <see cref="MovingVarianceRule"/>.</param>
    /// <param name="inputShape">Input shape without batch, when this is the first layer.</param>
    /// <param name="name">Layer name ("batch_normalization_1" etc. when null).</param>
    /// <exception cref="ArgumentOutOfRangeException">momentum outside [0, 1] or ε not positive.</exception>
    public BatchNormalization(int axis = -1, double momentum = 0.99, double epsilon = 1e-3, bool center = true, bool scale = true,
        Initializer? betaInitializer = null, Initializer? gammaInitializer = null,
        Initializer? movingMeanInitializer = null, Initializer? movingVarianceInitializer = null,
        Regularizer? betaRegularizer = null, Regularizer? gammaRegularizer = null,
        MovingVarianceRule? movingVarianceRule = null, Shape? inputShape = null, string? name = null)
        : base(name, inputShape)
    {
        if (!(momentum >= 0 && momentum <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(momentum), $"BatchNormalization momentum must lie in [0, 1], got {momentum}");
        }
        if (!(epsilon > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), $"BatchNormalization epsilon must be positive, got {epsilon}");
        }
        Axis = axis;
        Momentum = momentum;
        Epsilon = epsilon;
        Center = center;
        Scale = scale;
        BetaInitializer = betaInitializer ?? new Constant(0);
        GammaInitializer = gammaInitializer ?? new Constant(1);
        MovingMeanInitializer = movingMeanInitializer ?? new Constant(0);
        MovingVarianceInitializer = movingVarianceInitializer ?? new Constant(1);
        BetaRegularizer = betaRegularizer;
        GammaRegularizer = gammaRegularizer;
        _varianceRule = movingVarianceRule;
    }

    /// <summary>The normalized axis as given (−1 or the last axis' index).</summary>
    public int Axis { get; }

    /// <summary>Weight of the old value in the moving averages.</summary>
    public double Momentum { get; }

    /// <summary>ε.</summary>
    public double Epsilon { get; }

    /// <summary>Whether β is added.</summary>
    public bool Center { get; }

    /// <summary>Whether γ multiplies.</summary>
    public bool Scale { get; }

    /// <summary>Initializer of β.</summary>
    public Initializer BetaInitializer { get; }

    /// <summary>Initializer of γ.</summary>
    public Initializer GammaInitializer { get; }

    /// <summary>Initializer of the moving mean.</summary>
    public Initializer MovingMeanInitializer { get; }

    /// <summary>Initializer of the moving variance.</summary>
    public Initializer MovingVarianceInitializer { get; }

    /// <summary>Penalty on β.</summary>
    public Regularizer? BetaRegularizer { get; }

    /// <summary>Penalty on γ.</summary>
    public Regularizer? GammaRegularizer { get; }

    /// <summary>What the moving variance is fed.</summary>
    public MovingVarianceRule VarianceRule => _varianceRule ?? Keras.BatchNormMovingVariance;

    private readonly MovingVarianceRule? _varianceRule;

    /// <summary>γ, shape (C,); null without scale.</summary>
    public Parameter<T>? Gamma { get; private set; }

    /// <summary>β, shape (C,); null without center.</summary>
    public Parameter<T>? Beta { get; private set; }

    /// <summary>The moving mean (non-trainable), shape (C,).</summary>
    public Parameter<T> MovingMean { get; private set; } = null!;

    /// <summary>The moving variance (non-trainable), shape (C,).</summary>
    public Parameter<T> MovingVariance { get; private set; } = null!;

    /// <inheritdoc/>
    public override Shape ComputeOutputShape(Shape inputShape)
    {
        if (inputShape.Rank == 0 || (Axis != -1 && Axis != inputShape.Rank))
        {
            throw new ShapeMismatchException($"BatchNormalization '{Name}' input (axis {Axis}; only the last axis, -1, is supported)",
                "(…, channels)", inputShape);
        }
        return inputShape;
    }

    /// <inheritdoc/>
    protected override void OnBuild(Shape inputShape)
    {
        Random random = CreateRandom();
        _channelRow = new Shape(inputShape[-1]);
        if (Scale)
        {
            Gamma = AddParameter("gamma", _channelRow, GammaInitializer, random, regularizer: GammaRegularizer);
        }
        if (Center)
        {
            Beta = AddParameter("beta", _channelRow, BetaInitializer, random, regularizer: BetaRegularizer);
        }
        MovingMean = AddParameter("moving_mean", _channelRow, MovingMeanInitializer, random, trainable: false);
        MovingVariance = AddParameter("moving_variance", _channelRow, MovingVarianceInitializer, random, trainable: false);
        _mean = Backend.Allocate(_channelRow);
        _variance = Backend.Allocate(_channelRow);
        _negated = Backend.Allocate(_channelRow);
        _inverseStd = Backend.Allocate(_channelRow);
        _columnScale = Backend.Allocate(_channelRow);
        _sumGradient = Backend.Allocate(_channelRow);
        _sumGradientNormalized = Backend.Allocate(_channelRow);
    }

    // Training: μ = Σx/m, σ² = Σ(x − μ)²/m;  inference: μ, σ² = the moving statistics.
    // x̂ = (x − μ)·(1/√(σ² + ε)),  y = γ·x̂ + β;  training also moves s ← s − (s − v)·(1 − momentum) for (s, v) = (moving mean, μ), (moving variance, rule(σ²)).
    /// <inheritdoc/>
    public override Tensor<T> Forward(Tensor<T> input, bool training)
    {
        CheckInput(input);
        _lastInput = input;
        _lastTraining = training;
        Tensor<T> x = Matrix(ref _xView, input);
        int m = x.Rows;
        var rows = new Shape(m, _channelRow[0]);
        Tensor<T> centered = Buffer(ref _centered, rows);
        Tensor<T> normalized = Buffer(ref _normalized, rows);
        Tensor<T> broadcast = Buffer(ref _broadcast, rows);
        Tensor<T> zeros = Buffer(ref _zeros, rows); // allocated zero and never written: AddRowVector(zeros, v) broadcasts v
        Tensor<T> mean = training ? _mean : MovingMean.Value;
        Tensor<T> variance = training ? _variance : MovingVariance.Value;
        if (training)
        {
            Backend.SumRows(x, _mean);
            Backend.Map(_mean, _mean, new DivideBy(T.CreateChecked(m)));
        }
        Backend.Scale(mean, -T.One, _negated);
        Backend.AddRowVector(x, _negated, centered);
        if (training)
        {
            Backend.Multiply(centered, centered, normalized);
            Backend.SumRows(normalized, _variance);
            Backend.Map(_variance, _variance, new DivideBy(T.CreateChecked(m)));
        }
        Backend.Map(variance, _inverseStd, new InverseStandardDeviation(T.CreateChecked(Epsilon)));
        Backend.AddRowVector(zeros, _inverseStd, broadcast);
        Backend.Multiply(centered, broadcast, normalized);

        Tensor<T> output = Buffer(ref _output, input.Shape);
        Tensor<T> y = Matrix(ref _yView, output);
        if (Gamma is not null)
        {
            Backend.AddRowVector(zeros, Gamma.Value, broadcast);
            Backend.Multiply(normalized, broadcast, y);
        }
        else
        {
            Backend.Copy(normalized, y);
        }
        if (Beta is not null)
        {
            Backend.AddRowVector(y, Beta.Value, y);
        }
        if (training)
        {
            T keep = T.CreateChecked(1 - Momentum);
            if (VarianceRule == MovingVarianceRule.ZeroDebiased)
            {
                _debiasSteps++;
                T correction = T.CreateChecked(1 - Math.Pow(Momentum, _debiasSteps));
                _biasedMean ??= Backend.Allocate(_channelRow);
                _biasedVariance ??= Backend.Allocate(_channelRow);
                Backend.Update(MovingMean.Value, _mean, _biasedMean, new ZeroDebiasedAverage(keep, T.One, correction));
                Backend.Update(MovingVariance.Value, _variance, _biasedVariance, new ZeroDebiasedAverage(keep, VarianceFactor(m), correction));
            }
            else
            {
                Backend.Update(MovingMean.Value, _mean, new MovingAverage(keep, T.One));
                Backend.Update(MovingVariance.Value, _variance, new MovingAverage(keep, VarianceFactor(m)));
            }
        }
        return output;
    }

    // Training (the batch statistics depend on x):  ∂J/∂β = Σ g,  ∂J/∂γ = Σ g ⊙ x̂,
    //   ∂J/∂x = γ/√(σ² + ε) ⊙ (g − (Σ g)/m − x̂ ⊙ (Σ g ⊙ x̂)/m).
    // Inference (the statistics are constants):  ∂J/∂x = γ/√(σ² + ε) ⊙ g.
    /// <inheritdoc/>
    public override Tensor<T> Backward(Tensor<T> outputGradient)
    {
        CheckBackward(_lastInput, outputGradient, _lastInput?.Shape ?? outputGradient.Shape);
        Tensor<T> g = Matrix(ref _gView, outputGradient);
        int m = g.Rows;
        Tensor<T> normalized = _normalized!, broadcast = _broadcast!, zeros = _zeros!;
        Tensor<T> scratch = Buffer(ref _scratch, normalized.Shape);
        Backend.SumRows(g, Beta?.Gradient ?? _sumGradient);
        Backend.Multiply(g, normalized, scratch);
        Backend.SumRows(scratch, Gamma?.Gradient ?? _sumGradientNormalized);
        if (Gamma is not null)
        {
            Backend.Multiply(Gamma.Value, _inverseStd, _columnScale);
        }
        else
        {
            Backend.Copy(_inverseStd, _columnScale);
        }
        Tensor<T> dx = Buffer(ref _inputGradient, _lastInput!.Shape);
        Tensor<T> dxRows = Matrix(ref _dxView, dx);
        if (!_lastTraining)
        {
            Backend.AddRowVector(zeros, _columnScale, broadcast);
            Backend.Multiply(g, broadcast, dxRows);
            return dx;
        }
        var perValue = new DivideBy(T.CreateChecked(m));
        // scratch = g − x̂ ⊙ (Σ g ⊙ x̂)/m − (Σ g)/m
        Backend.Map(Gamma?.Gradient ?? _sumGradientNormalized, _negated, perValue);
        Backend.AddRowVector(zeros, _negated, broadcast);
        Backend.Multiply(normalized, broadcast, scratch);
        Backend.Subtract(g, scratch, scratch);
        Backend.Map(Beta?.Gradient ?? _sumGradient, _negated, perValue);
        Backend.Scale(_negated, -T.One, _negated);
        Backend.AddRowVector(scratch, _negated, scratch);
        Backend.AddRowVector(zeros, _columnScale, broadcast);
        Backend.Multiply(scratch, broadcast, dxRows);
        return dx;
    }

    // The variance fed to the moving average is rule(σ²) = σ²·factor.
    private T VarianceFactor(int m)
    {
        MovingVarianceRule rule = VarianceRule switch
        {
            MovingVarianceRule.BesselWhenFused => InputShape!.Rank == 3 ? MovingVarianceRule.Bessel : MovingVarianceRule.Biased,
            MovingVarianceRule.ZeroDebiased => MovingVarianceRule.Keras23,
            MovingVarianceRule r => r,
        };
        if (rule == MovingVarianceRule.Biased || m == 1)
        {
            // One value per channel: σ² is exactly 0, and so is any rule's multiple of it (Keras 2.3's m/(m − 1 − ε) is
            // negative there and TensorFlow multiplies it by that 0).
            return T.One;
        }
        double divisor = rule == MovingVarianceRule.Bessel ? m - 1 : m - (1 + Epsilon); // m ≥ 2 here: positive
        return T.CreateChecked(m / divisor);
    }

    // A (batch, …, C) tensor as the (values per channel, C) matrix: every row is one position, every column one channel.
    private Tensor<T> Matrix(ref ViewSlot slot, Tensor<T> t) =>
        t.Shape.Rank == 2 ? t : View(ref slot, t, t.Length / _channelRow[0], _channelRow);

    /// <inheritdoc/>
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["axis"] = Axis;
        c["momentum"] = Momentum;
        c["epsilon"] = Epsilon;
        c["center"] = Center;
        c["scale"] = Scale;
        c["beta_initializer"] = BetaInitializer;
        c["gamma_initializer"] = GammaInitializer;
        c["moving_mean_initializer"] = MovingMeanInitializer;
        c["moving_variance_initializer"] = MovingVarianceInitializer;
        c["beta_regularizer"] = BetaRegularizer;
        c["gamma_regularizer"] = GammaRegularizer;
        c["moving_variance_rule"] = RuleName(VarianceRule);
        return c;
    }

    /// <summary>The config name of a rule: "biased", "keras_2_3", "bessel", "bessel_when_fused" or "zero_debiased".</summary>
    public static string RuleName(MovingVarianceRule rule) => rule switch
    {
        MovingVarianceRule.Biased => "biased",
        MovingVarianceRule.Keras23 => "keras_2_3",
        MovingVarianceRule.Bessel => "bessel",
        MovingVarianceRule.BesselWhenFused => "bessel_when_fused",
        MovingVarianceRule.ZeroDebiased => "zero_debiased",
        _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, "unknown moving-variance rule"),
    };

    /// <summary>The rule of a config name (see <see cref="RuleName"/>).</summary>
    /// <exception cref="ArgumentException">An unknown name.</exception>
    public static MovingVarianceRule ParseRule(string name) => name switch
    {
        "biased" => MovingVarianceRule.Biased,
        "keras_2_3" => MovingVarianceRule.Keras23,
        "bessel" => MovingVarianceRule.Bessel,
        "bessel_when_fused" => MovingVarianceRule.BesselWhenFused,
        "zero_debiased" => MovingVarianceRule.ZeroDebiased,
        _ => throw new ArgumentException($"unknown BatchNormalization moving_variance_rule '{name}' (have: biased, keras_2_3, bessel, bessel_when_fused, zero_debiased)", nameof(name)),
    };

    /// <summary>x / d (a sum over m values made a mean).</summary>
    /// <param name="divisor">d.</param>
    public readonly struct DivideBy(T divisor) : IUnaryFunction<T>
    {
        /// <inheritdoc/>
        public T Apply(T x) => x / divisor;
    }

    /// <summary>1/√(σ² + ε).</summary>
    /// <param name="epsilon">ε.</param>
    public readonly struct InverseStandardDeviation(T epsilon) : IUnaryFunction<T>
    {
        /// <inheritdoc/>
        public T Apply(T variance) => T.One / T.Sqrt(variance + epsilon);
    }

    /// <summary>b ← b − (b − v·factor)·(1 − momentum); s = b / correction with correction = 1 − momentumᵗ: TensorFlow's
    /// <c>assign_moving_average(zero_debias=True)</c> (s the moving statistic, b its shadow).</summary>
    /// <param name="oneMinusMomentum">1 − momentum.</param>
    /// <param name="factor">The variance rule's factor (1 for the mean).</param>
    /// <param name="correction">1 − momentumᵗ for this step's t.</param>
    public readonly struct ZeroDebiasedAverage(T oneMinusMomentum, T factor, T correction) : IUpdateWithState<T>
    {
        /// <inheritdoc/>
        public void Apply(ref T s, T v, ref T b)
        {
            b -= (b - (v * factor)) * oneMinusMomentum;
            s = b / correction;
        }
    }

    /// <summary>s ← s − (s − v·factor)·(1 − momentum): TensorFlow's <c>assign_moving_average</c> without zero-debiasing.</summary>
    /// <param name="oneMinusMomentum">1 − momentum (computed in double, as Python does, then rounded to T).</param>
    /// <param name="factor">The variance rule's factor (1 for the mean).</param>
    public readonly struct MovingAverage(T oneMinusMomentum, T factor) : IUpdate<T>
    {
        /// <inheritdoc/>
        public void Apply(ref T s, T v) => s -= (s - (v * factor)) * oneMinusMomentum;
    }
}
