// Conv2D: the 2-D convolution a = f(x ∗ K + b) on channels-last images, as im2col followed by one GEMM.
// Forward and Backward sit side by side with the formulas; favours clarity over speed.
using System.Numerics;
using RefNet.Activations;
using RefNet.Backends;
using RefNet.Engine;
using RefNet.Initializers;
using RefNet.Regularizers;
using RefNet.Tensors;

namespace RefNet.Layers;

/// <summary>2-D convolution (Keras <c>Conv2D</c>, channels-last): a = f(z), z[n, oy, ox, f] = b[f] + Σ_{ky, kx, c} x[n, oy·s − pad + ky·d, ox·s − pad + kx·d, c] · K[ky, kx, c, f].</summary>
/// <typeparam name="T">float or double.</typeparam>
/// <remarks>
/// <para>The course's picture — each output value is the dot product of a kh × kw × C patch with one filter — is
/// literally how it runs: <see cref="IBackend{T}.Im2Col"/> lays every patch out as one row of a (N·OH·OW, kh·kw·C)
/// matrix, and the kernel, Keras' (kh, kw, C, F) array, is read as a (kh·kw·C, F) matrix, so z = patches · K is one
/// GEMM whose (N·OH·OW, F) result already is the NHWC output.</para>
/// <para>Keras 2 conventions: padding "valid" (no padding) or "same" (TensorFlow's rule: out = ⌈H/s⌉, ⌊total/2⌋ on
/// top and left, the odd row/column at the bottom/right); glorot_uniform with fan_in = kh·kw·C, fan_out = kh·kw·F;
/// zero bias; strides &gt; 1 together with a dilation &gt; 1 are rejected, as Keras 2 does.</para>
/// </remarks>
public sealed class Conv2D<T> : Layer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private Tensor<T>? _lastInput;
    private Tensor<T>? _columns;
    private Tensor<T>? _preActivation;
    private Tensor<T>? _output;
    private Tensor<T>? _preActivationGradient;
    private Tensor<T>? _columnsGradient;
    private Tensor<T>? _inputGradient;
    private Tensor<T> _kernelMatrix = null!;
    private Tensor<T> _kernelGradientMatrix = null!;
    private Shape _filterShape = null!;
    private readonly Dictionary<int, (ConvGeometry Geometry, Shape Columns, Shape Output)> _byBatchSize = [];
    private ConvGeometry _geometry;
    private ViewSlot _zView, _aView, _gradientView, _deltaView;

    /// <summary>Creates a Conv2D layer.</summary>
    /// <param name="filters">F, the number of output channels.</param>
    /// <param name="kernelSize">(kh, kw).</param>
    /// <param name="strides">(sh, sw); (1, 1) when null.</param>
    /// <param name="padding">"valid" or "same".</param>
    /// <param name="dilationRate">(dh, dw); (1, 1) when null.</param>
    /// <param name="activation">f (linear by default).</param>
    /// <param name="inputShape">(H, W, C); needed when this is the first layer (Keras <c>input_shape</c>).</param>
    /// <param name="useBias">Whether to add a bias per filter.</param>
    /// <param name="kernelInitializer">Defaults to glorot_uniform.</param>
    /// <param name="biasInitializer">Defaults to zeros.</param>
    /// <param name="kernelRegularizer">Optional L1/L2 penalty on K.</param>
    /// <param name="biasRegularizer">Optional L1/L2 penalty on b.</param>
    /// <param name="seed">Seed for the initializers (the network assigns one when null).</param>
    /// <param name="name">Layer name ("conv2d_1" etc. when null).</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, or strides and dilation both exceed 1.</exception>
    /// <exception cref="ArgumentException">The padding is neither "valid" nor "same".</exception>
    public Conv2D(int filters, (int Height, int Width) kernelSize, (int Height, int Width)? strides = null, string padding = "valid",
        (int Height, int Width)? dilationRate = null, ActivationFunction? activation = null, Shape? inputShape = null, bool useBias = true,
        Initializer? kernelInitializer = null, Initializer? biasInitializer = null,
        Regularizer? kernelRegularizer = null, Regularizer? biasRegularizer = null, int? seed = null, string? name = null)
        : base(name, inputShape)
    {
        if (filters <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(filters), $"Conv2D needs at least one filter, got {filters}");
        }
        Filters = filters;
        KernelSize = Window.Positive(kernelSize, nameof(kernelSize), "Conv2D kernel size");
        Strides = Window.Positive(strides ?? (1, 1), nameof(strides), "Conv2D strides");
        DilationRate = Window.Positive(dilationRate ?? (1, 1), nameof(dilationRate), "Conv2D dilation rate");
        if ((Strides.Height > 1 || Strides.Width > 1) && (DilationRate.Height > 1 || DilationRate.Width > 1))
        {
            throw new ArgumentOutOfRangeException(nameof(dilationRate),
                $"Conv2D: strides {Strides} together with dilation rate {DilationRate} is not supported (Keras 2 rejects strides > 1 with dilation > 1)");
        }
        Padding = Window.CheckPadding(padding, "Conv2D");
        Activation = activation ?? ActivationFunction.Linear;
        UseBias = useBias;
        _kernelInitializer = kernelInitializer;
        BiasInitializer = biasInitializer ?? new Constant(0);
        KernelRegularizer = kernelRegularizer;
        BiasRegularizer = biasRegularizer;
        Seed = seed;
    }

    /// <summary>Creates a Conv2D layer with a square kernel and a Keras activation name, e.g. <c>new Conv2D&lt;float&gt;(32, 3, "relu", inputShape: new Shape(28, 28, 1))</c>.</summary>
    public Conv2D(int filters, int kernelSize, string activation = "linear", Shape? inputShape = null, string padding = "valid", int strides = 1,
        int? seed = null, string? name = null)
        : this(filters, (kernelSize, kernelSize), (strides, strides), padding, activation: ActivationFunction.FromName(activation),
            inputShape: inputShape, seed: seed, name: name)
    {
    }

    /// <summary>F, the number of filters (output channels).</summary>
    public int Filters { get; }

    /// <summary>(kh, kw).</summary>
    public (int Height, int Width) KernelSize { get; }

    /// <summary>(sh, sw).</summary>
    public (int Height, int Width) Strides { get; }

    /// <summary>"valid" or "same".</summary>
    public string Padding { get; }

    /// <summary>(dh, dw).</summary>
    public (int Height, int Width) DilationRate { get; }

    /// <summary>The activation f.</summary>
    public ActivationFunction Activation { get; }

    /// <summary>Whether the layer has a bias.</summary>
    public bool UseBias { get; }

    private readonly Initializer? _kernelInitializer;

    /// <summary>Initializer of K: the one given, else the Keras profile's (glorot_uniform; glorot_normal in TensorFlow.js).</summary>
    public Initializer KernelInitializer => _kernelInitializer ?? Initializer.FromName(Keras.KernelInitializer);

    /// <summary>Initializer of b.</summary>
    public Initializer BiasInitializer { get; }

    /// <summary>Penalty on K.</summary>
    public Regularizer? KernelRegularizer { get; }

    /// <summary>Penalty on b.</summary>
    public Regularizer? BiasRegularizer { get; }

    /// <summary>K, shape (kh, kw, C, F) as in Keras.</summary>
    public Parameter<T> Kernel { get; private set; } = null!;

    /// <summary>b, shape (F,); null without bias.</summary>
    public Parameter<T>? Bias { get; private set; }

    /// <inheritdoc/>
    public override Shape ComputeOutputShape(Shape inputShape)
    {
        ConvGeometry g = Window.Geometry(this, inputShape, KernelSize, Strides, DilationRate, Padding);
        return new Shape(g.OutHeight, g.OutWidth, Filters);
    }

    /// <inheritdoc/>
    protected override void OnBuild(Shape inputShape)
    {
        Random random = CreateRandom();
        int channels = inputShape[2];
        Kernel = AddParameter("kernel", new Shape(KernelSize.Height, KernelSize.Width, channels, Filters), KernelInitializer, random,
            regularizer: KernelRegularizer);
        if (UseBias)
        {
            Bias = AddParameter("bias", new Shape(Filters), BiasInitializer, random, regularizer: BiasRegularizer);
        }
        // The kernel as the (kh·kw·C, F) matrix the GEMM reads: the same storage, so updates to one are the other.
        var matrix = new Shape(KernelSize.Height * KernelSize.Width * channels, Filters);
        _kernelMatrix = Kernel.Value.Reshape(matrix);
        _kernelGradientMatrix = Kernel.Gradient.Reshape(matrix);
        _filterShape = new Shape(Filters);
    }

    // z = patches(x) · K + b  (patches: (N·OH·OW, kh·kw·C), K: (kh·kw·C, F)),  a = f(z)
    /// <inheritdoc/>
    public override Tensor<T> Forward(Tensor<T> input, bool training)
    {
        CheckInput(input);
        _lastInput = input;
        if (!_byBatchSize.TryGetValue(input.Rows, out var sizes))
        {
            ConvGeometry g = Window.Geometry(input.Rows, InputShape!, KernelSize, Strides, DilationRate, Padding);
            _byBatchSize[input.Rows] = sizes = (g, g.ColumnsShape, OutputShape!.WithBatch(input.Rows));
        }
        (_geometry, Shape columnsShape, Shape outShape) = sizes;
        int pixels = _geometry.Batch * _geometry.OutHeight * _geometry.OutWidth;
        Tensor<T> columns = Buffer(ref _columns, columnsShape);
        Backend.Im2Col(input, _geometry, columns);
        Tensor<T> z = Buffer(ref _preActivation, outShape);
        Tensor<T> z2 = View(ref _zView, z, pixels, _filterShape);
        Backend.MatMul(columns, false, _kernelMatrix, false, z2, T.One, T.Zero);
        if (Bias is not null)
        {
            Backend.AddRowVector(z2, Bias.Value, z2);
        }
        if (Activation.IsLinear)
        {
            _output = z;
            return z;
        }
        // The activation runs on the (pixels, F) view, so a softmax normalises over the filters (Keras' last axis).
        Tensor<T> a = Buffer(ref _output, outShape);
        Activation.Forward(Backend, z2, View(ref _aView, a, pixels, _filterShape));
        return a;
    }

    /// <inheritdoc/>
    public override Tensor<T> Backward(Tensor<T> outputGradient) => Backpropagate(outputGradient, needInputGradient: true)!;

    /// <inheritdoc/>
    /// <remarks>Skips δ·Kᵀ and col2im (the input gradient).</remarks>
    public override void BackwardParametersOnly(Tensor<T> outputGradient) => Backpropagate(outputGradient, needInputGradient: false);

    /// <inheritdoc/>
    public override (ActivationFunction Activation, Tensor<T> Logits)? OutputLogits =>
        TagsLogits(Activation) && _preActivation is { } z ? (Activation, z) : null;

    /// <inheritdoc/>
    /// <remarks>δ = ∂J/∂z directly (tf.keras' cross-entropy from the logits).</remarks>
    public override Tensor<T>? BackwardFromLogits(Tensor<T> logitsGradient, bool needInputGradient) =>
        OutputLogits is null ? base.BackwardFromLogits(logitsGradient, needInputGradient) : Backpropagate(logitsGradient, needInputGradient, ofLogits: true);

    // δ = ∂J/∂a ⊙ f'(z);  ∂J/∂K = patchesᵀ · δ;  ∂J/∂b = Σ_pixels δ;  ∂J/∂x = col2im(δ · Kᵀ)
    private Tensor<T>? Backpropagate(Tensor<T> outputGradient, bool needInputGradient, bool ofLogits = false)
    {
        CheckBackward(_lastInput, outputGradient, _preActivation?.Shape ?? outputGradient.Shape);
        int pixels = _geometry.Batch * _geometry.OutHeight * _geometry.OutWidth;
        Tensor<T> delta = View(ref _gradientView, outputGradient, pixels, _filterShape);
        if (!Activation.IsLinear && !ofLogits)
        {
            Tensor<T> d = Buffer(ref _preActivationGradient, outputGradient.Shape);
            Tensor<T> d2 = View(ref _deltaView, d, pixels, _filterShape);
            Activation.Backward(Backend, View(ref _zView, _preActivation!, pixels, _filterShape),
                View(ref _aView, _output!, pixels, _filterShape), delta, d2);
            delta = d2;
        }
        Backend.MatMul(_columns!, true, delta, false, _kernelGradientMatrix, T.One, T.Zero);
        if (Bias is not null)
        {
            Backend.SumRows(delta, Bias.Gradient);
        }
        if (!needInputGradient)
        {
            return null;
        }
        Tensor<T> columnsGradient = Buffer(ref _columnsGradient, _columns!.Shape);
        Backend.MatMul(delta, false, _kernelMatrix, true, columnsGradient, T.One, T.Zero);
        Tensor<T> dx = Buffer(ref _inputGradient, _lastInput!.Shape);
        Backend.Col2Im(columnsGradient, _geometry, dx);
        return dx;
    }

    /// <inheritdoc/>
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["filters"] = Filters;
        c["kernel_size"] = new[] { KernelSize.Height, KernelSize.Width };
        c["strides"] = new[] { Strides.Height, Strides.Width };
        c["padding"] = Padding;
        c["data_format"] = "channels_last";
        c["dilation_rate"] = new[] { DilationRate.Height, DilationRate.Width };
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
