// Arithmetic: the plain elementwise formulas (a + b, α·x, y + α·x, x², |x|) as structs, and the backend
// extension methods named after them, so callers write backend.Add(a, b, y). Favours clarity over speed.
using System.Numerics;
using RefNet.Tensors;

namespace RefNet.Backends;

/// <summary>Convenience operations built from <see cref="IBackend{T}"/>'s primitives and the formulas in <see cref="Arithmetic{T}"/>.</summary>
public static class BackendExtensions
{
    /// <summary>y = a + b.</summary>
    public static void Add<T>(this IBackend<T> backend, Tensor<T> a, Tensor<T> b, Tensor<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => backend.Map(a, b, y, default(Arithmetic<T>.Add));

    /// <summary>y = a − b.</summary>
    public static void Subtract<T>(this IBackend<T> backend, Tensor<T> a, Tensor<T> b, Tensor<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => backend.Map(a, b, y, default(Arithmetic<T>.Subtract));

    /// <summary>y = a ⊙ b.</summary>
    public static void Multiply<T>(this IBackend<T> backend, Tensor<T> a, Tensor<T> b, Tensor<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => backend.Map(a, b, y, default(Arithmetic<T>.Multiply));

    /// <summary>y = a + b ⊙ c (an LSTM cell's c = f⊙c_prev + i⊙g in two steps, BPTT's accumulations).</summary>
    public static void MultiplyAdd<T>(this IBackend<T> backend, Tensor<T> a, Tensor<T> b, Tensor<T> c, Tensor<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => backend.Map(a, b, c, y, default(Arithmetic<T>.MultiplyAdd));

    /// <summary>y = alpha·x.</summary>
    public static void Scale<T>(this IBackend<T> backend, Tensor<T> x, T alpha, Tensor<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => backend.Map(x, y, new Arithmetic<T>.Scale(alpha));

    /// <summary>y += alpha·x.</summary>
    public static void Axpy<T>(this IBackend<T> backend, T alpha, Tensor<T> x, Tensor<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => backend.Map(y, x, y, new Arithmetic<T>.Axpy(alpha));

    /// <summary>Σ x.</summary>
    public static T Sum<T>(this IBackend<T> backend, Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => backend.Sum(x, default(Arithmetic<T>.Identity));

    /// <summary>Σ x².</summary>
    public static T SumOfSquares<T>(this IBackend<T> backend, Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => backend.Sum(x, default(Arithmetic<T>.Square));

    /// <summary>Whether every element is finite (no NaN, no ±∞): one reduction, Σ (x − x) = 0.</summary>
    public static bool AllFinite<T>(this IBackend<T> backend, Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => backend.Sum(x, default(Arithmetic<T>.SelfDifference)) == T.Zero;

    /// <summary>Σ |x|.</summary>
    public static T SumOfAbsolute<T>(this IBackend<T> backend, Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => backend.Sum(x, default(Arithmetic<T>.Absolute));
}

/// <summary>The arithmetic formulas, scalar and vector form side by side (the same operation per lane).</summary>
/// <typeparam name="T">float or double.</typeparam>
public static class Arithmetic<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>a + b.</summary>
    public readonly struct Add : IVectorBinaryFunction<T>
    {
        /// <inheritdoc/>
        public T Apply(T a, T b) => a + b;

        /// <inheritdoc/>
        public Vector<T> Apply(Vector<T> a, Vector<T> b) => a + b;
    }

    /// <summary>a − b.</summary>
    public readonly struct Subtract : IVectorBinaryFunction<T>
    {
        /// <inheritdoc/>
        public T Apply(T a, T b) => a - b;

        /// <inheritdoc/>
        public Vector<T> Apply(Vector<T> a, Vector<T> b) => a - b;
    }

    /// <summary>a·b.</summary>
    public readonly struct Multiply : IVectorBinaryFunction<T>
    {
        /// <inheritdoc/>
        public T Apply(T a, T b) => a * b;

        /// <inheritdoc/>
        public Vector<T> Apply(Vector<T> a, Vector<T> b) => a * b;
    }

    /// <summary>a + b·c.</summary>
    public readonly struct MultiplyAdd : IVectorTernaryFunction<T>
    {
        /// <inheritdoc/>
        public T Apply(T a, T b, T c) => a + (b * c);

        /// <inheritdoc/>
        public Vector<T> Apply(Vector<T> a, Vector<T> b, Vector<T> c) => a + (b * c);
    }

    /// <summary>α·x.</summary>
    /// <param name="alpha">α.</param>
    public readonly struct Scale(T alpha) : IVectorUnaryFunction<T>
    {
        /// <inheritdoc/>
        public T Apply(T x) => alpha * x;

        /// <inheritdoc/>
        public Vector<T> Apply(Vector<T> x) => new Vector<T>(alpha) * x;
    }

    /// <summary>y + α·x (arguments (y, x)).</summary>
    /// <param name="alpha">α.</param>
    public readonly struct Axpy(T alpha) : IVectorBinaryFunction<T>
    {
        /// <inheritdoc/>
        public T Apply(T y, T x) => y + (alpha * x);

        /// <inheritdoc/>
        public Vector<T> Apply(Vector<T> y, Vector<T> x) => y + (new Vector<T>(alpha) * x);
    }

    /// <summary>x (the term of a plain sum).</summary>
    public readonly struct Identity : IUnaryFunction<T>
    {
        /// <inheritdoc/>
        public T Apply(T x) => x;
    }

    /// <summary>x² (the term of Σx², the L2 penalty).</summary>
    public readonly struct Square : IUnaryFunction<T>
    {
        /// <inheritdoc/>
        public T Apply(T x) => x * x;
    }

    /// <summary>|x| (the term of Σ|x|, the L1 penalty).</summary>
    public readonly struct Absolute : IUnaryFunction<T>
    {
        /// <inheritdoc/>
        public T Apply(T x) => T.Abs(x);
    }

    /// <summary>x − x: 0 for finite x, NaN for NaN and ±∞ (the term of the finiteness check: Σ (x − x) = 0 exactly when every
    /// x is finite, with no overflow however large the values).</summary>
    public readonly struct SelfDifference : IUnaryFunction<T>
    {
        /// <inheritdoc/>
        public T Apply(T x) => x - x;
    }

    /// <summary>a == b (counts equal elements).</summary>
    public readonly struct Equal : IBinaryPredicate<T>
    {
        /// <inheritdoc/>
        public bool Test(T a, T b) => a == b;
    }
}
