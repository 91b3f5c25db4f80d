// Embedding: a trainable lookup table, y[n, t] = E[x[n, t]] (Keras 2.2.4 Embedding); forward and backward side by side.
// Favours clarity over speed: the lookup is the backend's row gather, the gradient its row scatter-add.
using System.Numerics;
using RefNet.Engine;
using RefNet.Initializers;
using RefNet.Regularizers;
using RefNet.Tensors;

namespace RefNet.Layers;

/// <summary>Turns integer indices into dense vectors: y[n, t, :] = E[x[n, t], :] (Keras <c>Embedding</c>).</summary>
/// <typeparam name="T">float or double (the indices arrive as whole numbers of that type).</typeparam>
/// <remarks>
/// <para>E is (inputDim, outputDim), initialised uniform in ±0.05 as Keras 2 ("uniform"). Input (batch, …), usually
/// (batch, inputLength); output (batch, …, outputDim). Parameters: inputDim·outputDim (Embedding(1000, 64): 64 000).</para>
/// <para>Backward: ∂J/∂E[k] = Σ over every position holding index k of ∂J/∂y there (repeated indices accumulate).
/// The indices are not differentiable; the returned input gradient is zero (Keras returns none).</para>
/// <para>An index that is negative, ≥ inputDim, not a whole number or NaN is an <see cref="ArgumentOutOfRangeException"/>
/// naming the layer, the value and its (sample, step) position. Not implemented: mask_zero (rejected from configs).</para>
/// </remarks>
public sealed class Embedding<T> : Layer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private Tensor<T>? _lastInput, _output, _inputGradient;
    private ViewSlot _outView, _gradView;

    /// <summary>Creates the layer.</summary>
    /// <param name="inputDim">Vocabulary size: indices are 0 … inputDim − 1.</param>
    /// <param name="outputDim">Length of each vector.</param>
    /// <param name="inputLength">Sequence length when this is the first layer (Keras <c>input_length</c>).</param>
    /// <param name="inputShape">The index shape without batch, instead of <paramref name="inputLength"/>.</param>
    /// <param name="embeddingsInitializer">E's initializer (uniform ±0.05).</param>
    /// <param name="embeddingsRegularizer">Penalty on E.</param>
    /// <param name="seed">Seed for the initializer.</param>
    /// <param name="name">Layer name ("embedding_1" etc. when null).</param>
    public Embedding(int inputDim, int outputDim, int? inputLength = null, Shape? inputShape = null, Initializer? embeddingsInitializer = null,
        Regularizer? embeddingsRegularizer = null, int? seed = null, string? name = null)
        : base(name, inputShape ?? (inputLength is int length ? new Shape(length) : null))
    {
        if (inputDim <= 0 || outputDim <= 0)
        {
            throw new ArgumentOutOfRangeException(inputDim <= 0 ? nameof(inputDim) : nameof(outputDim),
                $"Embedding needs inputDim and outputDim ≥ 1, got inputDim {inputDim}, outputDim {outputDim}");
        }
        InputDim = inputDim;
        OutputDim = outputDim;
        EmbeddingsInitializer = embeddingsInitializer ?? new RandomUniform(-0.05, 0.05);
        EmbeddingsRegularizer = embeddingsRegularizer;
        Seed = seed;
    }

    /// <summary>Vocabulary size.</summary>
    public int InputDim { get; }

    /// <summary>Vector length.</summary>
    public int OutputDim { get; }

    /// <summary>E's initializer.</summary>
    public Initializer EmbeddingsInitializer { get; }

    /// <summary>Penalty on E.</summary>
    public Regularizer? EmbeddingsRegularizer { get; }

    /// <summary>E, (inputDim, outputDim).</summary>
    public Parameter<T> Embeddings { get; private set; } = null!;

    /// <inheritdoc/>
    public override bool HasInputGradient => false;

    /// <inheritdoc/>
    public override Shape ComputeOutputShape(Shape inputShape) => new([.. inputShape.ToArray(), OutputDim]);

    /// <inheritdoc/>
    protected override void OnBuild(Shape inputShape) =>
        Embeddings = AddParameter("embeddings", new Shape(InputDim, OutputDim), EmbeddingsInitializer, CreateRandom(), regularizer: EmbeddingsRegularizer);

    // y[p] = E[x[p]] for every position p = (n, t, …)
    /// <inheritdoc/>
    public override Tensor<T> Forward(Tensor<T> input, bool training)
    {
        CheckInput(input);
        CheckIndices(input);
        _lastInput = input;
        Tensor<T> output = Buffer(ref _output, OutputShape!.WithBatch(input.Rows));
        Backend.GatherRows(Embeddings.Value, input, View(ref _outView, output, input.Length, new Shape(OutputDim)));
        return output;
    }

    // ∂J/∂E = 0; ∂J/∂E[x[p]] += ∂J/∂y[p] for p ascending
    /// <inheritdoc/>
    public override Tensor<T> Backward(Tensor<T> outputGradient)
    {
        BackwardParametersOnly(outputGradient);
        Tensor<T> dx = Buffer(ref _inputGradient, _lastInput!.Shape);
        Backend.Fill(dx, T.Zero);
        return dx;
    }

    /// <inheritdoc/>
    public override void BackwardParametersOnly(Tensor<T> outputGradient)
    {
        CheckBackward(_lastInput, outputGradient, _lastInput is null ? outputGradient.Shape : OutputShape!.WithBatch(_lastInput.Rows));
        Backend.Fill(Embeddings.Gradient, T.Zero);
        Backend.ScatterAddRows(View(ref _gradView, outputGradient, _lastInput!.Length, new Shape(OutputDim)), _lastInput, Embeddings.Gradient);
    }

    // Checked here, before the backend, so that the message names the layer and the (sample, step) position.
    private void CheckIndices(Tensor<T> input)
    {
        T[] values = input.ToArray();
        T limit = T.CreateChecked(InputDim);
        int perSample = InputShape!.Length;
        for (int p = 0; p < values.Length; p++)
        {
            T v = values[p];
            if (!(v >= T.Zero && v < limit && T.IsInteger(v)))
            {
                int[] position = [p / perSample, .. Unravel(p % perSample)];
                string what = T.IsNaN(v) ? "is NaN" : !T.IsInteger(v) ? "is not a whole number" : $"is outside [0, {InputDim})";
                throw new ArgumentOutOfRangeException(nameof(input),
                    $"Embedding '{Name}': index {v} at (sample, step) ({string.Join(", ", position)}) {what}; indices must be whole numbers in [0, {InputDim}) (input_dim {InputDim})");
            }
        }
    }

    private int[] Unravel(int offset)
    {
        int[] dims = InputShape!.ToArray();
        var index = new int[dims.Length];
        for (int d = dims.Length - 1; d >= 0; d--)
        {
            index[d] = offset % dims[d];
            offset /= dims[d];
        }
        return index;
    }

    /// <inheritdoc/>
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["input_dim"] = InputDim;
        c["output_dim"] = OutputDim;
        c["embeddings_initializer"] = EmbeddingsInitializer;
        c["embeddings_regularizer"] = EmbeddingsRegularizer;
        c["input_length"] = DeclaredInputShape is { Rank: 1 } s ? s[0] : null;
        c["seed"] = Seed;
        return c;
    }
}
