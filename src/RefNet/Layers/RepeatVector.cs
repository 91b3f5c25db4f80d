// RepeatVector: (batch, features) → (batch, n, features), y[b, t, :] = x[b, :] (Keras RepeatVector); forward and backward side by side.
using System.Numerics;
using RefNet.Engine;
using RefNet.Tensors;

namespace RefNet.Layers;

/// <summary>Repeats the input n times along a new time axis (Keras <c>RepeatVector</c>): y[b, t, :] = x[b, :].</summary>
/// <typeparam name="T">float or double.</typeparam>
/// <remarks>Used between an encoder that returns one vector and a decoder that reads a sequence (Keras' addition_rnn).
/// Backward: ∂J/∂x = Σ_t ∂J/∂y[:, t, :].</remarks>
public sealed class RepeatVector<T> : Layer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private Tensor<T>? _lastInput, _output, _inputGradient;
    private ViewSlot _outView, _gradView;

    /// <summary>Creates the layer.</summary>
    /// <param name="n">How many times to repeat (the output's time steps).</param>
    /// <param name="inputShape">(features) when this is the first layer.</param>
    /// <param name="name">Layer name ("repeat_vector_1" etc. when null).</param>
    public RepeatVector(int n, Shape? inputShape = null, string? name = null)
        : base(name, inputShape)
    {
        N = n > 0 ? n : throw new ArgumentOutOfRangeException(nameof(n), $"RepeatVector needs n ≥ 1, got {n}");
    }

    /// <summary>The number of repetitions.</summary>
    public int N { get; }

    /// <inheritdoc/>
    public override Shape ComputeOutputShape(Shape inputShape) => inputShape.Rank == 1
        ? new Shape(N, inputShape[0])
        : throw new ShapeMismatchException($"RepeatVector '{Name}' input", "(features)", inputShape);

    // y[:, t, :] = x for t = 0 … n−1
    /// <inheritdoc/>
    public override Tensor<T> Forward(Tensor<T> input, bool training)
    {
        CheckInput(input);
        _lastInput = input;
        int f = input.Columns;
        Tensor<T> output = Buffer(ref _output, new Shape(input.Rows, N, f));
        Tensor<T> flat = View(ref _outView, output, input.Rows, new Shape(N * f));
        for (int t = 0; t < N; t++)
        {
            Backend.CopyColumns(input, 0, flat, t * f, f, accumulate: false);
        }
        return output;
    }

    // ∂J/∂x = Σ_t ∂J/∂y[:, t, :]
    /// <inheritdoc/>
    public override Tensor<T> Backward(Tensor<T> outputGradient)
    {
        CheckBackward(_lastInput, outputGradient, _lastInput is null ? outputGradient.Shape : new Shape(_lastInput.Rows, N, _lastInput.Columns));
        int f = _lastInput!.Columns;
        Tensor<T> dx = Buffer(ref _inputGradient, _lastInput.Shape);
        Tensor<T> flat = View(ref _gradView, outputGradient, outputGradient.Rows, new Shape(N * f));
        for (int t = 0; t < N; t++)
        {
            Backend.CopyColumns(flat, t * f, dx, 0, f, accumulate: t > 0);
        }
        return dx;
    }

    /// <inheritdoc/>
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["n"] = N;
        return c;
    }
}
