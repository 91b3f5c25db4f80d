// The one exception type for incompatible tensor shapes; its message always names both shapes.
// Thrown by layers, losses and backends alike, so callers catch one type.
namespace RefNet.Tensors;

/// <summary>Thrown when two tensor shapes do not fit together; the message names both shapes.</summary>
public sealed class ShapeMismatchException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="what">What was being done, e.g. "Dense 'dense_1' input".</param>
    /// <param name="expected">The expected shape, written as text (may contain '*' for any batch).</param>
    /// <param name="actual">The shape that was given.</param>
    public ShapeMismatchException(string what, string expected, Shape actual)
        : base($"{what}: expected shape {expected} but got {actual}")
    {
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The expected shape, as text.</summary>
    public string Expected { get; }

    /// <summary>The shape that was given.</summary>
    public Shape Actual { get; }

    /// <summary>Throws unless <paramref name="a"/> and <paramref name="b"/> are equal.</summary>
    public static void ThrowIfDifferent(string what, Shape a, Shape b)
    {
        if (a != b)
        {
            throw new ShapeMismatchException(what, a.ToString(), b);
        }
    }
}
