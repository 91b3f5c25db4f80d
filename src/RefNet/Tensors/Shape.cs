// Shape: the dimensions of a tensor, batch-first and row-major (the last dimension is contiguous).
// Written for clarity: a small immutable value with Keras-style printing.
namespace RefNet.Tensors;

/// <summary>The dimensions of a tensor, outermost first (row-major, batch-first like Keras).</summary>
/// <remarks>A layer's own shapes (input/output) leave the batch dimension out, as Keras'
/// <c>input_shape</c> does; a tensor's shape always includes it.</remarks>
public sealed class Shape : IEquatable<Shape>
{
    private readonly int[] _dims;

    /// <summary>Creates a shape from its dimensions.</summary>
    /// <param name="dims">Each dimension; all must be non-negative.</param>
    /// <exception cref="ArgumentException">A dimension is negative.</exception>
    public Shape(params int[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        foreach (int d in dims)
        {
            if (d < 0)
            {
                throw new ArgumentException($"Shape dimensions must be non-negative but got ({string.Join(", ", dims)})", nameof(dims));
            }
        }
        _dims = (int[])dims.Clone();
    }

    /// <summary>Number of dimensions.</summary>
    public int Rank => _dims.Length;

    /// <summary>The size of dimension <paramref name="axis"/>; negative axes count from the end.</summary>
    public int this[int axis] => _dims[axis < 0 ? _dims.Length + axis : axis];

    /// <summary>Number of elements (product of all dimensions; 1 for rank 0).</summary>
    public int Length
    {
        get
        {
            long n = 1;
            foreach (int d in _dims)
            {
                n *= d;
            }
            return checked((int)n);
        }
    }

    /// <summary>A copy of the dimensions.</summary>
    public int[] ToArray() => (int[])_dims.Clone();

    /// <summary>The dimensions as a read-only span.</summary>
    public ReadOnlySpan<int> Dims => _dims;

    /// <summary>This shape with a leading batch dimension added: (batch, ...this).</summary>
    public Shape WithBatch(int batch) => new([batch, .. _dims]);

    /// <summary>This shape without its leading (batch) dimension.</summary>
    public Shape WithoutBatch() => new(_dims[1..]);

    /// <summary>Product of every dimension after the first (the row length of the 2-D view).</summary>
    /// <remarks>Computed in place (no temporary shape): it is read on every operation of the training loop.</remarks>
    public int RowLength
    {
        get
        {
            long n = 1;
            for (int i = 1; i < _dims.Length; i++)
            {
                n *= _dims[i];
            }
            return checked((int)n);
        }
    }

    /// <summary>Keras' printed form of a layer output shape, e.g. <c>(None, 512)</c>.</summary>
    public string ToKerasString() => _dims.Length == 0 ? "(None,)" : $"(None, {string.Join(", ", _dims)})";

    /// <inheritdoc/>
    public bool Equals(Shape? other) => other is not null && _dims.AsSpan().SequenceEqual(other._dims);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as Shape);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (int d in _dims)
        {
            hash.Add(d);
        }
        return hash.ToHashCode();
    }

    /// <summary>Prints like a Python tuple: <c>(2, 3)</c>, <c>(5,)</c>.</summary>
    public override string ToString() => _dims.Length == 1 ? $"({_dims[0]},)" : $"({string.Join(", ", _dims)})";

    /// <summary>Equality of dimensions.</summary>
    public static bool operator ==(Shape? a, Shape? b) => a is null ? b is null : a.Equals(b);

    /// <summary>Inequality of dimensions.</summary>
    public static bool operator !=(Shape? a, Shape? b) => !(a == b);
}
