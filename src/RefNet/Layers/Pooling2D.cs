// Pooling2D: what MaxPooling2D and AveragePooling2D share — a window slid over channels-last images, each channel
// on its own, through the backend's Pool2D primitive and its adjoint. Favours clarity over speed.
using System.Numerics;
using RefNet.Backends;
using RefNet.Engine;
using RefNet.Tensors;

namespace RefNet.Layers;

/// <summary>Window pooling over (H, W, C) images; <see cref="MaxPooling2D{T}"/> and <see cref="AveragePooling2D{T}"/> pick the rule.</summary>
/// <typeparam name="T">float or double.</typeparam>
/// <remarks>Keras 2: pool size (2, 2), strides = the pool size when not given, "valid" padding; with "same" the
/// window skips the padding (a max ignores it, a mean divides by the unpadded count), as TensorFlow does.</remarks>
public abstract class Pooling2D<T> : Layer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Dictionary<int, (ConvGeometry Geometry, Shape Output)> _byBatchSize = [];
    private Tensor<T>? _lastInput;
    private Tensor<T>? _output;
    private Tensor<T>? _inputGradient;
    private ConvGeometry _geometry;

    /// <summary>Creates the layer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    /// <exception cref="ArgumentException">The padding is neither "valid" nor "same".</exception>
    protected Pooling2D(PoolKind kind, (int Height, int Width)? poolSize, (int Height, int Width)? strides, string padding, Shape? inputShape, string? name)
        : base(name, inputShape)
    {
        Kind = kind;
        PoolSize = Window.Positive(poolSize ?? (2, 2), nameof(poolSize), $"{TypeName} pool size");
        Strides = Window.Positive(strides ?? PoolSize, nameof(strides), $"{TypeName} strides");
        Padding = Window.CheckPadding(padding, TypeName);
    }

    /// <summary>Max or average.</summary>
    public PoolKind Kind { get; }

    /// <summary>(ph, pw).</summary>
    public (int Height, int Width) PoolSize { get; }

    /// <summary>(sh, sw).</summary>
    public (int Height, int Width) Strides { get; }

    /// <summary>"valid" or "same".</summary>
    public string Padding { get; }

    /// <inheritdoc/>
    public override Shape ComputeOutputShape(Shape inputShape)
    {
        ConvGeometry g = Window.Geometry(this, inputShape, PoolSize, Strides, (1, 1), Padding);
        return new Shape(g.OutHeight, g.OutWidth, inputShape[2]);
    }

    // y[n, oy, ox, c] = max or mean of x[n, window(oy, ox), c]
    /// <inheritdoc/>
    public override Tensor<T> Forward(Tensor<T> input, bool training)
    {
        CheckInput(input);
        _lastInput = input;
        if (!_byBatchSize.TryGetValue(input.Rows, out var sizes))
        {
            ConvGeometry g = Window.Geometry(input.Rows, InputShape!, PoolSize, Strides, (1, 1), Padding);
            _byBatchSize[input.Rows] = sizes = (g, OutputShape!.WithBatch(input.Rows));
        }
        _geometry = sizes.Geometry;
        Tensor<T> y = Buffer(ref _output, sizes.Output);
        Backend.Pool2D(input, _geometry, Kind, y);
        return y;
    }

    // max: ∂J/∂x gets each window's gradient at its first maximum; average: gradient / count to every unpadded element
    /// <inheritdoc/>
    public override Tensor<T> Backward(Tensor<T> outputGradient)
    {
        CheckBackward(_lastInput, outputGradient, _output?.Shape ?? outputGradient.Shape);
        Tensor<T> dx = Buffer(ref _inputGradient, _lastInput!.Shape);
        Backend.Pool2DBackward(_lastInput, outputGradient, _geometry, Kind, dx);
        return dx;
    }

    /// <inheritdoc/>
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["pool_size"] = new[] { PoolSize.Height, PoolSize.Width };
        c["padding"] = Padding;
        c["strides"] = new[] { Strides.Height, Strides.Width };
        c["data_format"] = "channels_last";
        return c;
    }
}
