// Parameter: a trainable (or frozen) tensor with its gradient, e.g. a Dense kernel W or bias b.
// Backward overwrites Gradient for the current batch (it never accumulates); favours clarity over speed.
using System.Numerics;
using RefNet.Regularizers;
using RefNet.Tensors;

namespace RefNet.Engine;

/// <summary>A named weight tensor and its gradient.</summary>
/// <typeparam name="T">float or double.</typeparam>
/// <remarks><see cref="Layer{T}.Backward"/> <b>overwrites</b> each parameter's <see cref="Gradient"/>
/// for the current batch (no accumulation across calls).</remarks>
public sealed class Parameter<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates a parameter; the gradient starts at zero.</summary>
    public Parameter(string name, Tensor<T> value, Tensor<T> gradient, bool trainable = true, Regularizer? regularizer = null)
    {
        Name = name;
        Value = value;
        Gradient = gradient;
        Trainable = trainable;
        Regularizer = regularizer;
    }

    /// <summary>Keras-style name, e.g. "dense_1/kernel".</summary>
    public string Name { get; internal set; }

    /// <summary>The weights.</summary>
    public Tensor<T> Value { get; }

    /// <summary>∂J/∂Value for the last batch.</summary>
    public Tensor<T> Gradient { get; }

    /// <summary>Whether optimizers update this parameter.</summary>
    public bool Trainable { get; set; }

    /// <summary>Penalty added to the loss (and its gradient to <see cref="Gradient"/>), if any.</summary>
    public Regularizer? Regularizer { get; }

    /// <summary>Number of scalars.</summary>
    public int Count => Value.Length;

    /// <inheritdoc/>
    public override string ToString() => $"{Name} {Value.Shape}";
}
