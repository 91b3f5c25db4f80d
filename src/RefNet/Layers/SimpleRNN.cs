// SimpleRNN: the Elman cell h_t = f(x_t·W + b + h_{t−1}·U) (Keras 2.2.4 SimpleRNNCell), forward and backward side by side.
// The time loop, the input projection and BPTT's shared steps are in Recurrent.cs. Favours clarity over speed.
using System.Numerics;
using RefNet.Activations;
using RefNet.Initializers;
using RefNet.Regularizers;
using RefNet.Tensors;

namespace RefNet.Layers;

/// <summary>Fully connected recurrent layer h_t = f(x_t·W + b + h_{t−1}·U) (Keras <c>SimpleRNN</c>).</summary>
/// <typeparam name="T">float or double.</typeparam>
/// <remarks>Defaults as Keras 2: tanh, glorot_uniform W, orthogonal U, zero b, zero initial state. Parameters:
/// features·units + units² + units (SimpleRNN(128) on 256 features: 49 280).</remarks>
public sealed class SimpleRNN<T> : Recurrent<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private Tensor<T>?[] _state = [];
    private Tensor<T>[] _preActivation = [];

    /// <summary>Creates the layer.</summary>
    /// <param name="units">Size of h.</param>
    /// <param name="activation">f (tanh by default).</param>
    /// <param name="returnSequences">Output every step (batch, T, units) instead of the last (batch, units).</param>
    /// <param name="goBackwards">Process the steps from last to first.</param>
    /// <param name="inputShape">(timesteps, features) when this is the first layer.</param>
    /// <param name="useBias">Whether to add b.</param>
    /// <param name="kernelInitializer">W's initializer (glorot_uniform).</param>
    /// <param name="recurrentInitializer">U's initializer (orthogonal).</param>
    /// <param name="biasInitializer">b's initializer (zeros).</param>
    /// <param name="kernelRegularizer">Penalty on W.</param>
    /// <param name="recurrentRegularizer">Penalty on U.</param>
    /// <param name="biasRegularizer">Penalty on b.</param>
    /// <param name="seed">Seed for the initializers.</param>
    /// <param name="name">Layer name ("simple_rnn_1" etc. when null).</param>
    public SimpleRNN(int units, ActivationFunction? activation = null, bool returnSequences = false, bool goBackwards = false,
        Shape? inputShape = null, bool useBias = true, Initializer? kernelInitializer = null, Initializer? recurrentInitializer = null,
        Initializer? biasInitializer = null, Regularizer? kernelRegularizer = null, Regularizer? recurrentRegularizer = null,
        Regularizer? biasRegularizer = null, int? seed = null, string? name = null)
        : base(units, 1, activation, returnSequences, goBackwards, useBias, kernelInitializer, recurrentInitializer, biasInitializer,
            kernelRegularizer, recurrentRegularizer, biasRegularizer, seed, name, inputShape)
    {
    }

    // Keras: h = x·W + b; output = f(h + h_{t−1}·U)
    /// <inheritdoc/>
    protected override Tensor<T> StepForward(int step, Tensor<T> input, Tensor<T> previous)
    {
        Tensor<T> z = input; // (batch, units), already x_t·W + b
        Backend.MatMul(previous, false, RecurrentKernel.Value, false, z, T.One, T.One);
        Tensor<T> h = StepBuffer(ref _state, step, z.Shape);
        Activation.Forward(Backend, z, h);
        Keep(ref _preActivation, step, z); // the step's input buffer is not reused before the backward pass
        return h;
    }

    // δ_t = (∂J/∂h_t) ⊙ f'(z_t);  ∂J/∂U += h_{t−1}ᵀ·δ_t;  ∂J/∂h_{t−1} = δ_t·Uᵀ;  ∂J/∂(x_t·W + b) = δ_t
    /// <inheritdoc/>
    protected override void StepBackward(int step, Tensor<T> dh, Tensor<T> previous, Tensor<T> dInput, Tensor<T>? dPrevious)
    {
        Tensor<T> dz = dInput;
        Activation.Backward(Backend, _preActivation[step], _state[step]!, dh, dz);
        Backend.MatMul(previous, true, dz, false, RecurrentKernel.Gradient, T.One, T.One);
        if (dPrevious is not null)
        {
            Backend.MatMul(dz, false, RecurrentKernel.Value, true, dPrevious, T.One, T.Zero);
        }
    }
}
