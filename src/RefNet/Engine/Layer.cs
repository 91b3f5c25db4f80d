// The layer contract, declared once: Build, Forward, Backward, ComputeOutputShape, GetConfig.
// Every layer in RefNet derives from Layer<T> and touches memory only through its Backend.
using System.Numerics;
using RefNet.Backends;
using RefNet.Conventions;
using RefNet.Initializers;
using RefNet.Tensors;

namespace RefNet.Engine;

/// <summary>A differentiable layer: forward propagation, backpropagation and its parameters.</summary>
/// <typeparam name="T">float or double.</typeparam>
/// <remarks>
/// Keras equivalent: <c>keras.layers.Layer</c> (<c>build</c>, <c>call</c>, <c>compute_output_shape</c>,
/// <c>get_config</c>). Shapes given to <see cref="Build"/> and returned by
/// <see cref="ComputeOutputShape"/> leave the batch dimension out; tensors always include it.
/// <para>Buffers: the tensor returned by <see cref="Forward"/> or <see cref="Backward"/> is owned by the
/// layer and reused by the next call with the same batch size. Copy it if you need to keep it.</para>
/// </remarks>
public abstract class Layer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly List<Parameter<T>> _parameters = [];
    private readonly Dictionary<(Tensor<T> Current, Shape Wanted), Tensor<T>> _otherBatchSizes = new();

    /// <summary>Creates a layer.</summary>
    /// <param name="name">Keras-style name; the network assigns "dense_1" etc. when null.</param>
    /// <param name="inputShape">Declared input shape without batch (Keras <c>input_shape</c>); needed on the first layer only.</param>
    protected Layer(string? name, Shape? inputShape)
    {
        Name = name;
        DeclaredInputShape = inputShape;
    }

    /// <summary>The layer's name (assigned by the network if not given).</summary>
    public string? Name { get; internal set; }

    /// <summary>Keras class name shown by Summary, e.g. "Dense".</summary>
    public virtual string TypeName => GetType().Name.Split('`')[0];

    /// <summary>The input shape declared at construction (without batch), if any.</summary>
    public Shape? DeclaredInputShape { get; }

    /// <summary>Input shape without batch; set by <see cref="Build"/>.</summary>
    public Shape? InputShape { get; private set; }

    /// <summary>Output shape without batch; set by <see cref="Build"/>.</summary>
    public Shape? OutputShape { get; private set; }

    /// <summary>True once <see cref="Build"/> ran.</summary>
    public bool IsBuilt => InputShape is not null;

    /// <summary>The backend every operation runs on (CPU by default).</summary>
    public IBackend<T> Backend { get; private set; } = CpuBackend<T>.Instance;

    /// <summary>Seed for this layer's random choices (initializers, dropout); assigned by the network if null.</summary>
    public int? Seed { get; set; }

    /// <summary>All parameters, trainable first then non-trainable, in creation order.</summary>
    public IReadOnlyList<Parameter<T>> Parameters => _parameters;

    /// <summary>Parameters optimizers update.</summary>
    public IEnumerable<Parameter<T>> TrainableParameters => _parameters.Where(p => p.Trainable);

    /// <summary>Parameters excluded from training.</summary>
    public IEnumerable<Parameter<T>> NonTrainableParameters => _parameters.Where(p => !p.Trainable);

    /// <summary>Number of scalars in all parameters.</summary>
    public int CountParameters() => _parameters.Sum(p => p.Count);

    /// <summary>Attaches a backend; call before <see cref="Build"/>.</summary>
    public void UseBackend(IBackend<T> backend)
    {
        if (IsBuilt && !ReferenceEquals(backend, Backend))
        {
            throw new InvalidOperationException($"Layer '{Name}' is already built on backend '{Backend.Name}'");
        }
        Backend = backend;
    }

    /// <summary>The Keras profile whose defaults fill the arguments left unspecified (recurrent activation, GRU reset_after,
    /// BatchNormalization's moving-variance rule, RNN initializers); <see cref="KerasProfile.Default"/> unless the network sets it.</summary>
    public KerasProfile Keras { get; private set; } = KerasProfile.Default;

    /// <summary>Sets <see cref="Keras"/>; call before <see cref="Build"/> (the network does, from its own profile).</summary>
    /// <exception cref="InvalidOperationException">The layer is already built under another profile.</exception>
    public void UseProfile(KerasProfile keras)
    {
        ArgumentNullException.ThrowIfNull(keras);
        if (IsBuilt && !ReferenceEquals(keras, Keras))
        {
            throw new InvalidOperationException($"Layer '{Name}' is already built under the {Keras} profile; its defaults cannot change to {keras}'s");
        }
        Keras = keras;
    }

    /// <summary>Keras' <c>_keras_logits</c>: when this layer ends in softmax or sigmoid, that activation and the pre-activation
    /// z of the latest forward pass (shaped as the output); null otherwise. Under a profile whose cross-entropy uses the
    /// logits after such a layer (tf.keras 2.x), the network computes the loss from z, unclipped.</summary>
    public virtual (Activations.ActivationFunction Activation, Tensor<T> Logits)? OutputLogits => null;

    /// <summary>Backpropagation from ∂J/∂z, the gradient of <see cref="OutputLogits"/>: the activation's own derivative is skipped.</summary>
    /// <param name="logitsGradient">∂J/∂z, shaped as the output.</param>
    /// <param name="needInputGradient">False to skip ∂J/∂input (the first layer of a training step).</param>
    /// <returns>∂J/∂input, or null when it was not needed.</returns>
    /// <exception cref="NotSupportedException">The layer has no logits (<see cref="OutputLogits"/> is null).</exception>
    public virtual Tensor<T>? BackwardFromLogits(Tensor<T> logitsGradient, bool needInputGradient) =>
        throw new NotSupportedException($"{TypeName} '{Name}' has no logits output (it does not end in softmax or sigmoid)");

    /// <summary>Whether <paramref name="f"/> is an activation Keras tags with <c>_keras_logits</c> (softmax, sigmoid).</summary>
    protected static bool TagsLogits(Activations.ActivationFunction f) => f is Activations.Softmax or Activations.Sigmoid;

    /// <summary>Whether ∂J/∂input is defined (false for Embedding, whose inputs are indices; its Backward returns zeros).</summary>
    /// <remarks>The gradient checker skips the input of such a layer.</remarks>
    public virtual bool HasInputGradient => true;

    /// <summary>Creates the parameters for an input of <paramref name="inputShape"/> (without batch).</summary>
    /// <exception cref="ShapeMismatchException">The input shape does not suit this layer.</exception>
    public void Build(Shape inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        if (IsBuilt)
        {
            ShapeMismatchException.ThrowIfDifferent($"{TypeName} '{Name}' was built for input", InputShape!, inputShape);
            return;
        }
        OutputShape = ComputeOutputShape(inputShape);
        OnBuild(inputShape);
        InputShape = inputShape;
    }

    /// <summary>Creates parameters; override in layers that have them.</summary>
    protected virtual void OnBuild(Shape inputShape)
    {
    }

    /// <summary>Output shape (without batch) for an input shape (without batch).</summary>
    public virtual Shape ComputeOutputShape(Shape inputShape) => inputShape;

    /// <summary>Forward propagation of a batch.</summary>
    /// <param name="input">Shape (batch, ...InputShape).</param>
    /// <param name="training">True during <c>Fit</c> (dropout active), false for inference.</param>
    public abstract Tensor<T> Forward(Tensor<T> input, bool training);

    /// <summary>Backpropagation: given ∂J/∂output, fills every parameter's gradient and returns ∂J/∂input.</summary>
    /// <exception cref="InvalidOperationException">Called before <see cref="Forward"/>.</exception>
    public abstract Tensor<T> Backward(Tensor<T> outputGradient);

    /// <summary>Backpropagation when ∂J/∂input is not needed (the first layer in <c>Fit</c>): fills the parameter
    /// gradients exactly as <c>Backward</c> does; a layer may skip computing ∂J/∂input. The default calls <c>Backward</c>.</summary>
    /// <param name="outputGradient">∂J/∂output.</param>
    public virtual void BackwardParametersOnly(Tensor<T> outputGradient) => Backward(outputGradient);

    /// <summary>Keras-style configuration (constructor arguments) for serialization.</summary>
    /// <remarks>Values are null, bool, numbers, strings, int[]/double[], <see cref="Initializer"/> or
    /// <see cref="Regularizers.Regularizer"/>; <see cref="Serialization.ModelConfig"/> writes them as Keras JSON.</remarks>
    public virtual Dictionary<string, object?> GetConfig() => new()
    {
        ["name"] = Name,
        ["input_shape"] = DeclaredInputShape?.ToArray(),
    };

    /// <summary>Creates and registers a parameter filled by <paramref name="initializer"/>.</summary>
    protected Parameter<T> AddParameter(string name, Shape shape, Initializer initializer, Random random,
        bool trainable = true, Regularizers.Regularizer? regularizer = null)
    {
        var values = new double[shape.Length];
        initializer.Fill(values, shape.ToArray(), random);
        var host = new T[values.Length];
        for (int i = 0; i < host.Length; i++)
        {
            host[i] = T.CreateChecked(values[i]);
        }
        Tensor<T> value = Backend.Allocate(shape);
        Backend.CopyFromHost(host, value);
        var p = new Parameter<T>($"{Name}/{name}", value, Backend.Allocate(shape), trainable, regularizer);
        _parameters.Add(p);
        return p;
    }

    /// <summary>Makes a built inner layer's parameters this layer's own (a wrapper such as TimeDistributed).</summary>
    protected void AdoptParameters(Layer<T> inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _parameters.AddRange(inner.Parameters);
    }

    /// <summary>A seeded generator for this layer's initializers.</summary>
    protected Random CreateRandom() => new(Seed ?? 0);

    /// <summary>Returns <paramref name="slot"/> if it already has <paramref name="shape"/>, else puts a buffer of that shape there.</summary>
    /// <remarks>Buffers are kept per batch size: when the shape changes (e.g. the last, smaller batch of an epoch)
    /// the previous buffer is remembered, and switching back reuses it, so a training loop allocates nothing
    /// after its first epoch.</remarks>
    protected Tensor<T> Buffer(ref Tensor<T>? slot, Shape shape)
    {
        if (slot is null)
        {
            slot = Backend.Allocate(shape);
        }
        else if (slot.Shape != shape)
        {
            // Buffers of one slot are linked to each other: (current buffer, wanted shape) → that slot's buffer of the shape.
            if (!_otherBatchSizes.TryGetValue((slot, shape), out Tensor<T>? other))
            {
                other = Backend.Allocate(shape);
                _otherBatchSizes[(slot, shape)] = other;
                _otherBatchSizes[(other, slot.Shape)] = slot;
            }
            slot = other;
        }
        return slot;
    }

    /// <summary>
    /// A view of <paramref name="source"/>'s storage with shape (<paramref name="rows"/>, ...<paramref name="rowShape"/>),
    /// e.g. a convolution's (N, OH, OW, F) output read as the (N·OH·OW, F) matrix its GEMM writes.
    /// </summary>
    /// <remarks>The slot remembers the last two views made at one place, so a training loop (two batch sizes) makes
    /// no new view after its first epoch. Views share storage: writing one writes the other.</remarks>
    protected static Tensor<T> View(ref ViewSlot slot, Tensor<T> source, int rows, Shape rowShape)
    {
        if (Matches(slot.Last, source, rows, rowShape))
        {
            return slot.Last!;
        }
        if (Matches(slot.Previous, source, rows, rowShape))
        {
            (slot.Last, slot.Previous) = (slot.Previous, slot.Last);
            return slot.Last!;
        }
        Tensor<T> view = source.Reshape(rowShape.WithBatch(rows));
        (slot.Previous, slot.Last) = (slot.Last, view);
        return view;

        static bool Matches(Tensor<T>? view, Tensor<T> source, int rows, Shape rowShape) =>
            view is not null && ReferenceEquals(view.Storage, source.Storage) && view.Rows == rows
            && view.Shape.Dims[1..].SequenceEqual(rowShape.Dims);
    }

    /// <summary>The last two views <see cref="View"/> made at one place in a layer.</summary>
    protected struct ViewSlot
    {
        internal Tensor<T>? Last;
        internal Tensor<T>? Previous;
    }

    /// <summary>Throws unless <paramref name="input"/> is (batch, ...InputShape).</summary>
    protected void CheckInput(Tensor<T> input)
    {
        if (!IsBuilt)
        {
            throw new InvalidOperationException($"{TypeName} '{Name}' is not built; add it to a network or call Build first");
        }
        // Compares the dimensions after the batch without allocating (this runs on every batch).
        if (input.Shape.Rank != InputShape!.Rank + 1 || !input.Shape.Dims[1..].SequenceEqual(InputShape.Dims))
        {
            string expected = "(*, " + string.Join(", ", InputShape.ToArray()) + ")";
            throw new ShapeMismatchException($"{TypeName} '{Name}' input", expected, input.Shape);
        }
    }

    /// <summary>Throws if <paramref name="cached"/> is null (Backward before Forward) or has another shape than the gradient.</summary>
    protected void CheckBackward(Tensor<T>? cached, Tensor<T> outputGradient, Shape expectedGradient)
    {
        if (cached is null)
        {
            throw new InvalidOperationException($"{TypeName} '{Name}': Backward called before Forward");
        }
        if (expectedGradient != outputGradient.Shape)
        {
            ShapeMismatchException.ThrowIfDifferent($"{TypeName} '{Name}' output gradient", expectedGradient, outputGradient.Shape);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({TypeName})";

    /// <summary>Copies of this layer's weights with their shapes, in the order Keras lists them (kernel, recurrent kernel,
    /// bias; BatchNormalization: gamma, beta, moving mean, moving variance) — Keras <c>layer.get_weights()</c>.</summary>
    public Tensor<T>[] GetWeights() => [.. _parameters.Select(p => Tensor<T>.FromArray(p.Value.Shape, p.Value.ToArray()))];

    /// <summary>Overwrites this layer's weights (Keras <c>layer.set_weights</c>): the count and every shape are checked first,
    /// so nothing changes when one does not fit (a transposed kernel is refused naming the weight and both shapes).</summary>
    /// <exception cref="ArgumentException">Wrong number of tensors, or the layer is not built.</exception>
    /// <exception cref="ShapeMismatchException">A shape differs.</exception>
    public void SetWeights(IReadOnlyList<Tensor<T>> weights) => SetWeightsChecked(Backend, _parameters, weights,
        $"{TypeName} '{Name}' has {_parameters.Count} weights ({string.Join(", ", _parameters.Select(p => $"{p.Name} {p.Value.Shape}"))})",
        i => $"{TypeName} '{Name}' weight '{_parameters[i].Name}'");

    /// <summary>The one check-then-copy of <see cref="SetWeights"/> and <see cref="Network{T}.SetWeights(IReadOnlyList{Tensor{T}})"/>:
    /// the count and every shape first, then the values, so nothing changes when one does not fit.</summary>
    internal static void SetWeightsChecked(IBackend<T> backend, IReadOnlyList<Parameter<T>> parameters, IReadOnlyList<Tensor<T>> weights,
        string owner, Func<int, string> weightName)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Count != parameters.Count)
        {
            throw new ArgumentException($"{owner}, got {weights.Count}", nameof(weights));
        }
        for (int i = 0; i < weights.Count; i++)
        {
            ArgumentNullException.ThrowIfNull(weights[i], $"weights[{i}]");
            if (weights[i].Shape != parameters[i].Value.Shape)
            {
                throw new ShapeMismatchException(weightName(i), parameters[i].Value.Shape.ToString(), weights[i].Shape);
            }
        }
        for (int i = 0; i < weights.Count; i++)
        {
            backend.CopyFromHost(weights[i].ToArray(), parameters[i].Value);
        }
    }

    /// <summary>What the layer remembers between training steps besides its parameters (Dropout's mask step,
    /// BatchNormalization's zero-debias shadows and step count), or null when nothing: saved with the training state so
    /// that a resumed run continues exactly (<see cref="Network{T}.Save"/>).</summary>
    public virtual LayerState<T>? GetTrainingState() => null;

    /// <summary>Restores what <see cref="GetTrainingState"/> gave.</summary>
    /// <exception cref="ArgumentException">A counter or tensor the layer does not have, or a tensor of the wrong length.</exception>
    public virtual void RestoreTrainingState(LayerState<T> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Counters.Count > 0 || state.Tensors.Count > 0)
        {
            throw new ArgumentException($"{TypeName} '{Name}' keeps no training state, but one was given", nameof(state));
        }
    }
}

/// <summary>A layer's training state besides its parameters: named counters and named host tensors.</summary>
/// <typeparam name="T">float or double.</typeparam>
/// <param name="Counters">Step counters, e.g. "step".</param>
/// <param name="Tensors">Host copies of state tensors, e.g. "biased_mean".</param>
public sealed record LayerState<T>(IReadOnlyDictionary<string, ulong> Counters, IReadOnlyDictionary<string, T[]> Tensors)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The counter <paramref name="name"/>; throws naming the layer when missing.</summary>
    /// <exception cref="ArgumentException">Missing.</exception>
    public ulong Counter(string name, string layer) =>
        Counters.TryGetValue(name, out ulong v) ? v : throw new ArgumentException($"the training state of '{layer}' has no counter '{name}'");
}
