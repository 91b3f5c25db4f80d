// TimeDistributed: applies one layer to every time step, y[:, t] = layer(x[:, t]) with the same weights (Keras TimeDistributed).
// The (batch, T, …) input is read as (batch·T, …) rows, so the inner layer runs once on all steps.
using System.Numerics;
using RefNet.Activations;
using RefNet.Engine;
using RefNet.Tensors;

namespace RefNet.Layers;

/// <summary>Applies <see cref="Inner"/> to every time step with shared weights (Keras <c>TimeDistributed</c>).</summary>
/// <typeparam name="T">float or double.</typeparam>
/// <remarks>Input (batch, timesteps, …); the inner layer sees (batch·timesteps, …) and its output is read back as
/// (batch, timesteps, …). Its parameters are this layer's parameters (TimeDistributed(Dense(12)) on 128 features: 1 548).
/// Backward: the inner layer's backward on the same rows, so ∂J/∂W sums over batch and time.</remarks>
public sealed class TimeDistributed<T> : Layer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private Tensor<T>? _lastInput;
    private ViewSlot _inView, _outView, _gradView, _dxView, _logitsView;

    /// <summary>Wraps <paramref name="layer"/>.</summary>
    /// <param name="layer">The layer applied at each step (not built yet).</param>
    /// <param name="inputShape">(timesteps, …) when this is the first layer.</param>
    /// <param name="name">Layer name ("time_distributed_1" etc. when null).</param>
    public TimeDistributed(Layer<T> layer, Shape? inputShape = null, string? name = null)
        : base(name, inputShape)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (layer.IsBuilt)
        {
            throw new ArgumentException($"TimeDistributed needs an unbuilt layer; '{layer.Name}' is already built", nameof(layer));
        }
        Inner = layer;
    }

    /// <summary>The wrapped layer.</summary>
    public Layer<T> Inner { get; }

    /// <inheritdoc/>
    public override LayerState<T>? GetTrainingState() => Inner.GetTrainingState();

    /// <inheritdoc/>
    public override void RestoreTrainingState(LayerState<T> state) => Inner.RestoreTrainingState(state);

    /// <inheritdoc/>
    public override bool HasInputGradient => Inner.HasInputGradient;

    /// <inheritdoc/>
    public override Shape ComputeOutputShape(Shape inputShape)
    {
        if (inputShape.Rank < 2)
        {
            throw new ShapeMismatchException($"TimeDistributed '{Name}' input", "(timesteps, …)", inputShape);
        }
        Shape step = new(inputShape.Dims[1..].ToArray());
        return new Shape([inputShape[0], .. Inner.ComputeOutputShape(step).ToArray()]);
    }

    /// <inheritdoc/>
    protected override void OnBuild(Shape inputShape)
    {
        Inner.Name ??= $"{Name}/{Network<T>.ToSnakeCase(Inner.TypeName)}";
        Inner.Seed ??= Seed;
        Inner.UseBackend(Backend);
        Inner.UseProfile(Keras);
        Inner.Build(new Shape(inputShape.Dims[1..].ToArray()));
        AdoptParameters(Inner);
    }

    // y[b, t] = layer(x[b, t]): the inner layer on the (batch·T, …) rows
    /// <inheritdoc/>
    public override Tensor<T> Forward(Tensor<T> input, bool training)
    {
        CheckInput(input);
        _lastInput = input;
        int rows = input.Rows * InputShape![0];
        Tensor<T> y = Inner.Forward(View(ref _inView, input, rows, Inner.InputShape!), training);
        return View(ref _outView, y, input.Rows, OutputShape!);
    }

    // ∂J/∂x[b, t] = layer's backward of ∂J/∂y[b, t]; the inner parameter gradients sum over all rows
    /// <inheritdoc/>
    public override Tensor<T> Backward(Tensor<T> outputGradient)
    {
        CheckBackward(_lastInput, outputGradient, _lastInput is null ? outputGradient.Shape : OutputShape!.WithBatch(_lastInput.Rows));
        int rows = _lastInput!.Rows * InputShape![0];
        Tensor<T> dx = Inner.Backward(View(ref _gradView, outputGradient, rows, Inner.OutputShape!));
        return View(ref _dxView, dx, _lastInput.Rows, InputShape);
    }

    /// <inheritdoc/>
    public override void BackwardParametersOnly(Tensor<T> outputGradient)
    {
        CheckBackward(_lastInput, outputGradient, _lastInput is null ? outputGradient.Shape : OutputShape!.WithBatch(_lastInput.Rows));
        Inner.BackwardParametersOnly(View(ref _gradView, outputGradient, _lastInput!.Rows * InputShape![0], Inner.OutputShape!));
    }

    /// <inheritdoc/>
    /// <remarks>The inner layer's logits, viewed as (batch, timesteps, …).</remarks>
    public override (ActivationFunction Activation, Tensor<T> Logits)? OutputLogits =>
        _lastInput is not null && Inner.OutputLogits is { } inner ? (inner.Activation, View(ref _logitsView, inner.Logits, _lastInput.Rows, OutputShape!)) : null;

    /// <inheritdoc/>
    public override Tensor<T>? BackwardFromLogits(Tensor<T> logitsGradient, bool needInputGradient)
    {
        CheckBackward(_lastInput, logitsGradient, _lastInput is null ? logitsGradient.Shape : OutputShape!.WithBatch(_lastInput.Rows));
        int rows = _lastInput!.Rows * InputShape![0];
        Tensor<T>? dx = Inner.BackwardFromLogits(View(ref _gradView, logitsGradient, rows, Inner.OutputShape!), needInputGradient);
        return dx is null ? null : View(ref _dxView, dx, _lastInput.Rows, InputShape);
    }

    /// <summary>Keras' wrapper config: <c>"layer": {"class_name": …, "config": {…}}</c>.</summary>
    public override Dictionary<string, object?> GetConfig()
    {
        var c = base.GetConfig();
        c["layer"] = new Dictionary<string, object?> { ["class_name"] = Inner.TypeName, ["config"] = Inner.GetConfig() };
        return c;
    }
}
