// Flatten: (batch, d1, d2, …) → (batch, d1·d2·…) in channels-last (row-major) order, sharing the input's storage.
// Forward and Backward are reshapes; nothing is copied. Favours clarity over speed.
using System.Numerics;
using RefNet.Engine;
using RefNet.Tensors;

namespace RefNet.Layers;

/// <summary>Flattens every dimension after the batch (Keras <c>Flatten</c>, channels-last): y[n, (i·W + j)·C + c] = x[n, i, j, c].</summary>
/// <typeparam name="T">float or double.</typeparam>
/// <remarks>The output is a view of the input (the same storage, another shape), and the input gradient a view of
/// the output gradient: row-major tensors are already laid out in Keras' flattened order.</remarks>
/// <param name="inputShape">The input shape when this is the first layer.</param>
/// <param name="name">Layer name ("flatten_1" etc. when null).</param>
public sealed class Flatten<T>(Shape? inputShape = null, string? name = null) : Layer<T>(name, inputShape)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private Shape? _flat;
    private Tensor<T>? _lastOutput;
    private ViewSlot _forward, _backward;

    /// <inheritdoc/>
    public override Shape ComputeOutputShape(Shape inputShape)
    {
        if (inputShape.Rank == 0)
        {
            throw new ShapeMismatchException($"Flatten '{Name}' input", "(d1, …)", inputShape);
        }
        return _flat = new Shape(inputShape.Length);
    }

    // y = x read as (batch, d1·d2·…)
    /// <inheritdoc/>
    public override Tensor<T> Forward(Tensor<T> input, bool training)
    {
        CheckInput(input);
        _lastOutput = View(ref _forward, input, input.Rows, _flat!);
        return _lastOutput;
    }

    // ∂J/∂x = ∂J/∂y read as (batch, d1, d2, …)
    /// <inheritdoc/>
    public override Tensor<T> Backward(Tensor<T> outputGradient)
    {
        CheckBackward(_lastOutput, outputGradient, _lastOutput?.Shape ?? outputGradient.Shape);
        return View(ref _backward, outputGradient, outputGradient.Rows, InputShape!);
    }
}
