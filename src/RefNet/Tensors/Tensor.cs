// Tensor<T>: a shape plus storage, for T = float or double through generic math.
// Row-major and batch-first like Keras; favours clarity over speed.
using System.Numerics;

namespace RefNet.Tensors;

/// <summary>An n-dimensional array of <typeparamref name="T"/>, row-major and batch-first.</summary>
/// <typeparam name="T"><see cref="float"/> (training, Keras' default) or <see cref="double"/> (gradient checks).</typeparam>
/// <remarks>A tensor never reshapes itself silently; shape errors throw
/// <see cref="ShapeMismatchException"/> naming both shapes. Host tensors expose
/// <see cref="Span"/>; device tensors are read with <see cref="ToArray"/>.</remarks>
public sealed class Tensor<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Wraps storage with a shape; their lengths must agree.</summary>
    public Tensor(Shape shape, TensorStorage<T> storage)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(storage);
        if (shape.Length != storage.Length)
        {
            throw new ArgumentException($"Shape {shape} needs {shape.Length} elements but the storage has {storage.Length}");
        }
        Shape = shape;
        Storage = storage;
    }

    /// <summary>A new zero-filled host tensor.</summary>
    public Tensor(params int[] dims)
        : this(new Shape(dims), new HostStorage<T>(new T[new Shape(dims).Length]))
    {
    }

    /// <summary>The dimensions, batch first.</summary>
    public Shape Shape { get; }

    /// <summary>The memory behind the tensor.</summary>
    public TensorStorage<T> Storage { get; }

    /// <summary>Number of elements.</summary>
    public int Length => Shape.Length;

    /// <summary>Rows of the 2-D view (the batch dimension).</summary>
    public int Rows => Shape.Rank == 0 ? 1 : Shape[0];

    /// <summary>Columns of the 2-D view (every dimension after the first, flattened).</summary>
    public int Columns => Shape.RowLength;

    /// <summary>True when the data lives in host memory.</summary>
    public bool IsHost => Storage is HostStorage<T>;

    /// <summary>The elements of a host tensor, row-major.</summary>
    /// <exception cref="InvalidOperationException">The tensor lives on a device.</exception>
    public Span<T> Span => Storage is HostStorage<T> host
        ? host.Data
        : throw new InvalidOperationException("This tensor lives on a device; use ToArray() to read it.");

    /// <summary>Element at a multi-dimensional index (host tensors only).</summary>
    public T this[params int[] index]
    {
        get => Span[FlatIndex(index)];
        set => Span[FlatIndex(index)] = value;
    }

    /// <summary>A host copy of the elements, row-major.</summary>
    public T[] ToArray()
    {
        var result = new T[Length];
        Storage.CopyTo(result);
        return result;
    }

    /// <summary>A host tensor holding a copy of <paramref name="data"/>.</summary>
    public static Tensor<T> FromArray(Shape shape, ReadOnlySpan<T> data)
    {
        if (data.Length != shape.Length)
        {
            throw new ArgumentException($"Shape {shape} needs {shape.Length} elements but got {data.Length}", nameof(data));
        }
        return new Tensor<T>(shape, new HostStorage<T>(data.ToArray()));
    }

    /// <summary>A host tensor from a rectangular array of doubles (converted to <typeparamref name="T"/>).</summary>
    public static Tensor<T> FromRows(double[,] rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int r = rows.GetLength(0);
        int c = rows.GetLength(1);
        var t = new Tensor<T>(r, c);
        for (int i = 0; i < r; i++)
        {
            for (int j = 0; j < c; j++)
            {
                t.Span[i * c + j] = T.CreateChecked(rows[i, j]);
            }
        }
        return t;
    }

    /// <summary>A host tensor of the same shape with every element converted to double.</summary>
    public double[] ToDoubleArray()
    {
        T[] data = ToArray();
        var result = new double[data.Length];
        for (int i = 0; i < data.Length; i++)
        {
            result[i] = double.CreateChecked(data[i]);
        }
        return result;
    }

    /// <summary>A view of the same storage with another shape of equal length (like numpy's reshape).</summary>
    public Tensor<T> Reshape(Shape shape)
    {
        if (shape.Length != Length)
        {
            throw new ShapeMismatchException("Reshape", $"a shape with {Length} elements", shape);
        }
        return new Tensor<T>(shape, Storage);
    }

    /// <summary>Row-major flat index of a multi-dimensional index.</summary>
    public int FlatIndex(ReadOnlySpan<int> index)
    {
        if (index.Length != Shape.Rank)
        {
            throw new ArgumentException($"Index of rank {index.Length} for a tensor of shape {Shape}");
        }
        int flat = 0;
        for (int d = 0; d < index.Length; d++)
        {
            if ((uint)index[d] >= (uint)Shape[d])
            {
                throw new IndexOutOfRangeException($"Index {index[d]} out of range for axis {d} of shape {Shape}");
            }
            flat = flat * Shape[d] + index[d];
        }
        return flat;
    }

    /// <inheritdoc/>
    public override string ToString() => $"Tensor<{typeof(T).Name}>{Shape}";
}
