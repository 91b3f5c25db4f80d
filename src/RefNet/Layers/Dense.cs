// Dense: the fully connected layer a = f(x·W + b), Keras layout (W is inputs × units).
// Forward and Backward sit side by side with the slide formulas; favours clarity over speed.
using System.Numerics;
using RefNet.Activations;
using RefNet.Backends;
using RefNet.Engine;
using RefNet.Initializers;
using RefNet.Regularizers;
using RefNet.Tensors;

namespace RefNet.Layers;

/// <summary>Fully connected layer: a = f(x·W + b) (Keras <c>Dense</c>).</summary>
/// <typeparam name="T">float or double.</typeparam>
/// <remarks>Slides number layers from 1; a network's Layers[0] is slide layer 1. The kernel is
/// (inputs × units) as in Keras, so a batch of rows x (batch × inputs) gives z = x·W (batch × units).
/// Defaults follow Keras: glorot_uniform kernel, zero bias. On inputs of higher rank, (batch, …, inputs), the
/// layer acts on the last axis as Keras' does: every (…) position is one row of the product, and the output is
/// (batch, …, units) (views of the same storage; nothing is copied).</remarks>
public sealed class Dense<T> : Layer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private Tensor<T>? _lastInput;
    private Tensor<T>? _preActivation;
    private Tensor<T>? _output;
    private Tensor<T>? _preActivationGradient;
    private Tensor<T>? _inputGradient;
    private Shape _inputRow = null!, _outputRow = null!;
    private ViewSlot _xView, _zView, _aView, _gView, _dView, _dxView;

    /// <summary>Creates a Dense layer.</summary>
    /// <param name="units">Number of outputs (neurons).</param>
    /// <param name="activation">Activation applied to z (linear by default).</param>
    /// <param name="inputDim">Number of inputs; needed when this is the first layer (Keras <c>input_dim</c>).</param>
    /// <param name="useBias">Whether to add a bias b.</param>
    /// <param name="kernelInitializer">Defaults to glorot_uniform.</param>
    /// <param name="biasInitializer">Defaults to zeros.</param>
    /// <param name="kernelRegularizer">Optional L1/L2 penalty on W.</param>
    /// <param name="biasRegularizer">Optional L1/L2 penalty on b.</param>
    /// <param name="seed">Seed for the initializers (the network assigns one when null).</param>
    /// <param name="name">Layer name ("dense_1" etc. when null).</param>
    /// <param name="inputShape">The input shape of a first layer on inputs of any rank, e.g. (time, features); instead of <paramref name="inputDim"/>.</param>
    public Dense(int units, ActivationFunction? activation = null, int? inputDim = null, bool useBias = true,
        Initializer? kernelInitializer = null, Initializer? biasInitializer = null,
        Regularizer? kernelRegularizer = null, Regularizer? biasRegularizer = null, int? seed = null, string? name = null, Shape? inputShape = null)
        : base(name, inputShape ?? (inputDim is int d ? new Shape(d) : null))
    {
        if (inputShape is not null && inputDim is not null)
        {
            throw new ArgumentException($"Dense takes inputDim ({inputDim}) or inputShape ({inputShape}), not both", nameof(inputShape));
        }
        if (units <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(units), $"Dense needs at least one unit, got {units}");
        }
        if (inputDim is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(inputDim), $"Dense input_dim must be positive, got {inputDim}");
        }
        Units = units;
        Activation = activation ?? ActivationFunction.Linear;
        UseBias = useBias;
        _kernelInitializer = kernelInitializer;
        BiasInitializer = biasInitializer ?? new Constant(0);
        KernelRegularizer = kernelRegularizer;
        BiasRegularizer = biasRegularizer;
        Seed = seed;
    }

    /// <summary>Creates a Dense layer from a Keras activation name ("relu", "softmax", ...).</summary>
    public Dense(int units, string activation, int? inputDim = null, int? seed = null, string? name = null)
        : this(units, ActivationFunction.FromName(activation), inputDim, seed: seed, name: name)
    {
    }

    /// <summary>Number of outputs.</summary>
    public int Units { get; }

    /// <summary>The activation f.</summary>
    public ActivationFunction Activation { get; }

    /// <summary>Whether the layer has a bias.</summary>
    public bool UseBias { get; }

    private readonly Initializer? _kernelInitializer;

    /// <summary>Initializer of W: the one given, else the Keras profile's (glorot_uniform; glorot_normal in TensorFlow.js).</summary>
    public Initializer KernelInitializer => _kernelInitializer ?? Initializer.FromName(Keras.KernelInitializer);

    /// <summary>Initializer of b.</summary>
    public Initializer BiasInitializer { get; }

    /// <summary>Penalty on W.</summary>
    public Regularizer? KernelRegularizer { get; }

    /// <summary>Penalty on b.</summary>
    public Regularizer? BiasRegularizer { get; }

    /// <summary>W, shape (inputs, units).</summary>
    public Parameter<T> Kernel { get; private set; } = null!;

    /// <summary>b, shape (units,); null without bias.</summary>
    public Parameter<T>? Bias { get; private set; }

    /// <inheritdoc/>
    public override Shape ComputeOutputShape(Shape inputShape)
    {
        if (inputShape.Rank == 0)
        {
            throw new ShapeMismatchException($"Dense '{Name}' input", "(…, features)", inputShape);
        }
        int[] dims = inputShape.ToArray();
        dims[^1] = Units;
        return new Shape(dims);
    }

    /// <inheritdoc/>
    protected override void OnBuild(Shape inputShape)
    {
        Random random = CreateRandom();
        Kernel = AddParameter("kernel", new Shape(inputShape[-1], Units), KernelInitializer, random, regularizer: KernelRegularizer);
        if (UseBias)
        {
            Bias = AddParameter("bias", new Shape(Units), BiasInitializer, random, regularizer: BiasRegularizer);
        }
        _inputRow = new Shape(inputShape[-1]);
        _outputRow = new Shape(Units);
    }

    // A (batch, …, n) tensor as the (rows, n) matrix the products read: itself when it already is one.
    private static Tensor<T> Matrix(ref ViewSlot slot, Tensor<T> t, Shape row) =>
        t.Shape.Rank == 2 ? t : View(ref slot, t, t.Length / row[0], row);

    // Slide: z⁽ˡ⁾ = a⁽ˡ⁻¹⁾·W⁽ˡ⁾ + b⁽ˡ⁾,  a⁽ˡ⁾ = f(z⁽ˡ⁾)
    /// <inheritdoc/>
    public override Tensor<T> Forward(Tensor<T> input, bool training)
    {
        CheckInput(input);
        _lastInput = input;
        // Reuse the previous batch's shape object when the batch size is unchanged (no per-batch allocation).
        Shape outShape = _preActivation is { } previous && previous.Rows == input.Rows ? previous.Shape : OutputShape!.WithBatch(input.Rows);
        Tensor<T> z = Buffer(ref _preActivation, outShape);
        Tensor<T> z2 = Matrix(ref _zView, z, _outputRow);
        Backend.MatMul(Matrix(ref _xView, input, _inputRow), false, Kernel.Value, false, z2, T.One, T.Zero);
        if (Bias is not null)
        {
            Backend.AddRowVector(z2, Bias.Value, z2);
        }
        if (Activation.IsLinear)
        {
            _output = z;
            return z;
        }
        // _output aliases z only for Linear (above), and Activation never changes, so a is a buffer of its own.
        Tensor<T> a = Buffer(ref _output, outShape);
        Activation.Forward(Backend, z2, Matrix(ref _aView, a, _outputRow));
        return a;
    }

    // Slide: δ⁽ˡ⁾ = δ_a ⊙ f'(z⁽ˡ⁾);  ∂J/∂W⁽ˡ⁾ = a⁽ˡ⁻¹⁾ᵀ·δ⁽ˡ⁾;  ∂J/∂b⁽ˡ⁾ = Σ_rows δ⁽ˡ⁾;  δ_a⁽ˡ⁻¹⁾ = δ⁽ˡ⁾·W⁽ˡ⁾ᵀ
    /// <inheritdoc/>
    public override Tensor<T> Backward(Tensor<T> outputGradient) => Backpropagate(outputGradient, needInputGradient: true)!;

    /// <inheritdoc/>
    /// <remarks>Skips the product δ·Wᵀ (a third of the layer's backward work).</remarks>
    public override void BackwardParametersOnly(Tensor<T> outputGradient) => Backpropagate(outputGradient, needInputGradient: false);

    /// <inheritdoc/>
    public override (ActivationFunction Activation, Tensor<T> Logits)? OutputLogits =>
        TagsLogits(Activation) && _preActivation is { } z ? (Activation, z) : null;

    /// <inheritdoc/>
    /// <remarks>δ = ∂J/∂z directly (tf.keras' cross-entropy from the logits).</remarks>
    public override Tensor<T>? BackwardFromLogits(Tensor<T> logitsGradient, bool needInputGradient) =>
        OutputLogits is null ? base.BackwardFromLogits(logitsGradient, needInputGradient) : Backpropagate(logitsGradient, needInputGradient, ofLogits: true);

    private Tensor<T>? Backpropagate(Tensor<T> outputGradient, bool needInputGradient, bool ofLogits = false)
    {
        CheckBackward(_lastInput, outputGradient, _preActivation?.Shape ?? outputGradient.Shape);
        Tensor<T> delta = Matrix(ref _gView, outputGradient, _outputRow);
        if (!Activation.IsLinear && !ofLogits)
        {
            Tensor<T> d = Matrix(ref _dView, Buffer(ref _preActivationGradient, outputGradient.Shape), _outputRow);
            Activation.Backward(Backend, Matrix(ref _zView, _preActivation!, _outputRow), Matrix(ref _aView, _output!, _outputRow), delta, d);
            delta = d;
        }
        Tensor<T> x = Matrix(ref _xView, _lastInput!, _inputRow);
        Backend.MatMul(x, true, delta, false, Kernel.Gradient, T.One, T.Zero);
        if (Bias is not null)
        {
            Backend.SumRows(delta, Bias.Gradient);
        }
        if (!needInputGradient)
        {
            return null;
        }
        Tensor<T> dx = Buffer(ref _inputGradient, _lastInput!.Shape);
        Backend.MatMul(delta, false, Kernel.Value, true, Matrix(ref _dxView, dx, _inputRow), T.One, T.Zero);
        return dx;
    }

    /// <inheritdoc/>
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["units"] = Units;
        c["activation"] = Activation.Name;
        c["use_bias"] = UseBias;
        c["kernel_initializer"] = KernelInitializer;
        c["bias_initializer"] = BiasInitializer;
        c["kernel_regularizer"] = KernelRegularizer;
        c["bias_regularizer"] = BiasRegularizer;
        c["seed"] = Seed;
        return c;
    }
}
