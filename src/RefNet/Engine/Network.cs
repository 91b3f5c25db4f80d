// Network: the slides' Network(inputDim, hiddenLayerDims, outputDim) and Keras' Sequential in one class.
// Forward propagation, backpropagation, Summary(), and the Compile/Fit/Evaluate/Predict training API.
using RefNet.Activations;
using System.Globalization;
using System.Numerics;
using System.Text;
using RefNet.Backends;
using RefNet.Conventions;
using RefNet.Layers;
using RefNet.Tensors;

namespace RefNet.Engine;

/// <summary>A stack of layers trained by backpropagation (Keras <c>Sequential</c>).</summary>
/// <typeparam name="T">float (Keras' default) or double.</typeparam>
public partial class Network<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly List<Layer<T>> _layers = [];
    private readonly Dictionary<string, int> _nameCounters = new();
    private readonly HashSet<Layer<T>> _members = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private List<Parameter<T>>? _parameters;

    /// <summary>An empty network; add layers with <see cref="Add"/>.</summary>
    /// <param name="backend">Backend for every layer (CPU when null).</param>
    /// <param name="seed">Seed from which each layer's seed is derived (layer i gets seed + i when it has none).</param>
    /// <param name="keras">The Keras version whose defaults and conventions apply (<see cref="KerasProfile.Default"/>, Keras 2.3.1, when null).</param>
    public Network(IBackend<T>? backend = null, int seed = 0, KerasProfile? keras = null)
    {
        Backend = backend ?? CpuBackend<T>.Instance;
        Seed = seed;
        _keras = keras ?? KerasProfile.Default;
    }

    private KerasProfile _keras;

    /// <summary>The Keras profile: its defaults fill every argument left unspecified in the layers (when they are added), the
    /// optimizer and the loss (when compiled).</summary>
    /// <exception cref="InvalidOperationException">Set to another profile after layers were added (their defaults are fixed
    /// when they are built: construct the network with <c>keras:</c> instead).</exception>
    public KerasProfile Keras
    {
        get => _keras;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            if (!ReferenceEquals(value, _keras) && _layers.Count > 0)
            {
                throw new InvalidOperationException(
                    $"The network's layers were built under the {_keras} profile; set {value} before adding layers (e.g. new Sequential<float>(keras: ...))");
            }
            _keras = value;
            // A compiled network's optimizer and loss follow (Compile gave them the old profile).
            if (Optimizer is not null)
            {
                Optimizer.Keras = value;
            }
            if (Loss is not null)
            {
                Loss.Keras = value;
            }
        }
    }

    /// <summary>The slides' network: sigmoid Dense layers inputDim → hidden... → outputDim.</summary>
    /// <param name="inputDim">Number of input features.</param>
    /// <param name="hiddenLayerDims">Width of each hidden layer, in order.</param>
    /// <param name="outputDim">Number of outputs (1 for a binary classifier).</param>
    /// <param name="backend">Backend (CPU when null).</param>
    /// <param name="seed">Initialisation seed.</param>
    public Network(int inputDim, int[] hiddenLayerDims, int outputDim = 1, IBackend<T>? backend = null, int seed = 0)
        : this(backend, seed)
    {
        ArgumentNullException.ThrowIfNull(hiddenLayerDims);
        int nPrev = inputDim;
        foreach (int nOut in hiddenLayerDims.Append(outputDim))
        {
            // Slides: Layer(nPrev, nOut) with sigmoid activations.
            Add(new Dense<T>(nOut, ActivationFunction.Sigmoid, inputDim: nPrev));
            nPrev = nOut;
        }
    }

    /// <summary>The backend every layer runs on.</summary>
    public IBackend<T> Backend { get; }

    /// <summary>Seed used for layers without their own.</summary>
    public int Seed { get; }

    /// <summary>The layers in order (Layers[0] is slide layer 1).</summary>
    public IReadOnlyList<Layer<T>> Layers => _layers;

    /// <summary>Input shape without batch (from the first layer).</summary>
    public Shape? InputShape => _layers.Count == 0 ? null : _layers[0].InputShape;

    /// <summary>Output shape without batch (from the last layer).</summary>
    public Shape? OutputShape => _layers.Count == 0 ? null : _layers[^1].OutputShape;

    /// <summary>Every parameter of every layer.</summary>
    /// <remarks>A list cached until the next <see cref="Add"/>, so iterating it in the training loop allocates nothing.</remarks>
    public IReadOnlyList<Parameter<T>> Parameters => _parameters ??= _layers.SelectMany(l => l.Parameters).ToList();

    /// <summary>SHA-256 (lower-case hex) of every parameter's values in order, as raw little-endian bytes.</summary>
    /// <remarks>A fingerprint for "bitwise the same weights": equal hashes mean equal weights bit for bit.</remarks>
    public string WeightsHash()
    {
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (Parameter<T> p in Parameters)
        {
            T[] values = p.Value.ToArray();
            sha.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>Appends a layer and builds it (Keras builds as soon as the input shape is known).</summary>
    /// <exception cref="ArgumentException">The first layer has no input shape, or shapes do not fit.</exception>
    public Network<T> Add(Layer<T> layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (_members.Contains(layer))
        {
            throw new ArgumentException($"Layer '{layer.Name}' is already in this network", nameof(layer));
        }
        if (layer.Name is { } given && _names.Contains(given))
        {
            throw new ArgumentException($"Layer name '{given}' is already used in this network (layer {_layers.FindIndex(l => l.Name == given)}); " +
                "Keras requires unique layer names", nameof(layer));
        }
        Shape input = _layers.Count == 0
            ? layer.DeclaredInputShape ?? throw new ArgumentException(
                $"The first layer ({layer.TypeName}) needs an input shape, e.g. new Dense<float>(10, inputDim: 20)", nameof(layer))
            : _layers[^1].OutputShape!;
        if (_layers.Count > 0 && layer.DeclaredInputShape is { } declared && declared != input)
        {
            throw new ShapeMismatchException($"{layer.TypeName} '{layer.Name ?? "(unnamed)"}' declares its input shape, but the layer before it " +
                $"('{_layers[^1].Name}') outputs {input}", input.ToString(), declared);
        }
        // Backend and profile first: a layer built elsewhere is refused before anything about it changes.
        layer.UseBackend(Backend);
        layer.UseProfile(Keras);
        if (layer.Name is null)
        {
            string baseName = ToSnakeCase(layer.TypeName);
            int n = _nameCounters.GetValueOrDefault(baseName) + 1;
            while (_names.Contains($"{baseName}_{n}"))
            {
                n++; // a name the user gave a layer is not handed out again
            }
            _nameCounters[baseName] = n;
            layer.Name = $"{baseName}_{n}";
        }
        layer.Seed ??= Seed + _layers.Count;
        layer.Build(input);
        _layers.Add(layer);
        _members.Add(layer);
        _names.Add(layer.Name);
        _parameters = null;
        // The batch buffers of Fit/Evaluate/Predict have the old output shape.
        _batchBuffers.Clear();
        return this;
    }

    /// <summary>Forward propagation through every layer.</summary>
    /// <param name="input">Shape (batch, ...InputShape), on this network's backend.</param>
    /// <param name="training">True while training (dropout active).</param>
    /// <returns>The last layer's output (owned by that layer; copy it to keep it).</returns>
    public Tensor<T> Forward(Tensor<T> input, bool training = false)
    {
        if (_layers.Count == 0)
        {
            throw new InvalidOperationException("The network has no layers");
        }
        Tensor<T> a = input;
        foreach (Layer<T> layer in _layers)
        {
            a = layer.Forward(a, training);
        }
        return a;
    }

    /// <summary>Backpropagation from ∂J/∂output through every layer; fills all parameter gradients.</summary>
    /// <returns>∂J/∂input.</returns>
    /// <param name="outputGradient">∂J/∂output, or ∂J/∂(the last layer's logits) with <paramref name="ofLogits"/>.</param>
    /// <param name="ofLogits">The gradient is of <see cref="Layer{T}.OutputLogits"/> (see <see cref="LossInput"/>).</param>
    public Tensor<T> Backward(Tensor<T> outputGradient, bool ofLogits = false)
    {
        Tensor<T> delta = outputGradient;
        int last = _layers.Count - 1;
        if (ofLogits)
        {
            delta = _layers[last].BackwardFromLogits(delta, needInputGradient: true)!;
            last--;
        }
        for (int i = last; i >= 0; i--)
        {
            delta = _layers[i].Backward(delta);
        }
        return delta;
    }

    /// <summary>Backpropagation for a training step: fills every parameter gradient but lets the first layer
    /// skip ∂J/∂input, which nothing uses (Keras/TensorFlow do not compute it either).</summary>
    /// <param name="outputGradient">∂J/∂output, or ∂J/∂(the last layer's logits) with <paramref name="ofLogits"/>.</param>
    /// <param name="ofLogits">The gradient is of <see cref="Layer{T}.OutputLogits"/> (see <see cref="LossInput"/>).</param>
    public void BackwardForTraining(Tensor<T> outputGradient, bool ofLogits = false)
    {
        Tensor<T> delta = outputGradient;
        int last = _layers.Count - 1;
        if (ofLogits)
        {
            Tensor<T>? d = _layers[last].BackwardFromLogits(delta, needInputGradient: last > 0);
            if (last == 0)
            {
                return;
            }
            delta = d!;
            last--;
        }
        for (int i = last; i >= 1; i--)
        {
            delta = _layers[i].Backward(delta);
        }
        _layers[0].BackwardParametersOnly(delta);
    }

    /// <summary>Total number of parameters.</summary>
    public int CountParameters() => _layers.Sum(l => l.CountParameters());

    /// <summary>The Keras 2 summary table as one string (lines separated by '\n').</summary>
    public string Summary()
    {
        var sb = new StringBuilder();
        Summary(line => sb.Append(line).Append('\n'));
        return sb.ToString();
    }

    /// <summary>Writes the Keras 2.0.8 summary table line by line (Keras' <c>print_fn</c>).</summary>
    /// <remarks>65 columns; column stops at 29, 55, 65; each field truncated to its column, and rows padded with spaces.</remarks>
    public void Summary(Action<string> printLine)
    {
        ArgumentNullException.ThrowIfNull(printLine);
        const int lineLength = 65;
        int[] positions = [29, 55, 65];
        printLine(new string('_', lineLength));
        printLine(Row(["Layer (type)", "Output Shape", "Param #"], positions));
        printLine(new string('=', lineLength));
        for (int i = 0; i < _layers.Count; i++)
        {
            Layer<T> l = _layers[i];
            printLine(Row([$"{l.Name} ({l.TypeName})", l.OutputShape!.ToKerasString(), l.CountParameters().ToString(CultureInfo.InvariantCulture)], positions));
            printLine(new string(i == _layers.Count - 1 ? '=' : '_', lineLength));
        }
        long trainable = _layers.SelectMany(l => l.TrainableParameters).Sum(p => (long)p.Count);
        long frozen = _layers.SelectMany(l => l.NonTrainableParameters).Sum(p => (long)p.Count);
        printLine($"Total params: {(trainable + frozen).ToString("N0", CultureInfo.InvariantCulture)}");
        printLine($"Trainable params: {trainable.ToString("N0", CultureInfo.InvariantCulture)}");
        printLine($"Non-trainable params: {frozen.ToString("N0", CultureInfo.InvariantCulture)}");
        printLine(new string('_', lineLength));
    }

    // Keras print_row: before each field after the first, the line's last character becomes a space;
    // the field is appended, the line cut to the column stop and padded with spaces up to it.
    private static string Row(string[] fields, int[] positions)
    {
        string line = string.Empty;
        for (int i = 0; i < fields.Length; i++)
        {
            if (i > 0)
            {
                line = line[..^1] + " ";
            }
            line += fields[i];
            if (line.Length > positions[i])
            {
                line = line[..positions[i]];
            }
            line = line.PadRight(positions[i]);
        }
        return line;
    }

    /// <summary>Keras' default layer-name stem: "SimpleRNN" → "simple_rnn", "Conv2D" → "conv2d".</summary>
    internal static string ToSnakeCase(string typeName)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < typeName.Length; i++)
        {
            char c = typeName[i];
            if (char.IsUpper(c) && i > 0 && (char.IsLower(typeName[i - 1]) || (i + 1 < typeName.Length && char.IsLower(typeName[i + 1]))))
            {
                sb.Append('_');
            }
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }
}

/// <summary>Keras' name for <see cref="Network{T}"/>.</summary>
public sealed class Sequential<T> : Network<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>An empty model.</summary>
    /// <param name="backend">Backend for every layer (CPU when null).</param>
    /// <param name="seed">Seed from which each layer's seed is derived.</param>
    /// <param name="keras">The Keras version whose defaults apply (Keras 2.3.1 when null).</param>
    public Sequential(IBackend<T>? backend = null, int seed = 0, KerasProfile? keras = null)
        : base(backend, seed, keras)
    {
    }
}
