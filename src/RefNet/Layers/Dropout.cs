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
    public Dropout(double rate, int? seed = null, string? name = null)
        : base(name, null)
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
            Backend.DropoutMask(seed, T.CreateChecked(Rate), mask);
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
