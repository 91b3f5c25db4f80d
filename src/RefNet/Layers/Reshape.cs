// Reshape: (batch, …) → (batch, targetShape…) with one dimension possibly −1 (inferred), sharing storage.
// Forward and Backward are reshapes; nothing is copied. Favours clarity over speed.
using System.Numerics;
using RefNet.Engine;
using RefNet.Tensors;

namespace RefNet.Layers;

/// <summary>Gives every sample a new shape of the same size (Keras <c>Reshape</c>); one dimension may be −1 (inferred).</summary>
/// <typeparam name="T">float or double.</typeparam>
public sealed class Reshape<T> : Layer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private Tensor<T>? _lastOutput;
    private ViewSlot _forward, _backward;

    /// <summary>Creates the layer.</summary>
    /// <param name="targetShape">The shape of one sample after the layer, e.g. (7, 7, 16) or (−1, 3).</param>
    /// <param name="inputShape">The input shape when this is the first layer.</param>
    /// <param name="name">Layer name ("reshape_1" etc. when null).</param>
    /// <exception cref="ArgumentException">Empty, more than one −1, or a dimension that is 0 or below −1.</exception>
    public Reshape(int[] targetShape, Shape? inputShape = null, string? name = null)
        : base(name, inputShape)
    {
        ArgumentNullException.ThrowIfNull(targetShape);
        if (targetShape.Length == 0 || targetShape.Count(d => d == -1) > 1 || targetShape.Any(d => d == 0 || d < -1))
        {
            throw new ArgumentException($"Reshape target shape ({string.Join(", ", targetShape)}) needs positive dimensions and at most one -1", nameof(targetShape));
        }
        TargetShape = (int[])targetShape.Clone();
    }

    /// <summary>The target shape as given (may hold one −1).</summary>
    public IReadOnlyList<int> TargetShape { get; }

    /// <inheritdoc/>
    public override Shape ComputeOutputShape(Shape inputShape)
    {
        int known = TargetShape.Where(d => d != -1).Aggregate(1, (a, b) => a * b);
        int[] dims = [.. TargetShape];
        int unknown = Array.IndexOf(dims, -1);
        if (unknown >= 0 && known > 0 && inputShape.Length % known == 0)
        {
            dims[unknown] = inputShape.Length / known;
        }
        var output = new Shape(dims.Select(d => Math.Max(d, 0)).ToArray());
        if (dims.Contains(-1) || output.Length != inputShape.Length)
        {
            throw new ShapeMismatchException($"Reshape '{Name}' target ({string.Join(", ", TargetShape)}) for input",
                unknown >= 0 ? $"a multiple of {known} elements" : $"{known} elements", inputShape);
        }
        return output;
    }

    /// <inheritdoc/>
    public override Tensor<T> Forward(Tensor<T> input, bool training)
    {
        CheckInput(input);
        _lastOutput = View(ref _forward, input, input.Rows, OutputShape!);
        return _lastOutput;
    }

    /// <inheritdoc/>
    public override Tensor<T> Backward(Tensor<T> outputGradient)
    {
        CheckBackward(_lastOutput, outputGradient, _lastOutput?.Shape ?? outputGradient.Shape);
        return View(ref _backward, outputGradient, outputGradient.Rows, InputShape!);
    }

    /// <inheritdoc/>
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["target_shape"] = TargetShape.ToArray();
        return c;
    }
}
