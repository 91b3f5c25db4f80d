// Dropout (inverted): during training each input is kept with probability 1−rate and scaled by
// 1/(1−rate); at inference the layer is the identity. Masks come from a counter-based RNG.
using System.Numerics;
using RefNet.Backends;
using RefNet.Engine;
using RefNet.Tensors;

namespace RefNet.Layers;

/// <summary>Inverted dropout (Keras <c>Dropout</c>): y = x ⊙ mask, mask ∈ {0, 1/(1−rate)}.</summary>
/// <remarks>The mask of step s is a pure function of (Seed, s) (see <see cref="CounterRng"/>), so the same
/// seed gives the same masks on every backend. <see cref="FixedMask"/> freezes a mask for gradient checks.</remarks>
public sealed class Dropout<T> : Layer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private Tensor<T>? _lastInput;
    private Tensor<T>? _mask;
    private Tensor<T>? _output;
    private Tensor<T>? _inputGradient;
    private bool _maskActive;
    private ulong _step;

    /// <summary>Creates the layer.</summary>
    /// <param name="rate">Fraction of inputs dropped, in [0, 1).</param>
    /// <param name="seed">Seed of the masks (the network assigns one when null).</param>
    /// <param name="name">Layer name.</param>
    /// <param name="inputShape">Input shape without the batch, when Dropout is the first layer (Keras <c>input_shape</c>).</param>
    public Dropout(double rate, int? seed = null, string? name = null, Shape? inputShape = null)
        : base(name, inputShape)
    {
        if (!(rate >= 0 && rate < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(rate), $"Dropout rate must be in [0, 1), got {rate}");
        }
        Rate = rate;
        Seed = seed;
    }

    /// <summary>Fraction of inputs dropped during training.</summary>
    public double Rate { get; }

    /// <summary>When true, training-mode forwards reuse the last mask instead of drawing a new one (for gradient checks).</summary>
    public bool FixedMask { get; set; }

    /// <summary>The mask of the last training step (null before any).</summary>
    public Tensor<T>? Mask => _mask;

    /// <summary>Masks drawn so far: the next training step's mask is a function of (Seed, Step). Saved with the training
    /// state (<see cref="Engine.Network{T}.Save"/>), so a resumed run draws the masks the uninterrupted one would.</summary>
    public ulong Step
    {
        get => _step;
        set => _step = value;
    }

    /// <inheritdoc/>
    public override LayerState<T> GetTrainingState() => new(new Dictionary<string, ulong> { ["step"] = _step }, new Dictionary<string, T[]>());

    /// <inheritdoc/>
    public override void RestoreTrainingState(LayerState<T> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Tensors.Count > 0 || state.Counters.Keys.Any(k => k != "step"))
        {
            throw new ArgumentException($"Dropout '{Name}' keeps only the counter 'step'", nameof(state));
        }
        _step = state.Counter("step", Name ?? TypeName);
    }

    // Slide/Keras: y = x ⊙ m / (1 − rate),  m ~ Bernoulli(1 − rate)
    /// <inheritdoc/>
    public override Tensor<T> Forward(Tensor<T> input, bool training)
    {
        CheckInput(input);
        _lastInput = input;
        _maskActive = training && Rate > 0;
        if (!_maskActive)
        {
            return input;
        }
        bool reuse = FixedMask && _mask is not null && _mask.Shape == input.Shape;
        Tensor<T> mask = Buffer(ref _mask, input.Shape);
        if (!reuse)
        {
            ulong seed = CounterRng.Mix((ulong)(Seed ?? 0), _step++);
            Backend.Generate(mask, new DropoutMask<T>(seed, T.CreateChecked(Rate)));
        }
        Tensor<T> y = Buffer(ref _output, input.Shape);
        Backend.Multiply(input, mask, y);
        return y;
    }

    // ∂J/∂x = ∂J/∂y ⊙ m / (1 − rate)  (identity at inference)
    /// <inheritdoc/>
    public override Tensor<T> Backward(Tensor<T> outputGradient)
    {
        CheckBackward(_lastInput, outputGradient, _lastInput?.Shape ?? outputGradient.Shape);
        if (!_maskActive)
        {
            return outputGradient;
        }
        Tensor<T> dx = Buffer(ref _inputGradient, outputGradient.Shape);
        Backend.Multiply(outputGradient, _mask!, dx);
        return dx;
    }

    /// <inheritdoc/>
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["rate"] = Rate;
        c["seed"] = Seed;
        return c;
    }
}

/// <summary>m[i] = 1/(1−rate) when keep(seed, i), else 0; keep(seed, i) ⇔ u ≥ rate for u = h·2⁻²⁴, h the top 24 bits of
/// <see cref="CounterRng.Hash(ulong, ulong)"/>(seed, i). Since u is exact, u ≥ rate ⇔ h ≥ ⌈rate·2²⁴⌉: the test is done in integers.</summary>
/// <remarks>Counter-based: the mask is a pure function of (seed, i), identical on every backend and thread count.</remarks>
public readonly struct DropoutMask<T> : IVectorIndexFunction<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ulong _seed;
    private readonly ulong _threshold;
    private readonly T _keepScale;

    /// <summary>The mask for one step.</summary>
    /// <param name="seed">The step's seed.</param>
    /// <param name="rate">The fraction dropped.</param>
    public DropoutMask(ulong seed, T rate)
    {
        _seed = seed;
        _threshold = Threshold(double.CreateChecked(rate));
        _keepScale = T.One / (T.One - rate);
    }

    /// <summary>⌈rate·2²⁴⌉ (0 for rate ≤ 0): the smallest kept 24-bit value.</summary>
    public static ulong Threshold(double rate)
    {
        double scaled = Math.Ceiling(rate * 16777216.0);
        return scaled <= 0 ? 0UL : (ulong)scaled;
    }

    /// <inheritdoc/>
    public T Apply(long index) => CounterRng.Hash(_seed, (ulong)index) >> 40 >= _threshold ? _keepScale : T.Zero;

    /// <inheritdoc/>
    /// <remarks>The same hash, four 64-bit lanes at a time (two rounds for float's eight lanes).</remarks>
    public Vector<T> ApplyVector(long first)
    {
        Vector<ulong> keep0 = Keep((ulong)first);
        Vector<T> select;
        if (typeof(T) == typeof(float))
        {
            Vector<ulong> keep1 = Keep((ulong)first + (ulong)Vector<ulong>.Count);
            select = Vector.Narrow(keep0, keep1).As<uint, T>();
        }
        else
        {
            select = keep0.As<ulong, T>();
        }
        return Vector.ConditionalSelect(select, new Vector<T>(_keepScale), Vector<T>.Zero);
    }

    // All-ones lanes where index first + lane is kept: CounterRng.Hash(seed, index) >> 40 ≥ threshold.
    private Vector<ulong> Keep(ulong first) =>
        Vector.GreaterThanOrEqual(CounterRng.Hash(_seed, new Vector<ulong>(first) + Vector<ulong>.Indices) >>> 40, new Vector<ulong>(_threshold));
}
