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
    /// <exception cref="ArgumentException">A dimension is negative, or the shape has more elements than one array can hold.</exception>
    public Shape(params int[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        long length = 1;
        long rowLength = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] < 0)
            {
                throw new ArgumentException($"Shape dimensions must be non-negative but got ({string.Join(", ", dims)})", nameof(dims));
            }
            // Both products stay ≤ Array.MaxLength before each step, so with a dimension < 2^31 they cannot overflow a long.
            length *= dims[i];
            rowLength *= i == 0 ? 1 : dims[i];
            if (length > Array.MaxLength || rowLength > Array.MaxLength)
            {
                throw new ArgumentException($"Shape ({string.Join(", ", dims)}) has more elements than one array can hold ({Array.MaxLength})", nameof(dims));
            }
        }
        _dims = (int[])dims.Clone();
        Length = (int)length;
        RowLength = (int)rowLength;
    }

    /// <summary>Number of dimensions.</summary>
    public int Rank => _dims.Length;

    /// <summary>The size of dimension <paramref name="axis"/>; negative axes count from the end.</summary>
    public int this[int axis] => _dims[axis < 0 ? _dims.Length + axis : axis];

    /// <summary>Number of elements (product of all dimensions; 1 for rank 0).</summary>
    /// <remarks>Computed once, in the constructor: tensors ask for it in every operation.</remarks>
    public int Length { get; }

    /// <summary>A copy of the dimensions.</summary>
    public int[] ToArray() => (int[])_dims.Clone();

    /// <summary>The dimensions as a read-only span.</summary>
    public ReadOnlySpan<int> Dims => _dims;

    /// <summary>This shape with a leading batch dimension added: (batch, ...this).</summary>
    public Shape WithBatch(int batch) => new([batch, .. _dims]);

    /// <summary>This shape without its leading (batch) dimension.</summary>
    public Shape WithoutBatch() => new(_dims[1..]);

    /// <summary>Product of every dimension after the first (the row length of the 2-D view).</summary>
    /// <remarks>Computed once, in the constructor: it is read on every operation of the training loop.</remarks>
    public int RowLength { get; }

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
