// BackendChecks: the argument checks every backend makes before touching memory, written once so that
// CpuBackend and IlgpuBackend reject the same inputs with the same messages. Favours clarity over speed.
using System.Numerics;
using RefNet.Tensors;

namespace RefNet.Backends;

/// <summary>Shape and index checks shared by the backends; each throws <see cref="ShapeMismatchException"/> naming both shapes.</summary>
public static class BackendChecks
{
    /// <summary>Throws unless both tensors have the same number of elements.</summary>
    /// <param name="what">The operation, for the message.</param>
    /// <param name="a">The tensor that sets the expected size.</param>
    /// <param name="b">The tensor checked against it.</param>
    /// <exception cref="ShapeMismatchException">The element counts differ.</exception>
    public static void SameLength<T>(string what, Tensor<T> a, Tensor<T> b)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Length != b.Length)
        {
            throw new ShapeMismatchException(what, a.Shape.ToString(), b.Shape);
        }
    }

    /// <summary>Throws unless both tensors have the same number of elements; the message names the operation and its formula.</summary>
    /// <remarks>Takes the two parts separately so that the hot path formats no string.</remarks>
    /// <exception cref="ShapeMismatchException">The element counts differ.</exception>
    public static void SameLength<T>(string what, string formula, Tensor<T> a, Tensor<T> b)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Length != b.Length)
        {
            throw new ShapeMismatchException($"{what} {formula}", a.Shape.ToString(), b.Shape);
        }
    }

    /// <summary>Throws unless <paramref name="t"/> has <paramref name="expected"/> elements; the message names the operation and its formula.</summary>
    /// <exception cref="ShapeMismatchException">The element count differs.</exception>
    public static void CheckLength<T>(string what, string formula, int expected, Tensor<T> t)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(t);
        if (t.Length != expected)
        {
            throw new ShapeMismatchException($"{what} {formula}", $"{expected} elements", t.Shape);
        }
    }

    /// <summary>Checks an index tensor against a table: one index per row of <paramref name="rowsTensor"/>, which has the table's
    /// columns, and every index a whole number in [0, table rows). Reads the indices to the host.</summary>
    /// <returns>The indices as integers.</returns>
    /// <exception cref="ShapeMismatchException">The index count or the column count does not fit.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is negative, too large, not a whole number, or NaN; the message names its position and value.</exception>
    public static int[] IndexTensor<T>(string what, Tensor<T> table, Tensor<T> indices, Tensor<T> rowsTensor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(rowsTensor);
        if (rowsTensor.Rows != indices.Length || rowsTensor.Columns != table.Columns)
        {
            throw new ShapeMismatchException($"{what} rows for {indices.Length} indices into {table.Shape}", $"({indices.Length}, {table.Columns})", rowsTensor.Shape);
        }
        return WholeNumbers(what, indices, table.Rows, $"table {table.Shape}");
    }

    /// <summary>Checks a one-hot expansion: <paramref name="destination"/> has one row per index, and every index is a
    /// whole number in [0, destination columns). Reads the indices to the host.</summary>
    /// <returns>The indices as integers.</returns>
    /// <exception cref="ShapeMismatchException">The destination has not one row per index.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is negative, too large, not a whole number, or NaN; the message names its position and value.</exception>
    public static int[] OneHot<T>(Tensor<T> indices, Tensor<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(destination);
        if (destination.Rows != indices.Length)
        {
            throw new ShapeMismatchException($"OneHot rows for {indices.Length} indices", $"({indices.Length}, classes)", destination.Shape);
        }
        return WholeNumbers("OneHot", indices, destination.Columns, $"{destination.Columns} classes");
    }

    private static int[] WholeNumbers<T>(string what, Tensor<T> indices, int limit, string context)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] values = indices.ToArray();
        var rows = new int[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            T v = values[i];
            if (!(v >= T.Zero && v < T.CreateChecked(limit) && T.IsInteger(v)))
            {
                throw new ArgumentOutOfRangeException(nameof(indices),
                    $"{what}: index {v} at position {i} is not a whole number in [0, {limit}) ({context})");
            }
            rows[i] = int.CreateChecked(v);
        }
        return rows;
    }

    /// <summary>Throws unless <paramref name="t"/> has <paramref name="expected"/> elements.</summary>
    /// <exception cref="ShapeMismatchException">The element count differs.</exception>
    public static void CheckLength<T>(string what, int expected, Tensor<T> t)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(t);
        if (t.Length != expected)
        {
            throw new ShapeMismatchException(what, $"{expected} elements", t.Shape);
        }
    }

    /// <summary>The sizes of C = op(A)·op(B): op(A) is m×k, op(B) is k×n, C must be m×n.</summary>
    /// <returns>(m, n, k).</returns>
    /// <exception cref="ShapeMismatchException">The inner dimensions differ, or C is not m×n.</exception>
    public static (int M, int N, int K) MatMul<T>(Tensor<T> a, bool transposeA, Tensor<T> b, bool transposeB, Tensor<T> c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(c);
        int m = transposeA ? a.Columns : a.Rows;
        int k = transposeA ? a.Rows : a.Columns;
        int kb = transposeB ? b.Columns : b.Rows;
        int n = transposeB ? b.Rows : b.Columns;
        string opA = transposeA ? "aᵀ" : "a";
        string opB = transposeB ? "bᵀ" : "b";
        if (k != kb)
        {
            throw new ShapeMismatchException($"MatMul inner dimensions ({opA} of a {a.Shape} is {m}×{k})", $"{opB} with {k} rows", b.Shape);
        }
        if (c.Rows != m || c.Columns != n)
        {
            throw new ShapeMismatchException($"MatMul output of {opA} {a.Shape} · {opB} {b.Shape}", $"({m}, {n})", c.Shape);
        }
        return (m, n, k);
    }

    /// <summary>Checks destination = source[rows]: the destination is (rows.Length, source.Columns) and every row index exists.</summary>
    /// <exception cref="ShapeMismatchException">The destination has the wrong shape.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A row index is outside the source.</exception>
    public static void GatherRows<T>(Tensor<T> source, ReadOnlySpan<int> rows, Tensor<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        int cols = source.Columns;
        if (destination.Columns != cols || destination.Rows != rows.Length)
        {
            throw new ShapeMismatchException("GatherRows destination", $"({rows.Length}, {cols})", destination.Shape);
        }
        for (int i = 0; i < rows.Length; i++)
        {
            if ((uint)rows[i] >= (uint)source.Rows)
            {
                throw new ArgumentOutOfRangeException(nameof(rows), $"Row {rows[i]} (position {i}) out of range for {source.Shape}");
            }
        }
    }
}
