// Activation layer: applies an elementwise (or row-wise softmax) function; no parameters.
// Forward and Backward sit side by side with the slide formulas; favours clarity over speed.
using System.Numerics;
using RefNet.Activations;
using RefNet.Engine;
using RefNet.Tensors;

namespace RefNet.Layers;

/// <summary>Applies an activation function to its input (Keras <c>Activation</c>).</summary>
public sealed class Activation<T> : Layer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private Tensor<T>? _lastInput;
    private Tensor<T>? _lastOutput;
    private Tensor<T>? _inputGradient;

    /// <summary>Creates the layer from a Keras name ("relu", "sigmoid", ...).</summary>
    public Activation(string activation, string? name = null, Shape? inputShape = null)
        : this(ActivationFunction.FromName(activation), name, inputShape)
    {
    }

    /// <summary>Creates the layer.</summary>
    public Activation(ActivationFunction function, string? name = null, Shape? inputShape = null)
        : base(name, inputShape) => Function = function ?? throw new ArgumentNullException(nameof(function));

    /// <summary>The function applied.</summary>
    public ActivationFunction Function { get; }

    // Slide: a = f(z)
    /// <inheritdoc/>
    public override Tensor<T> Forward(Tensor<T> input, bool training)
    {
        CheckInput(input);
        _lastInput = input;
        Tensor<T> output = Buffer(ref _lastOutput, input.Shape);
        Function.Forward(Backend, input, output);
        return output;
    }

    // Slide: δ_z = δ_a ⊙ f'(z), with f' given z and a = f(z)
    /// <inheritdoc/>
    public override Tensor<T> Backward(Tensor<T> outputGradient)
    {
        CheckBackward(_lastOutput, outputGradient, _lastOutput?.Shape ?? outputGradient.Shape);
        Tensor<T> dx = Buffer(ref _inputGradient, outputGradient.Shape);
        Function.Backward(Backend, _lastInput!, _lastOutput!, outputGradient, dx);
        return dx;
    }

    /// <inheritdoc/>
    public override (ActivationFunction Activation, Tensor<T> Logits)? OutputLogits =>
        TagsLogits(Function) && _lastInput is { } z ? (Function, z) : null;

    /// <inheritdoc/>
    /// <remarks>The input is the logits, so ∂J/∂input = ∂J/∂z.</remarks>
    public override Tensor<T>? BackwardFromLogits(Tensor<T> logitsGradient, bool needInputGradient)
    {
        if (OutputLogits is null)
        {
            return base.BackwardFromLogits(logitsGradient, needInputGradient);
        }
        CheckBackward(_lastOutput, logitsGradient, _lastOutput?.Shape ?? logitsGradient.Shape);
        return needInputGradient ? logitsGradient : null;
    }

    /// <inheritdoc/>
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["activation"] = Function.Name;
        return c;
    }
}
