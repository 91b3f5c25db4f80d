// The recurrent layer base: the time loop, the whole-sequence input projection and backpropagation through time.
// Each cell (SimpleRNN, LSTM, GRU) writes its own step formulas in its own file; this file holds what they share.
using System.Numerics;
using RefNet.Activations;
using RefNet.Backends;
using RefNet.Engine;
using RefNet.Initializers;
using RefNet.Regularizers;
using RefNet.Tensors;

namespace RefNet.Layers;

/// <summary>A recurrent layer over (batch, timesteps, features) input (Keras 2 <c>RNN</c> with one cell).</summary>
/// <typeparam name="T">float or double.</typeparam>
/// <remarks>
/// <para>Weights follow Keras: <c>kernel</c> W (features, G·units), <c>recurrent_kernel</c> U (units, G·units) and
/// <c>bias</c> (G·units), the G gate blocks side by side in the cell's order (LSTM i, f, c, o; GRU z, r, h).</para>
/// <para>Forward: the input part of every step, x_t·W + b, is one product for the whole sequence
/// (the (batch·timesteps, features) matrix times W); the loop then adds h_{t−1}·U step by step, as Keras'
/// <c>implementation=2</c>, cuDNN and oneDNN do. The initial state is zero. With <c>goBackwards</c> the steps run
/// t = T−1 … 0 and, as in Keras 2, the returned sequence is in processing order (not reversed back).</para>
/// <para>Backward (BPTT): the steps run in reverse; each step's ∂J/∂h is the output gradient of that step (all steps
/// with <c>returnSequences</c>, the last one otherwise) plus the gradient flowing back from the next step.
/// The cell accumulates ∂J/∂U over the steps; ∂J/∂W = Xᵀ·∂J/∂(XW), ∂J/∂b = Σ rows of ∂J/∂(XW) and
/// ∂J/∂X = ∂J/∂(XW)·Wᵀ are again whole-sequence products.</para>
/// <para>Not implemented (rejected when read from a Keras config): dropout, recurrent_dropout, stateful, and
/// return_state; the final state is available as <see cref="FinalState"/> after a forward pass.</para>
/// </remarks>
public abstract class Recurrent<T> : Layer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private Tensor<T>? _lastInput, _projection, _sequence, _zeroState, _dProjection, _dh, _dhA, _dhB, _inputGradient;
    private Tensor<T>?[] _steps = [];
    private Tensor<T>[] _states = [];
    private Tensor<T>? _dSteps;
    private ViewSlot _xView, _pView, _seqView, _dSeqView, _dpView, _dxView;

    /// <summary>Creates the layer; the cell passes its gate count.</summary>
    protected Recurrent(int units, int gates, ActivationFunction? activation, bool returnSequences, bool goBackwards, bool useBias,
        Initializer? kernelInitializer, Initializer? recurrentInitializer, Initializer? biasInitializer,
        Regularizer? kernelRegularizer, Regularizer? recurrentRegularizer, Regularizer? biasRegularizer,
        int? seed, string? name, Shape? inputShape)
        : base(name, inputShape)
    {
        if (units <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(units), $"{GetType().Name.Split('`')[0]} needs at least one unit, got {units}");
        }
        Units = units;
        Gates = gates;
        Activation = activation ?? ActivationFunction.Tanh;
        ReturnSequences = returnSequences;
        GoBackwards = goBackwards;
        UseBias = useBias;
        _kernelInitializer = kernelInitializer;
        RecurrentInitializer = recurrentInitializer ?? new Orthogonal();
        BiasInitializer = biasInitializer ?? new Constant(0);
        KernelRegularizer = kernelRegularizer;
        RecurrentRegularizer = recurrentRegularizer;
        BiasRegularizer = biasRegularizer;
        Seed = seed;
    }

    /// <summary>Size of the hidden state h.</summary>
    public int Units { get; }

    /// <summary>Number of gate blocks in the kernels (SimpleRNN 1, GRU 3, LSTM 4).</summary>
    public int Gates { get; }

    /// <summary>The output activation (tanh by default).</summary>
    public ActivationFunction Activation { get; }

    /// <summary>True: output every step's h, (batch, timesteps, units); false: the last h, (batch, units).</summary>
    public bool ReturnSequences { get; }

    /// <summary>Process the sequence from its last step to its first.</summary>
    public bool GoBackwards { get; }

    /// <summary>Whether the layer has a bias.</summary>
    public bool UseBias { get; }

    private readonly Initializer? _kernelInitializer;

    /// <summary>Initializer of W: the one given, else the profile's (glorot_uniform; glorot_normal in TensorFlow.js).</summary>
    public Initializer KernelInitializer => _kernelInitializer ?? Initializer.FromName(Keras.KernelInitializer);

    /// <summary>Initializer of U (orthogonal).</summary>
    public Initializer RecurrentInitializer { get; }

    /// <summary>Initializer of b (zeros).</summary>
    public Initializer BiasInitializer { get; }

    /// <summary>Penalty on W.</summary>
    public Regularizer? KernelRegularizer { get; }

    /// <summary>Penalty on U.</summary>
    public Regularizer? RecurrentRegularizer { get; }

    /// <summary>Penalty on b.</summary>
    public Regularizer? BiasRegularizer { get; }

    /// <summary>W, (features, gates·units).</summary>
    public Parameter<T> Kernel { get; private set; } = null!;

    /// <summary>U, (units, gates·units).</summary>
    public Parameter<T> RecurrentKernel { get; private set; } = null!;

    /// <summary>b, (gates·units) (GRU with resetAfter: (2, gates·units)); null without bias.</summary>
    public Parameter<T>? Bias { get; private set; }

    /// <summary>Number of time steps T (from the input shape).</summary>
    public int Timesteps => InputShape?[0] ?? 0;

    /// <summary>h after the last processed step of the latest forward pass, (batch, units) (Keras' return_state h).</summary>
    public Tensor<T>? FinalState { get; private set; }

    private (Conventions.KerasProfile Profile, ActivationFunction Activation)? _profileRecurrent;

    /// <summary>The profile's default recurrent activation (LSTM, GRU), looked up once per profile.</summary>
    protected ActivationFunction ProfileRecurrentActivation()
    {
        if (_profileRecurrent is not { } cached || !ReferenceEquals(cached.Profile, Keras))
        {
            _profileRecurrent = cached = (Keras, ActivationFunction.FromName(Keras.RecurrentActivation));
        }
        return cached.Activation;
    }

    /// <summary>The bias shape (GRU with resetAfter overrides it).</summary>
    protected virtual Shape BiasShape => new(Gates * Units);

    /// <summary>The bias initializer as applied (LSTM's unitForgetBias overrides it).</summary>
    protected virtual Initializer EffectiveBiasInitializer => BiasInitializer;

    /// <inheritdoc/>
    public override Shape ComputeOutputShape(Shape inputShape)
    {
        if (inputShape.Rank != 2)
        {
            throw new ShapeMismatchException($"{TypeName} '{Name}' input (sequences are (batch, timesteps, features))", "(timesteps, features)",
                inputShape);
        }
        if (inputShape[0] == 0)
        {
            // Keras has no empty sequences: K.rnn reads the output of step T − 1 (output_ta.read(last_time − 1)), which
            // fails at T = 0 (keras/backend/tensorflow_backend.py, tags 2.0.8–2.3.1; tf.keras backend.rnn alike).
            throw new ShapeMismatchException($"{TypeName} '{Name}' input (a recurrent layer needs at least one time step, as in Keras)",
                "(timesteps ≥ 1, features)", inputShape);
        }
        return ReturnSequences ? new Shape(inputShape[0], Units) : new Shape(Units);
    }

    /// <inheritdoc/>
    protected override void OnBuild(Shape inputShape)
    {
        Random random = CreateRandom();
        // Keras builds kernel, recurrent kernel, bias in this order from one generator.
        Kernel = AddParameter("kernel", new Shape(inputShape[1], Gates * Units), KernelInitializer, random, regularizer: KernelRegularizer);
        RecurrentKernel = AddParameter("recurrent_kernel", new Shape(Units, Gates * Units), RecurrentInitializer, random, regularizer: RecurrentRegularizer);
        if (UseBias)
        {
            Bias = AddParameter("bias", BiasShape, EffectiveBiasInitializer, random, regularizer: BiasRegularizer);
        }
    }

    /// <summary>Called once per forward pass before the steps (a cell refreshes working copies of its weights here).</summary>
    /// <param name="batch">The batch size.</param>
    protected virtual void BeginForward(int batch)
    {
    }

    /// <summary>One step: <paramref name="input"/> (batch, gates·units) holds x_t·W + b and may be overwritten;
    /// <paramref name="previous"/> is h_{t−1} (zeros at the first step). Returns h_t, a tensor the cell keeps for the backward pass.</summary>
    /// <param name="step">The position s in processing order, 0 … T−1.</param>
    /// <param name="input">x_t·W + b for this step.</param>
    /// <param name="previous">h_{t−1}.</param>
    protected abstract Tensor<T> StepForward(int step, Tensor<T> input, Tensor<T> previous);

    /// <summary>Called once per backward pass before the steps: zero the recurrent gradients the steps accumulate into.</summary>
    protected virtual void BeginBackward() => Backend.Fill(RecurrentKernel.Gradient, T.Zero);

    /// <summary>One step backwards: from ∂J/∂h_t (<paramref name="dh"/>), write ∂J/∂(x_t·W + b) into <paramref name="dInput"/>,
    /// add this step's share to the recurrent gradients, and write ∂J/∂h_{t−1} into <paramref name="dPrevious"/>
    /// (null at the first step, where h_{t−1} is the constant zero state).</summary>
    protected abstract void StepBackward(int step, Tensor<T> dh, Tensor<T> previous, Tensor<T> dInput, Tensor<T>? dPrevious);

    /// <summary>Called after the backward steps (a cell copies working gradients into the parameters here).</summary>
    protected virtual void EndBackward()
    {
    }

    /// <summary>Adds the bias to x·W for all steps at once, (batch·timesteps, gates·units).</summary>
    protected virtual void AddInputBias(Tensor<T> projection) => Backend.AddRowVector(projection, Bias!.Value, projection);

    /// <summary>Writes the bias gradient from ∂J/∂(XW + b), (batch·timesteps, gates·units).</summary>
    protected virtual void InputBiasGradient(Tensor<T> dProjection) => Backend.SumRows(dProjection, Bias!.Gradient);

    /// <summary>A per-step buffer of the cell, kept per batch size like every layer buffer.</summary>
    protected Tensor<T> StepBuffer(ref Tensor<T>?[] slots, int step, Shape shape)
    {
        if (slots.Length < Timesteps)
        {
            Array.Resize(ref slots, Timesteps);
        }
        return Buffer(ref slots[step], shape);
    }

    /// <summary>Remembers a step's tensor (e.g. its pre-activation, which lives in the step's input buffer).</summary>
    protected void Keep(ref Tensor<T>[] slots, int step, Tensor<T> tensor)
    {
        if (slots.Length < Timesteps)
        {
            Array.Resize(ref slots, Timesteps);
        }
        slots[step] = tensor;
    }

    /// <inheritdoc/>
    public override Tensor<T> Forward(Tensor<T> input, bool training)
    {
        CheckInput(input);
        _lastInput = input;
        int n = input.Rows, steps = Timesteps, width = Gates * Units;
        Tensor<T> x = View(ref _xView, input, n * steps, new Shape(input.Shape[2]));
        // XW + b for every (sample, step) row at once; row (i, t) of the (batch·T, G·u) matrix is sample i's step t.
        Tensor<T> projection = Buffer(ref _projection, new Shape(n * steps, width));
        Backend.MatMul(x, false, Kernel.Value, false, projection, T.One, T.Zero);
        if (UseBias)
        {
            AddInputBias(projection);
        }
        Tensor<T> bySample = View(ref _pView, projection, n, new Shape(steps * width));
        Tensor<T> zero = Buffer(ref _zeroState, new Shape(n, Units));
        Backend.Fill(zero, T.Zero);
        if (_states.Length != steps)
        {
            _states = new Tensor<T>[steps];
        }
        Tensor<T>? sequence = ReturnSequences ? View(ref _seqView, Buffer(ref _sequence, new Shape(n, steps, Units)), n, new Shape(steps * Units)) : null;
        BeginForward(n);
        Tensor<T> h = zero;
        for (int s = 0; s < steps; s++)
        {
            int t = GoBackwards ? steps - 1 - s : s;
            Tensor<T> stepInput = StepBuffer(ref _steps, s, new Shape(n, width));
            Backend.CopyColumns(bySample, t * width, stepInput, 0, width, accumulate: false);
            h = StepForward(s, stepInput, h);
            _states[s] = h;
            if (sequence is not null)
            {
                Backend.CopyColumns(h, 0, sequence, s * Units, Units, accumulate: false);
            }
        }
        FinalState = h;
        return ReturnSequences ? _sequence! : h;
    }

    /// <inheritdoc/>
    public override Tensor<T> Backward(Tensor<T> outputGradient) => Backpropagate(outputGradient, needInputGradient: true)!;

    /// <inheritdoc/>
    public override void BackwardParametersOnly(Tensor<T> outputGradient) => Backpropagate(outputGradient, needInputGradient: false);

    private Tensor<T>? Backpropagate(Tensor<T> outputGradient, bool needInputGradient)
    {
        Shape expected = _lastInput is null ? outputGradient.Shape : OutputShape!.WithBatch(_lastInput.Rows);
        CheckBackward(_lastInput, outputGradient, expected);
        int n = _lastInput!.Rows, steps = Timesteps, width = Gates * Units;
        Tensor<T> dProjection = Buffer(ref _dProjection, new Shape(n * steps, width));
        Tensor<T> dBySample = View(ref _dpView, dProjection, n, new Shape(steps * width));
        Tensor<T>? dSequence = ReturnSequences ? View(ref _dSeqView, outputGradient, n, new Shape(steps * Units)) : null;
        Tensor<T> dStep = Buffer(ref _dSteps, new Shape(n, width));
        BeginBackward();
        Tensor<T>? dNext = null; // ∂J/∂h_s flowing back from step s + 1
        for (int s = steps - 1; s >= 0; s--)
        {
            int t = GoBackwards ? steps - 1 - s : s;
            Tensor<T> dh;
            if (dSequence is not null)
            {
                dh = Buffer(ref _dh, new Shape(n, Units));
                Backend.CopyColumns(dSequence, s * Units, dh, 0, Units, accumulate: false);
                if (dNext is not null)
                {
                    Backend.Add(dh, dNext, dh);
                }
            }
            else
            {
                dh = dNext ?? outputGradient;
            }
            // ∂J/∂h_{s−1} goes to whichever of two buffers dh is not (dh may be last step's buffer).
            Tensor<T>? dPrevious = s == 0 ? null
                : ReferenceEquals(dh, _dhA) ? Buffer(ref _dhB, new Shape(n, Units)) : Buffer(ref _dhA, new Shape(n, Units));
            StepBackward(s, dh, s == 0 ? _zeroState! : _states[s - 1], dStep, dPrevious);
            Backend.CopyColumns(dStep, 0, dBySample, t * width, width, accumulate: false);
            dNext = dPrevious;
        }
        EndBackward();
        Tensor<T> x = View(ref _xView, _lastInput, n * steps, new Shape(_lastInput.Shape[2]));
        Backend.MatMul(x, true, dProjection, false, Kernel.Gradient, T.One, T.Zero);
        if (UseBias)
        {
            InputBiasGradient(dProjection);
        }
        if (!needInputGradient)
        {
            return null;
        }
        Tensor<T> dx = Buffer(ref _inputGradient, _lastInput.Shape);
        Backend.MatMul(dProjection, false, Kernel.Value, true, View(ref _dxView, dx, n * steps, new Shape(_lastInput.Shape[2])), T.One, T.Zero);
        return dx;
    }

    /// <summary>The config keys every recurrent layer shares (Keras 2.2.4 names).</summary>
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["units"] = Units;
        c["activation"] = Activation.Name;
        c["use_bias"] = UseBias;
        c["kernel_initializer"] = KernelInitializer;
        c["recurrent_initializer"] = RecurrentInitializer;
        c["bias_initializer"] = BiasInitializer;
        c["kernel_regularizer"] = KernelRegularizer;
        c["recurrent_regularizer"] = RecurrentRegularizer;
        c["bias_regularizer"] = BiasRegularizer;
        c["return_sequences"] = ReturnSequences;
        c["go_backwards"] = GoBackwards;
        c["seed"] = Seed;
        return c;
    }
}
