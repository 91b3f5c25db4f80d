// LSTM: Keras 2's LSTMCell, gates i, f, c, o side by side in one kernel; forward and backward step side by side.
// The time loop, the input projection and BPTT's shared steps are in Recurrent.cs. Favours clarity over speed.
using System.Numerics;
using RefNet.Activations;
using RefNet.Backends;
using RefNet.Initializers;
using RefNet.Regularizers;
using RefNet.Tensors;

namespace RefNet.Layers;

/// <summary>Long short-term memory layer (Keras <c>LSTM</c>).</summary>
/// <typeparam name="T">float or double.</typeparam>
/// <remarks>
/// <para>Per step, with z = x_t·W + b + h_{t−1}·U split into four blocks of <c>units</c> columns in Keras' order:</para>
/// <code>
/// i = σ_r(z_i)   f = σ_r(z_f)   g = f_a(z_c)   o = σ_r(z_o)
/// c_t = f ⊙ c_{t−1} + i ⊙ g
/// h_t = o ⊙ f_a(c_t)
/// </code>
/// <para>σ_r is <see cref="RecurrentActivation"/>: <c>sigmoid</c> by default (Keras 2.3.0 and later, tf.keras; commit
/// 5949aeed); Keras 2.0.0–2.2.5 used <c>hard_sigmoid</c> = clip(0.2x + 0.5, 0, 1): pass
/// <c>ActivationFunction.FromName("hard_sigmoid")</c> to get that flavour. f_a is <see cref="Recurrent{T}.Activation"/> (tanh).
/// <c>unitForgetBias</c> (default true) starts the f block of the bias at 1. Parameters:
/// 4·(features·units + units² + units) (LSTM(32) on 2 features: 4 480; LSTM(128) on 64: 98 816).</para>
/// </remarks>
public sealed class LSTM<T> : Recurrent<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private Tensor<T>?[] _zi = [], _zf = [], _zc = [], _zo = [], _i = [], _f = [], _g = [], _o = [], _c = [], _tanhC = [], _h = [];
    private Tensor<T>? _zeroCell, _t1, _dGate, _dcA, _dcB;
    private Tensor<T>? _dcNext;

    /// <summary>Creates the layer.</summary>
    /// <param name="units">Size of h and c.</param>
    /// <param name="activation">f_a for g and the output (tanh).</param>
    /// <param name="recurrentActivation">σ_r for the gates i, f, o; null: the profile's (sigmoid from Keras 2.3, hard_sigmoid in Keras ≤ 2.2.5 and TensorFlow.js).</param>
    /// <param name="returnSequences">Output every step (batch, T, units) instead of the last (batch, units).</param>
    /// <param name="goBackwards">Process the steps from last to first.</param>
    /// <param name="unitForgetBias">Start the forget-gate bias at 1 (Jozefowicz et al. 2015); null: the profile's (Keras true, TensorFlow.js false).</param>
    /// <param name="inputShape">(timesteps, features) when this is the first layer.</param>
    /// <param name="useBias">Whether to add b.</param>
    /// <param name="kernelInitializer">W's initializer (glorot_uniform).</param>
    /// <param name="recurrentInitializer">U's initializer (orthogonal).</param>
    /// <param name="biasInitializer">b's initializer (zeros; the f block is then set to 1 with unitForgetBias).</param>
    /// <param name="kernelRegularizer">Penalty on W.</param>
    /// <param name="recurrentRegularizer">Penalty on U.</param>
    /// <param name="biasRegularizer">Penalty on b.</param>
    /// <param name="seed">Seed for the initializers.</param>
    /// <param name="name">Layer name ("lstm_1" etc. when null).</param>
    public LSTM(int units, ActivationFunction? activation = null, ActivationFunction? recurrentActivation = null, bool returnSequences = false,
        bool goBackwards = false, bool? unitForgetBias = null, Shape? inputShape = null, bool useBias = true,
        Initializer? kernelInitializer = null, Initializer? recurrentInitializer = null, Initializer? biasInitializer = null,
        Regularizer? kernelRegularizer = null, Regularizer? recurrentRegularizer = null, Regularizer? biasRegularizer = null,
        int? seed = null, string? name = null)
        : base(units, 4, activation, returnSequences, goBackwards, useBias, kernelInitializer, recurrentInitializer, biasInitializer,
            kernelRegularizer, recurrentRegularizer, biasRegularizer, seed, name, inputShape)
    {
        _recurrentActivation = recurrentActivation;
        _unitForgetBias = unitForgetBias;
    }

    private readonly ActivationFunction? _recurrentActivation;
    private readonly bool? _unitForgetBias;

    /// <summary>σ_r, the gates' activation: the one given, else the profile's (sigmoid; hard_sigmoid for Keras ≤ 2.2.5 and TensorFlow.js).</summary>
    public ActivationFunction RecurrentActivation => _recurrentActivation ?? ProfileRecurrentActivation();

    /// <summary>Whether the forget-gate bias starts at 1: as given, else the profile's (true; false in TensorFlow.js).</summary>
    public bool UnitForgetBias => _unitForgetBias ?? Keras.LstmUnitForgetBias;

    /// <summary>c after the last processed step of the latest forward pass (Keras' return_state c).</summary>
    public Tensor<T>? FinalCellState { get; private set; }

    /// <inheritdoc/>
    protected override Initializer EffectiveBiasInitializer => UnitForgetBias ? new ForgetBiasOne(BiasInitializer, Units) : BiasInitializer;

    /// <inheritdoc/>
    protected override Tensor<T> StepForward(int step, Tensor<T> input, Tensor<T> previous)
    {
        int u = Units;
        var shape = new Shape(input.Rows, u);
        Tensor<T> z = input;
        Backend.MatMul(previous, false, RecurrentKernel.Value, false, z, T.One, T.One); // z = x_t·W + b + h_{t−1}·U
        Tensor<T> zi = StepBuffer(ref _zi, step, shape), zf = StepBuffer(ref _zf, step, shape);
        Tensor<T> zc = StepBuffer(ref _zc, step, shape), zo = StepBuffer(ref _zo, step, shape);
        Backend.CopyColumns(z, 0, zi, 0, u, accumulate: false);
        Backend.CopyColumns(z, u, zf, 0, u, accumulate: false);
        Backend.CopyColumns(z, 2 * u, zc, 0, u, accumulate: false);
        Backend.CopyColumns(z, 3 * u, zo, 0, u, accumulate: false);
        Tensor<T> i = StepBuffer(ref _i, step, shape), f = StepBuffer(ref _f, step, shape);
        Tensor<T> g = StepBuffer(ref _g, step, shape), o = StepBuffer(ref _o, step, shape);
        RecurrentActivation.Forward(Backend, zi, i);
        RecurrentActivation.Forward(Backend, zf, f);
        Activation.Forward(Backend, zc, g);
        RecurrentActivation.Forward(Backend, zo, o);
        Tensor<T> cPrevious = step == 0 ? ZeroCell(shape) : _c[step - 1]!;
        Tensor<T> c = StepBuffer(ref _c, step, shape);
        Backend.Multiply(f, cPrevious, c);  // c_t = f ⊙ c_{t−1}
        Backend.MultiplyAdd(c, i, g, c);    //     + i ⊙ g
        Tensor<T> tanhC = StepBuffer(ref _tanhC, step, shape), h = StepBuffer(ref _h, step, shape);
        Activation.Forward(Backend, c, tanhC);
        Backend.Multiply(o, tanhC, h);      // h_t = o ⊙ f_a(c_t)
        FinalCellState = c;
        return h;
    }

    /// <inheritdoc/>
    protected override void BeginBackward()
    {
        base.BeginBackward();
        _dcNext = null;
    }

    // With ∂J/∂h_t = dh and ∂J/∂c_t arriving from step t+1 (dc_next):
    //   do = dh ⊙ f_a(c_t)                      dz_o = do ⊙ σ_r'(z_o)
    //   dc = dh ⊙ o ⊙ f_a'(c_t) + dc_next
    //   di = dc ⊙ g    dz_i = di ⊙ σ_r'(z_i)     dg = dc ⊙ i    dz_c = dg ⊙ f_a'(z_c)
    //   df = dc ⊙ c_{t−1}   dz_f = df ⊙ σ_r'(z_f)   ∂J/∂c_{t−1} = dc ⊙ f
    //   ∂J/∂U += h_{t−1}ᵀ·dz;  ∂J/∂h_{t−1} = dz·Uᵀ;  ∂J/∂(x_t·W + b) = dz
    /// <inheritdoc/>
    protected override void StepBackward(int step, Tensor<T> dh, Tensor<T> previous, Tensor<T> dInput, Tensor<T>? dPrevious)
    {
        int u = Units;
        Shape shape = dh.Shape;
        Tensor<T> t1 = Buffer(ref _t1, shape), dGate = Buffer(ref _dGate, shape);
        Tensor<T> dc = ReferenceEquals(_dcNext, _dcA) ? Buffer(ref _dcB, shape) : Buffer(ref _dcA, shape);
        Backend.Multiply(dh, _tanhC[step]!, t1);
        RecurrentActivation.Backward(Backend, _zo[step]!, _o[step]!, t1, dGate);
        Backend.CopyColumns(dGate, 0, dInput, 3 * u, u, accumulate: false);
        Backend.Multiply(dh, _o[step]!, t1);
        Activation.Backward(Backend, _c[step]!, _tanhC[step]!, t1, dc);
        if (_dcNext is not null)
        {
            Backend.Add(dc, _dcNext, dc);
        }
        Backend.Multiply(dc, _g[step]!, t1);
        RecurrentActivation.Backward(Backend, _zi[step]!, _i[step]!, t1, dGate);
        Backend.CopyColumns(dGate, 0, dInput, 0, u, accumulate: false);
        Backend.Multiply(dc, _i[step]!, t1);
        Activation.Backward(Backend, _zc[step]!, _g[step]!, t1, dGate);
        Backend.CopyColumns(dGate, 0, dInput, 2 * u, u, accumulate: false);
        Tensor<T> cPrevious = step == 0 ? ZeroCell(shape) : _c[step - 1]!;
        Backend.Multiply(dc, cPrevious, t1);
        RecurrentActivation.Backward(Backend, _zf[step]!, _f[step]!, t1, dGate);
        Backend.CopyColumns(dGate, 0, dInput, u, u, accumulate: false);
        Backend.MatMul(previous, true, dInput, false, RecurrentKernel.Gradient, T.One, T.One);
        if (dPrevious is not null)
        {
            Backend.MatMul(dInput, false, RecurrentKernel.Value, true, dPrevious, T.One, T.Zero);
            Backend.Multiply(dc, _f[step]!, dc); // ∂J/∂c_{t−1} = dc ⊙ f, read by the next (earlier) step
            _dcNext = dc;
        }
    }

    private Tensor<T> ZeroCell(Shape shape)
    {
        Tensor<T> zero = Buffer(ref _zeroCell, shape);
        Backend.Fill(zero, T.Zero);
        return zero;
    }

    /// <inheritdoc/>
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["recurrent_activation"] = RecurrentActivation.Name;
        c["unit_forget_bias"] = UnitForgetBias;
        return c;
    }

    // Keras 2.2.4 unit_forget_bias: concatenate(bias_initializer((units,)), ones((units,)), bias_initializer((2·units,))).
    private sealed class ForgetBiasOne(Initializer inner, int units) : Initializer
    {
        public override string Name => inner.Name;

        public override void Fill(Span<double> values, int[] shape, Random random)
        {
            inner.Fill(values[..units], [units], random);
            values.Slice(units, units).Fill(1.0);
            inner.Fill(values[(2 * units)..], [2 * units], random);
        }
    }
}
