// GRU: Keras 2's GRUCell, gates z, r, h side by side in one kernel, in both reset_after forms; forward and backward side by side.
// The time loop, the input projection and BPTT's shared steps are in Recurrent.cs. Favours clarity over speed.
using System.Numerics;
using RefNet.Activations;
using RefNet.Backends;
using RefNet.Initializers;
using RefNet.Regularizers;
using RefNet.Tensors;

namespace RefNet.Layers;

/// <summary>Gated recurrent unit layer (Keras <c>GRU</c>).</summary>
/// <typeparam name="T">float or double.</typeparam>
/// <remarks>
/// <para>Per step, with x_t·W + b split into blocks x_z, x_r, x_h and U into U_zr (the first 2·units columns) and U_h:</para>
/// <code>
/// z = σ_r(x_z + h_{t−1}·U_z)    r = σ_r(x_r + h_{t−1}·U_r)
/// resetAfter = false (Keras 2):  ĥ = f_a(x_h + (r ⊙ h_{t−1})·U_h)
/// resetAfter = true (tf.keras 2, cuDNN): ĥ = f_a(x_h + r ⊙ (h_{t−1}·U_h + b_rec,h)),  and b_rec is also added to z, r
/// h_t = z ⊙ h_{t−1} + (1 − z) ⊙ ĥ
/// </code>
/// <para>With resetAfter the bias is (2, 3·units): row 0 the input bias, row 1 the recurrent bias (Keras commit 2802c082,
/// 2.1.5). The default is false, Keras 2's; tf.keras 2.x defaults to true. σ_r defaults to sigmoid (Keras ≥ 2.3; hard_sigmoid
/// before). Parameters: 3·(features·units + units² + units), plus 3·units with resetAfter (GRU(256) on 64 features, resetAfter: 247 296).</para>
/// </remarks>
public sealed class GRU<T> : Recurrent<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private Tensor<T>?[] _zr = [], _zPre = [], _rPre = [], _z = [], _r = [], _hPre = [], _hHat = [], _reset = [], _h = [];
    private Tensor<T>? _uzr, _uh, _duzr, _duh, _bIn, _bRecZr, _bRecH, _gIn, _gRecH, _gRecStep, _t1, _t2, _dGate, _dzr;

    /// <summary>Creates the layer.</summary>
    /// <param name="units">Size of h.</param>
    /// <param name="activation">f_a for ĥ (tanh).</param>
    /// <param name="recurrentActivation">σ_r for z and r; null: the profile's (sigmoid; hard_sigmoid for Keras ≤ 2.2.5 and TensorFlow.js).</param>
    /// <param name="returnSequences">Output every step (batch, T, units) instead of the last (batch, units).</param>
    /// <param name="goBackwards">Process the steps from last to first.</param>
    /// <param name="resetAfter">Apply r after the recurrent product (tf.keras/cuDNN form, bias (2, 3·units)); false is Keras 2's form;
    /// null: the profile's (true for tf.keras 2.15, false otherwise).</param>
    /// <param name="inputShape">(timesteps, features) when this is the first layer.</param>
    /// <param name="useBias">Whether to add b.</param>
    /// <param name="kernelInitializer">W's initializer (glorot_uniform).</param>
    /// <param name="recurrentInitializer">U's initializer (orthogonal).</param>
    /// <param name="biasInitializer">b's initializer (zeros).</param>
    /// <param name="kernelRegularizer">Penalty on W.</param>
    /// <param name="recurrentRegularizer">Penalty on U.</param>
    /// <param name="biasRegularizer">Penalty on b.</param>
    /// <param name="seed">Seed for the initializers.</param>
    /// <param name="name">Layer name ("gru_1" etc. when null).</param>
    public GRU(int units, ActivationFunction? activation = null, ActivationFunction? recurrentActivation = null, bool returnSequences = false,
        bool goBackwards = false, bool? resetAfter = null, Shape? inputShape = null, bool useBias = true,
        Initializer? kernelInitializer = null, Initializer? recurrentInitializer = null, Initializer? biasInitializer = null,
        Regularizer? kernelRegularizer = null, Regularizer? recurrentRegularizer = null, Regularizer? biasRegularizer = null,
        int? seed = null, string? name = null)
        : base(units, 3, activation, returnSequences, goBackwards, useBias, kernelInitializer, recurrentInitializer, biasInitializer,
            kernelRegularizer, recurrentRegularizer, biasRegularizer, seed, name, inputShape)
    {
        _recurrentActivation = recurrentActivation;
        _resetAfter = resetAfter;
    }

    private readonly ActivationFunction? _recurrentActivation;
    private readonly bool? _resetAfter;

    /// <summary>σ_r, the gates' activation: the one given, else the profile's (sigmoid; hard_sigmoid for Keras ≤ 2.2.5 and TensorFlow.js).</summary>
    public ActivationFunction RecurrentActivation => _recurrentActivation ?? ProfileRecurrentActivation();

    /// <summary>Whether r is applied after the recurrent product (tf.keras form): as given, else the profile's (true in tf.keras 2.x, false before).</summary>
    public bool ResetAfter => _resetAfter ?? Keras.GruResetAfter;

    private bool RecurrentBias => ResetAfter && UseBias;

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">resetAfter under a profile without it (TensorFlow.js has only Keras 2's GRU).</exception>
    protected override void OnBuild(Shape inputShape)
    {
        if (ResetAfter && !Keras.GruResetAfterSupported)
        {
            throw new NotSupportedException($"GRU '{Name}': {Keras} has no reset_after=True GRU (only Keras 2's form); " +
                "use resetAfter: false or another Keras profile");
        }
        base.OnBuild(inputShape);
    }

    /// <inheritdoc/>
    protected override Shape BiasShape => ResetAfter ? new Shape(2, 3 * Units) : new Shape(3 * Units);

    // The bias and U as (1, n) and (units, n) working blocks, copied from the parameters at every forward pass.
    /// <inheritdoc/>
    protected override void BeginForward(int batch)
    {
        int u = Units;
        _uzr = Buffer(ref _uzr, new Shape(u, 2 * u));
        _uh = Buffer(ref _uh, new Shape(u, u));
        Backend.CopyColumns(RecurrentKernel.Value, 0, _uzr, 0, 2 * u, accumulate: false);
        Backend.CopyColumns(RecurrentKernel.Value, 2 * u, _uh, 0, u, accumulate: false);
        if (RecurrentBias)
        {
            Tensor<T> row = Bias!.Value.Reshape(new Shape(1, 6 * u));
            Backend.CopyColumns(row, 3 * u, Buffer(ref _bRecZr, new Shape(1, 2 * u)), 0, 2 * u, accumulate: false);
            Backend.CopyColumns(row, 5 * u, Buffer(ref _bRecH, new Shape(1, u)), 0, u, accumulate: false);
        }
    }

    /// <inheritdoc/>
    protected override void AddInputBias(Tensor<T> projection)
    {
        if (!ResetAfter)
        {
            base.AddInputBias(projection);
            return;
        }
        Tensor<T> bIn = Buffer(ref _bIn, new Shape(1, 3 * Units));
        Backend.CopyColumns(Bias!.Value.Reshape(new Shape(1, 6 * Units)), 0, bIn, 0, 3 * Units, accumulate: false);
        Backend.AddRowVector(projection, bIn, projection);
    }

    /// <inheritdoc/>
    protected override Tensor<T> StepForward(int step, Tensor<T> input, Tensor<T> previous)
    {
        int u = Units, n = input.Rows;
        var shape = new Shape(n, u);
        Tensor<T> zr = StepBuffer(ref _zr, step, new Shape(n, 2 * u));
        Backend.CopyColumns(input, 0, zr, 0, 2 * u, accumulate: false);
        Backend.MatMul(previous, false, _uzr!, false, zr, T.One, T.One);   // [x_z + h·U_z, x_r + h·U_r]
        if (RecurrentBias)
        {
            Backend.AddRowVector(zr, _bRecZr!, zr);
        }
        Tensor<T> zPre = StepBuffer(ref _zPre, step, shape), rPre = StepBuffer(ref _rPre, step, shape);
        Backend.CopyColumns(zr, 0, zPre, 0, u, accumulate: false);
        Backend.CopyColumns(zr, u, rPre, 0, u, accumulate: false);
        Tensor<T> z = StepBuffer(ref _z, step, shape), r = StepBuffer(ref _r, step, shape);
        RecurrentActivation.Forward(Backend, zPre, z);
        RecurrentActivation.Forward(Backend, rPre, r);
        Tensor<T> hPre = StepBuffer(ref _hPre, step, shape);
        Backend.CopyColumns(input, 2 * u, hPre, 0, u, accumulate: false);  // x_h
        Tensor<T> reset = StepBuffer(ref _reset, step, shape);
        if (ResetAfter)
        {
            Backend.MatMul(previous, false, _uh!, false, reset, T.One, T.Zero); // reset = h·U_h + b_rec,h
            if (RecurrentBias)
            {
                Backend.AddRowVector(reset, _bRecH!, reset);
            }
            Backend.MultiplyAdd(hPre, r, reset, hPre);                        // x_h + r ⊙ (h·U_h + b_rec,h)
        }
        else
        {
            Backend.Multiply(r, previous, reset);                             // reset = r ⊙ h
            Backend.MatMul(reset, false, _uh!, false, hPre, T.One, T.One);    // x_h + (r ⊙ h)·U_h
        }
        Tensor<T> hHat = StepBuffer(ref _hHat, step, shape), h = StepBuffer(ref _h, step, shape);
        Activation.Forward(Backend, hPre, hHat);
        Backend.Subtract(previous, hHat, h);
        Backend.MultiplyAdd(hHat, z, h, h);                                   // h = ĥ + z ⊙ (h_{t−1} − ĥ)
        return h;
    }

    /// <inheritdoc/>
    protected override void BeginBackward()
    {
        int u = Units;
        Backend.Fill(Buffer(ref _duzr, new Shape(u, 2 * u)), T.Zero);
        Backend.Fill(Buffer(ref _duh, new Shape(u, u)), T.Zero);
        if (RecurrentBias)
        {
            Backend.Fill(Buffer(ref _gRecH, new Shape(u)), T.Zero);
        }
    }

    // With dh = ∂J/∂h_t:
    //   dz = dh ⊙ (h_{t−1} − ĥ)   dĥ = dh ⊙ (1 − z)   ∂J/∂h_{t−1} = dh ⊙ z + …   dĥ_pre = dĥ ⊙ f_a'
    //   resetAfter false: ∂J/∂U_h += (r⊙h)ᵀ·dĥ_pre;  d(r⊙h) = dĥ_pre·U_hᵀ;  dr = d(r⊙h) ⊙ h;  ∂J/∂h_{t−1} += d(r⊙h) ⊙ r
    //   resetAfter true:  dq = dĥ_pre ⊙ r for q = h·U_h + b_rec,h;  dr = dĥ_pre ⊙ q;  ∂J/∂U_h += hᵀ·dq;  ∂J/∂h_{t−1} += dq·U_hᵀ
    //   dz_pre, dr_pre through σ_r';  ∂J/∂U_zr += hᵀ·[dz_pre, dr_pre];  ∂J/∂h_{t−1} += [dz_pre, dr_pre]·U_zrᵀ
    /// <inheritdoc/>
    protected override void StepBackward(int step, Tensor<T> dh, Tensor<T> previous, Tensor<T> dInput, Tensor<T>? dPrevious)
    {
        int u = Units, n = dh.Rows;
        Shape shape = dh.Shape;
        Tensor<T> t1 = Buffer(ref _t1, shape), t2 = Buffer(ref _t2, shape), dGate = Buffer(ref _dGate, shape);
        Tensor<T> dzr = Buffer(ref _dzr, new Shape(n, 2 * u));
        Tensor<T> z = _z[step]!, r = _r[step]!, hHat = _hHat[step]!;
        // z gate
        Backend.Subtract(previous, hHat, t1);
        Backend.Multiply(dh, t1, t1);
        RecurrentActivation.Backward(Backend, _zPre[step]!, z, t1, dGate);
        Backend.CopyColumns(dGate, 0, dzr, 0, u, accumulate: false);
        // candidate ĥ
        Backend.Multiply(dh, z, t1);
        if (dPrevious is not null)
        {
            Backend.Copy(t1, dPrevious);                                   // dh ⊙ z
        }
        Backend.Subtract(dh, t1, t1);                                      // dh ⊙ (1 − z)
        Activation.Backward(Backend, _hPre[step]!, hHat, t1, dGate);       // dĥ_pre
        Backend.CopyColumns(dGate, 0, dInput, 2 * u, u, accumulate: false);
        Tensor<T> reset = _reset[step]!;
        if (ResetAfter)
        {
            Backend.Multiply(dGate, reset, t2);                            // dr
            Backend.Multiply(dGate, r, t1);                                // dq
            Backend.MatMul(previous, true, t1, false, _duh!, T.One, T.One);
            if (dPrevious is not null)
            {
                Backend.MatMul(t1, false, _uh!, true, dPrevious, T.One, T.One);
            }
            if (RecurrentBias)
            {
                Tensor<T> g = Buffer(ref _gRecStep, new Shape(u));
                Backend.SumRows(t1, g);
                Backend.Add(_gRecH!, g, _gRecH!);
            }
        }
        else
        {
            Backend.MatMul(reset, true, dGate, false, _duh!, T.One, T.One);
            Backend.MatMul(dGate, false, _uh!, true, t1, T.One, T.Zero);   // d(r ⊙ h)
            Backend.Multiply(t1, previous, t2);                            // dr
            if (dPrevious is not null)
            {
                Backend.MultiplyAdd(dPrevious, t1, r, dPrevious);
            }
        }
        RecurrentActivation.Backward(Backend, _rPre[step]!, r, t2, dGate);
        Backend.CopyColumns(dGate, 0, dzr, u, u, accumulate: false);
        Backend.CopyColumns(dzr, 0, dInput, 0, 2 * u, accumulate: false);
        Backend.MatMul(previous, true, dzr, false, _duzr!, T.One, T.One);
        if (dPrevious is not null)
        {
            Backend.MatMul(dzr, false, _uzr!, true, dPrevious, T.One, T.One);
        }
    }

    /// <inheritdoc/>
    protected override void EndBackward()
    {
        int u = Units;
        Backend.CopyColumns(_duzr!, 0, RecurrentKernel.Gradient, 0, 2 * u, accumulate: false);
        Backend.CopyColumns(_duh!, 0, RecurrentKernel.Gradient, 2 * u, u, accumulate: false);
    }

    /// <inheritdoc/>
    protected override void InputBiasGradient(Tensor<T> dProjection)
    {
        if (!ResetAfter)
        {
            base.InputBiasGradient(dProjection);
            return;
        }
        int u = Units;
        Tensor<T> gIn = Buffer(ref _gIn, new Shape(1, 3 * u));
        Backend.SumRows(dProjection, gIn);
        Tensor<T> row = Bias!.Gradient.Reshape(new Shape(1, 6 * u));
        Backend.CopyColumns(gIn, 0, row, 0, 3 * u, accumulate: false);
        Backend.CopyColumns(gIn, 0, row, 3 * u, 2 * u, accumulate: false);   // b_rec,zr enters z, r exactly as b_in,zr does
        Backend.CopyColumns(_gRecH!.Reshape(new Shape(1, u)), 0, row, 5 * u, u, accumulate: false);
    }

    /// <inheritdoc/>
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["recurrent_activation"] = RecurrentActivation.Name;
        c["reset_after"] = ResetAfter;
        return c;
    }
}
