// GlobalPooling2D: what GlobalAveragePooling2D and GlobalMaxPooling2D share — one window over the whole image,
// per channel: (batch, H, W, C) → (batch, C), through the backend's Pool2D primitive. Favours clarity over speed.
using System.Numerics;
using RefNet.Backends;
using RefNet.Engine;
using RefNet.Tensors;

namespace RefNet.Layers;

/// <summary>Pools each channel over the whole image: y[n, c] = max or mean of x[n, :, :, c].</summary>
/// <typeparam name="T">float or double.</typeparam>
/// <remarks>Runs as an H × W pooling window with a (1, 1, C) output per image, read as (C) without copying.</remarks>
public abstract class GlobalPooling2D<T> : Layer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private Shape _channels = null!;
    private Tensor<T>? _lastInput;
    private Tensor<T>? _pooled;
    private Tensor<T>? _lastOutput;
    private Tensor<T>? _inputGradient;
    private ConvGeometry _geometry;
    private ViewSlot _forward, _backward;
    private Shape _pixel = null!;

    /// <summary>Creates the layer.</summary>
    protected GlobalPooling2D(PoolKind kind, Shape? inputShape, string? name)
        : base(name, inputShape) => Kind = kind;

    /// <summary>Max or average.</summary>
    public PoolKind Kind { get; }

    /// <inheritdoc/>
    public override Shape ComputeOutputShape(Shape inputShape)
    {
        if (inputShape.Rank != 3)
        {
            throw new ShapeMismatchException($"{TypeName} '{Name}' input", "(height, width, channels)", inputShape);
        }
        _channels = new Shape(inputShape[2]);
        _pixel = new Shape(1, 1, inputShape[2]);
        return _channels;
    }

    // y[n, c] = max or mean over (i, j) of x[n, i, j, c]
    /// <inheritdoc/>
    public override Tensor<T> Forward(Tensor<T> input, bool training)
    {
        CheckInput(input);
        _lastInput = input;
        _geometry = Window.Geometry(input.Rows, InputShape!, (InputShape![0], InputShape[1]), (1, 1), (1, 1), "valid");
        Tensor<T> pooled = Buffer(ref _pooled, input.Rows == _pooled?.Rows ? _pooled.Shape : _pixel.WithBatch(input.Rows));
        Backend.Pool2D(input, _geometry, Kind, pooled);
        _lastOutput = View(ref _forward, pooled, input.Rows, _channels);
        return _lastOutput;
    }

    // ∂J/∂x: max sends ∂J/∂y[n, c] to the first maximum of channel c; average sends ∂J/∂y[n, c] / (H·W) everywhere
    /// <inheritdoc/>
    public override Tensor<T> Backward(Tensor<T> outputGradient)
    {
        CheckBackward(_lastOutput, outputGradient, _lastOutput?.Shape ?? outputGradient.Shape);
        Tensor<T> dx = Buffer(ref _inputGradient, _lastInput!.Shape);
        Backend.Pool2DBackward(_lastInput, View(ref _backward, outputGradient, outputGradient.Rows, _pixel), _geometry, Kind, dx);
        return dx;
    }
}
