// Activation layer: applies an elementwise (or row-wise softmax) function; no parameters.
// Forward and Backward sit side by side with the slide formulas; favours clarity over speed.
using System.Numerics;
using RefNet.Backends;
using RefNet.Engine;
using RefNet.Tensors;

namespace RefNet.Layers;

/// <summary>Applies an activation function to its input (Keras <c>Activation</c>).</summary>
public sealed class Activation<T> : Layer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private Tensor<T>? _lastOutput;
    private Tensor<T>? _inputGradient;

    /// <summary>Creates the layer from a Keras name ("relu", "sigmoid", ...).</summary>
    public Activation(string activation, string? name = null, Shape? inputShape = null)
        : this(Activations.Activations.FromName(activation), name, inputShape)
    {
    }

    /// <summary>Creates the layer.</summary>
    public Activation(ActivationKind kind, string? name = null, Shape? inputShape = null)
        : base(name, inputShape) => Kind = kind;

    /// <summary>The function applied.</summary>
    public ActivationKind Kind { get; }

    // Slide: a = f(z)
    /// <inheritdoc/>
    public override Tensor<T> Forward(Tensor<T> input, bool training)
    {
        CheckInput(input);
        Tensor<T> output = Buffer(ref _lastOutput, input.Shape);
        Backend.Activation(Kind, input, output);
        return output;
    }

    // Slide: δ_z = δ_a ⊙ f'(z), with f' written in terms of a = f(z)
    /// <inheritdoc/>
    public override Tensor<T> Backward(Tensor<T> outputGradient)
    {
        CheckBackward(_lastOutput, outputGradient, _lastOutput?.Shape ?? outputGradient.Shape);
        Tensor<T> dx = Buffer(ref _inputGradient, outputGradient.Shape);
        Backend.ActivationBackward(Kind, _lastOutput!, outputGradient, dx);
        return dx;
    }

    /// <inheritdoc/>
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["activation"] = Activations.Activations.ToName(Kind);
        return c;
    }
}
