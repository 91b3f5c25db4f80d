// CpuBackend: the readable reference implementation of every backend operation, in plain loops.
// It is the specification the other backends are tested against; the GEMM goes through one seam.
using System.Numerics;
using RefNet.Backends.Cpu;
using RefNet.Tensors;

namespace RefNet.Backends;

/// <summary>The CPU backend: host arrays and straightforward loops over generic <typeparamref name="T"/>.</summary>
/// <typeparam name="T">float or double.</typeparam>
/// <remarks>Every matrix product goes through one <see cref="IGemm"/>, chosen at construction:
/// by default <see cref="GemmSelector.Default"/> (OpenBLAS when it loads, else the managed SIMD kernel;
/// environment variable REFNET_GEMM overrides). <see cref="Reference"/> uses the plain triple loop.</remarks>
public class CpuBackend<T> : IBackend<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates a CPU backend.</summary>
    /// <param name="gemm">The GEMM implementation; <see cref="GemmSelector.Default"/> when null.</param>
    public CpuBackend(IGemm? gemm = null)
    {
        GemmImplementation = gemm ?? GemmSelector.Default;
    }

    /// <summary>The shared default instance: a <see cref="FastCpuBackend{T}"/> (vectorized elementwise operations, fast GEMM).</summary>
    public static CpuBackend<T> Instance { get; } = new FastCpuBackend<T>();

    /// <summary>The plain specification: every operation including GEMM as straightforward loops.</summary>
    public static CpuBackend<T> Reference { get; } = new(ReferenceGemm.Instance);

    /// <summary>The GEMM every <see cref="MatMul"/> goes through.</summary>
    public IGemm GemmImplementation { get; }

    /// <inheritdoc/>
    public virtual string Name => "cpu";

    /// <summary>The host array behind a tensor (throws for device tensors).</summary>
    protected static Span<T> Data(Tensor<T> t) => t.Span;

    // ---- memory -------------------------------------------------------------------------

    /// <inheritdoc/>
    public Tensor<T> Allocate(Shape shape) => new(shape, new HostStorage<T>(new T[shape.Length]));

    /// <inheritdoc/>
    public bool Owns(Tensor<T> tensor) => tensor.IsHost;

    /// <inheritdoc/>
    public void CopyFromHost(ReadOnlySpan<T> source, Tensor<T> destination)
    {
        CheckLength("CopyFromHost", source.Length, destination);
        source.CopyTo(Data(destination));
    }

    /// <inheritdoc/>
    public void Copy(Tensor<T> source, Tensor<T> destination)
    {
        SameLength("Copy", source, destination);
        Data(source).CopyTo(Data(destination));
    }

    /// <inheritdoc/>
    public void Fill(Tensor<T> destination, T value) => Data(destination).Fill(value);

    /// <inheritdoc/>
    public void GatherRows(Tensor<T> source, ReadOnlySpan<int> rows, Tensor<T> destination)
    {
        int cols = source.Columns;
        if (destination.Columns != cols || destination.Rows != rows.Length)
        {
            throw new ShapeMismatchException("GatherRows destination", $"({rows.Length}, {cols})", destination.Shape);
        }
        Span<T> src = Data(source);
        Span<T> dst = Data(destination);
        for (int i = 0; i < rows.Length; i++)
        {
            if ((uint)rows[i] >= (uint)source.Rows)
            {
                throw new ArgumentOutOfRangeException(nameof(rows), $"Row {rows[i]} out of range for {source.Shape}");
            }
            src.Slice(rows[i] * cols, cols).CopyTo(dst.Slice(i * cols, cols));
        }
    }

    // ---- linear algebra -----------------------------------------------------------------

    /// <inheritdoc/>
    public void MatMul(Tensor<T> a, bool transposeA, Tensor<T> b, bool transposeB, Tensor<T> c, T alpha, T beta)
    {
        int m = transposeA ? a.Columns : a.Rows;
        int k = transposeA ? a.Rows : a.Columns;
        int kb = transposeB ? b.Columns : b.Rows;
        int n = transposeB ? b.Rows : b.Columns;
        if (k != kb)
        {
            throw new ShapeMismatchException(
                $"MatMul inner dimensions (a{(transposeA ? "ᵀ" : "")} of a {a.Shape} is {m}×{k})",
                $"b{(transposeB ? "ᵀ" : "")} with {k} rows",
                b.Shape);
        }
        if (c.Rows != m || c.Columns != n)
        {
            throw new ShapeMismatchException($"MatMul output of a{(transposeA ? "ᵀ" : "")} {a.Shape} · b{(transposeB ? "ᵀ" : "")} {b.Shape}", $"({m}, {n})", c.Shape);
        }
        Gemm(transposeA, transposeB, m, n, k, alpha, Data(a), a.Columns, Data(b), b.Columns, beta, Data(c), n);
    }

    /// <summary>The GEMM seam: C = alpha·op(A)·op(B) + beta·C on row-major arrays with leading dimensions.</summary>
    /// <remarks>Delegates to <see cref="GemmImplementation"/>; <see cref="ReferenceGemm"/> holds the textbook triple loop.</remarks>
    protected virtual void Gemm(bool transposeA, bool transposeB, int m, int n, int k, T alpha,
        ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc) =>
        GemmImplementation.Multiply(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);

    /// <inheritdoc/>
    public virtual void AddRowVector(Tensor<T> x, Tensor<T> v, Tensor<T> y)
    {
        int cols = x.Columns;
        CheckLength("AddRowVector vector", cols, v);
        SameLength("AddRowVector", x, y);
        Span<T> xs = Data(x), vs = Data(v), ys = Data(y);
        for (int i = 0; i < x.Rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                ys[i * cols + j] = xs[i * cols + j] + vs[j];
            }
        }
    }

    /// <inheritdoc/>
    public virtual void SumRows(Tensor<T> x, Tensor<T> y)
    {
        int cols = x.Columns;
        CheckLength("SumRows output", cols, y);
        Span<T> xs = Data(x), ys = Data(y);
        ys.Clear();
        for (int i = 0; i < x.Rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                ys[j] += xs[i * cols + j];
            }
        }
    }

    // ---- elementwise --------------------------------------------------------------------

    /// <inheritdoc/>
    public virtual void Add(Tensor<T> a, Tensor<T> b, Tensor<T> y)
    {
        SameLength("Add", a, b);
        SameLength("Add", a, y);
        Span<T> sa = Data(a), sb = Data(b), sy = Data(y);
        for (int i = 0; i < sy.Length; i++)
        {
            sy[i] = sa[i] + sb[i];
        }
    }

    /// <inheritdoc/>
    public virtual void Subtract(Tensor<T> a, Tensor<T> b, Tensor<T> y)
    {
        SameLength("Subtract", a, b);
        SameLength("Subtract", a, y);
        Span<T> sa = Data(a), sb = Data(b), sy = Data(y);
        for (int i = 0; i < sy.Length; i++)
        {
            sy[i] = sa[i] - sb[i];
        }
    }

    /// <inheritdoc/>
    public virtual void Multiply(Tensor<T> a, Tensor<T> b, Tensor<T> y)
    {
        SameLength("Multiply", a, b);
        SameLength("Multiply", a, y);
        Span<T> sa = Data(a), sb = Data(b), sy = Data(y);
        for (int i = 0; i < sy.Length; i++)
        {
            sy[i] = sa[i] * sb[i];
        }
    }

    /// <inheritdoc/>
    public virtual void Scale(Tensor<T> x, T alpha, Tensor<T> y)
    {
        SameLength("Scale", x, y);
        Span<T> sx = Data(x), sy = Data(y);
        for (int i = 0; i < sy.Length; i++)
        {
            sy[i] = alpha * sx[i];
        }
    }

    /// <inheritdoc/>
    public virtual void Axpy(T alpha, Tensor<T> x, Tensor<T> y)
    {
        SameLength("Axpy", x, y);
        Span<T> sx = Data(x), sy = Data(y);
        for (int i = 0; i < sy.Length; i++)
        {
            sy[i] += alpha * sx[i];
        }
    }

    /// <inheritdoc/>
    public virtual void AxpySign(T alpha, Tensor<T> x, Tensor<T> y)
    {
        SameLength("AxpySign", x, y);
        Span<T> sx = Data(x), sy = Data(y);
        for (int i = 0; i < sy.Length; i++)
        {
            T s = sx[i] > T.Zero ? T.One : sx[i] < T.Zero ? -T.One : T.Zero;
            sy[i] += alpha * s;
        }
    }

    /// <inheritdoc/>
    public virtual void Activation(ActivationKind kind, Tensor<T> x, Tensor<T> y)
    {
        SameLength("Activation", kind, x, y);
        Span<T> sx = Data(x), sy = Data(y);
        switch (kind)
        {
            case ActivationKind.Linear:
                sx.CopyTo(sy);
                break;
            case ActivationKind.Relu:
                for (int i = 0; i < sy.Length; i++)
                {
                    sy[i] = sx[i] > T.Zero ? sx[i] : T.Zero;
                }
                break;
            case ActivationKind.Sigmoid:
                for (int i = 0; i < sy.Length; i++)
                {
                    sy[i] = Sigmoid(sx[i]);
                }
                break;
            case ActivationKind.Tanh:
                for (int i = 0; i < sy.Length; i++)
                {
                    sy[i] = T.Tanh(sx[i]);
                }
                break;
            case ActivationKind.Softmax:
                SoftmaxRows(sx, sy, x.Columns);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    /// <summary>σ(z) = 1/(1+e^−z), written as e^z/(1+e^z) for z &lt; 0 so that e^x never overflows.</summary>
    public static T Sigmoid(T z)
    {
        if (z >= T.Zero)
        {
            return T.One / (T.One + T.Exp(-z));
        }
        T e = T.Exp(z);
        return e / (T.One + e);
    }

    /// <summary>Row-wise softmax: s_j = e^(x_j − max) / Σ_k e^(x_k − max).</summary>
    protected static void SoftmaxRows(ReadOnlySpan<T> x, Span<T> y, int cols)
    {
        for (int r = 0; r < x.Length / cols; r++)
        {
            ReadOnlySpan<T> row = x.Slice(r * cols, cols);
            Span<T> outRow = y.Slice(r * cols, cols);
            T max = row[0];
            for (int j = 1; j < cols; j++)
            {
                if (row[j] > max)
                {
                    max = row[j];
                }
            }
            T sum = T.Zero;
            for (int j = 0; j < cols; j++)
            {
                outRow[j] = T.Exp(row[j] - max);
                sum += outRow[j];
            }
            for (int j = 0; j < cols; j++)
            {
                outRow[j] /= sum;
            }
        }
    }

    /// <inheritdoc/>
    public virtual void ActivationBackward(ActivationKind kind, Tensor<T> output, Tensor<T> outputGradient, Tensor<T> inputGradient)
    {
        SameLength("ActivationBackward", kind, output, outputGradient);
        SameLength("ActivationBackward", kind, output, inputGradient);
        Span<T> y = Data(output), g = Data(outputGradient), dx = Data(inputGradient);
        switch (kind)
        {
            case ActivationKind.Linear:
                g.CopyTo(dx);
                break;
            case ActivationKind.Relu:
                for (int i = 0; i < dx.Length; i++)
                {
                    dx[i] = y[i] > T.Zero ? g[i] : T.Zero;
                }
                break;
            case ActivationKind.Sigmoid:
                for (int i = 0; i < dx.Length; i++)
                {
                    dx[i] = g[i] * y[i] * (T.One - y[i]);
                }
                break;
            case ActivationKind.Tanh:
                for (int i = 0; i < dx.Length; i++)
                {
                    dx[i] = g[i] * (T.One - (y[i] * y[i]));
                }
                break;
            case ActivationKind.Softmax:
                int cols = output.Columns;
                for (int r = 0; r < output.Rows; r++)
                {
                    int o = r * cols;
                    T dot = T.Zero;
                    for (int j = 0; j < cols; j++)
                    {
                        dot += g[o + j] * y[o + j];
                    }
                    for (int j = 0; j < cols; j++)
                    {
                        dx[o + j] = y[o + j] * (g[o + j] - dot);
                    }
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    // ---- reductions ---------------------------------------------------------------------

    /// <inheritdoc/>
    public virtual T Sum(Tensor<T> x)
    {
        T s = T.Zero;
        foreach (T v in Data(x))
        {
            s += v;
        }
        return s;
    }

    /// <inheritdoc/>
    public virtual T SumOfSquares(Tensor<T> x)
    {
        T s = T.Zero;
        foreach (T v in Data(x))
        {
            s += v * v;
        }
        return s;
    }

    /// <inheritdoc/>
    public virtual T SumOfAbsolute(Tensor<T> x)
    {
        T s = T.Zero;
        foreach (T v in Data(x))
        {
            s += T.Abs(v);
        }
        return s;
    }

    // ---- losses and metrics -------------------------------------------------------------

    /// <inheritdoc/>
    public virtual void LossForward(LossKind kind, Tensor<T> predictions, Tensor<T> targets, Tensor<T> perSample, T epsilon)
    {
        if (predictions.Shape != targets.Shape)
        {
            ShapeMismatchException.ThrowIfDifferent($"{kind} targets vs predictions", predictions.Shape, targets.Shape);
        }
        if (perSample.Length != predictions.Rows)
        {
            CheckLength($"{kind} per-sample output", predictions.Rows, perSample);
        }
        int cols = predictions.Columns;
        Span<T> p = Data(predictions), y = Data(targets), l = Data(perSample);
        T d = T.CreateChecked(cols);
        for (int r = 0; r < predictions.Rows; r++)
        {
            ReadOnlySpan<T> pr = p.Slice(r * cols, cols), yr = y.Slice(r * cols, cols);
            T acc = T.Zero;
            switch (kind)
            {
                case LossKind.MeanSquaredError:
                    for (int j = 0; j < cols; j++)
                    {
                        T e = pr[j] - yr[j];
                        acc += e * e;
                    }
                    l[r] = acc / d;
                    break;
                case LossKind.MeanAbsoluteError:
                    for (int j = 0; j < cols; j++)
                    {
                        acc += T.Abs(pr[j] - yr[j]);
                    }
                    l[r] = acc / d;
                    break;
                case LossKind.BinaryCrossentropy:
                    for (int j = 0; j < cols; j++)
                    {
                        T q = T.Clamp(pr[j], epsilon, T.One - epsilon);
                        acc -= (yr[j] * T.Log(q)) + ((T.One - yr[j]) * T.Log(T.One - q));
                    }
                    l[r] = acc / d;
                    break;
                case LossKind.CategoricalCrossentropy:
                    T s = T.Zero;
                    for (int j = 0; j < cols; j++)
                    {
                        s += pr[j];
                    }
                    for (int j = 0; j < cols; j++)
                    {
                        T q = T.Clamp(pr[j] / s, epsilon, T.One - epsilon);
                        acc -= yr[j] * T.Log(q);
                    }
                    l[r] = acc;
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
            }
        }
    }

    /// <inheritdoc/>
    public virtual void LossBackward(LossKind kind, Tensor<T> predictions, Tensor<T> targets, T scale, Tensor<T> gradient, T epsilon)
    {
        if (predictions.Shape != targets.Shape)
        {
            ShapeMismatchException.ThrowIfDifferent($"{kind} targets vs predictions", predictions.Shape, targets.Shape);
        }
        if (predictions.Shape != gradient.Shape)
        {
            ShapeMismatchException.ThrowIfDifferent($"{kind} gradient vs predictions", predictions.Shape, gradient.Shape);
        }
        int cols = predictions.Columns;
        Span<T> p = Data(predictions), y = Data(targets), g = Data(gradient);
        T d = T.CreateChecked(cols);
        T two = T.One + T.One;
        for (int r = 0; r < predictions.Rows; r++)
        {
            int o = r * cols;
            switch (kind)
            {
                case LossKind.MeanSquaredError:
                    for (int j = 0; j < cols; j++)
                    {
                        g[o + j] = scale * two * (p[o + j] - y[o + j]) / d;
                    }
                    break;
                case LossKind.MeanAbsoluteError:
                    for (int j = 0; j < cols; j++)
                    {
                        T e = p[o + j] - y[o + j];
                        T s = e > T.Zero ? T.One : e < T.Zero ? -T.One : T.Zero;
                        g[o + j] = scale * s / d;
                    }
                    break;
                case LossKind.BinaryCrossentropy:
                    // ∂/∂p of −[y ln p + (1−y) ln(1−p)] = (p − y) / (p(1 − p)), zero where the clip is active.
                    for (int j = 0; j < cols; j++)
                    {
                        T pj = p[o + j];
                        bool inside = pj > epsilon && pj < T.One - epsilon;
                        g[o + j] = inside ? scale * (pj - y[o + j]) / (pj * (T.One - pj)) / d : T.Zero;
                    }
                    break;
                case LossKind.CategoricalCrossentropy:
                    // q = p / Σp, L = −Σ y ln clip(q). With u_j = ∂L/∂q_j = −y_j/q_j (0 where clipped):
                    // ∂L/∂p_k = (u_k − Σ_j u_j q_j) / Σp.
                    T sum = T.Zero;
                    for (int j = 0; j < cols; j++)
                    {
                        sum += p[o + j];
                    }
                    T uq = T.Zero;
                    for (int j = 0; j < cols; j++)
                    {
                        T q = p[o + j] / sum;
                        bool inside = q > epsilon && q < T.One - epsilon;
                        T u = inside ? -y[o + j] / q : T.Zero;
                        g[o + j] = u;
                        uq += u * q;
                    }
                    for (int j = 0; j < cols; j++)
                    {
                        g[o + j] = scale * (g[o + j] - uq) / sum;
                    }
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
            }
        }
    }

    /// <inheritdoc/>
    public virtual int CountCorrect(AccuracyKind kind, Tensor<T> predictions, Tensor<T> targets)
    {
        if (predictions.Shape != targets.Shape)
        {
            ShapeMismatchException.ThrowIfDifferent($"{kind} accuracy targets vs predictions", predictions.Shape, targets.Shape);
        }
        Span<T> p = Data(predictions), y = Data(targets);
        int correct = 0;
        if (kind == AccuracyKind.Binary)
        {
            T half = T.CreateChecked(0.5);
            for (int i = 0; i < p.Length; i++)
            {
                T rounded = p[i] > half ? T.One : T.Zero;
                if (rounded == y[i])
                {
                    correct++;
                }
            }
            return correct;
        }
        int cols = predictions.Columns;
        for (int r = 0; r < predictions.Rows; r++)
        {
            if (ArgMax(p.Slice(r * cols, cols)) == ArgMax(y.Slice(r * cols, cols)))
            {
                correct++;
            }
        }
        return correct;
    }

    /// <summary>Index of the first maximum.</summary>
    protected static int ArgMax(ReadOnlySpan<T> row)
    {
        int best = 0;
        for (int j = 1; j < row.Length; j++)
        {
            if (row[j] > row[best])
            {
                best = j;
            }
        }
        return best;
    }

    // ---- randomness ---------------------------------------------------------------------

    /// <inheritdoc/>
    public virtual void DropoutMask(ulong seed, T rate, Tensor<T> mask)
    {
        Span<T> m = Data(mask);
        T keepScale = T.One / (T.One - rate);
        T unit = T.CreateChecked(1.0 / 16777216.0);
        for (int i = 0; i < m.Length; i++)
        {
            T u = T.CreateChecked(CounterRng.Hash(seed, (ulong)i) >> 40) * unit;
            m[i] = u >= rate ? keepScale : T.Zero;
        }
    }

    // ---- optimizer updates --------------------------------------------------------------

    /// <inheritdoc/>
    public virtual void SgdUpdate(Tensor<T> parameter, Tensor<T> gradient, Tensor<T>? velocity, T learningRate, T momentum, bool nesterov)
    {
        SameLength("SgdUpdate", parameter, gradient);
        Span<T> p = Data(parameter), g = Data(gradient);
        if (velocity is null)
        {
            for (int i = 0; i < p.Length; i++)
            {
                p[i] -= learningRate * g[i];
            }
            return;
        }
        SameLength("SgdUpdate velocity", parameter, velocity);
        Span<T> v = Data(velocity);
        for (int i = 0; i < p.Length; i++)
        {
            v[i] = (momentum * v[i]) - (learningRate * g[i]);
            p[i] = nesterov ? p[i] + (momentum * v[i]) - (learningRate * g[i]) : p[i] + v[i];
        }
    }

    /// <inheritdoc/>
    public virtual void RmsPropUpdate(Tensor<T> parameter, Tensor<T> gradient, Tensor<T> accumulator, T learningRate, T rho, T epsilon)
    {
        SameLength("RmsPropUpdate", parameter, gradient);
        SameLength("RmsPropUpdate accumulator", parameter, accumulator);
        Span<T> p = Data(parameter), g = Data(gradient), a = Data(accumulator);
        for (int i = 0; i < p.Length; i++)
        {
            a[i] = (rho * a[i]) + ((T.One - rho) * g[i] * g[i]);
            p[i] -= learningRate * g[i] / (T.Sqrt(a[i]) + epsilon);
        }
    }

    /// <inheritdoc/>
    public virtual void AdamUpdate(Tensor<T> parameter, Tensor<T> gradient, Tensor<T> m, Tensor<T> v, T learningRateT, T beta1, T beta2, T epsilon)
    {
        SameLength("AdamUpdate", parameter, gradient);
        SameLength("AdamUpdate m", parameter, m);
        SameLength("AdamUpdate v", parameter, v);
        Span<T> p = Data(parameter), g = Data(gradient), ms = Data(m), vs = Data(v);
        for (int i = 0; i < p.Length; i++)
        {
            ms[i] = (beta1 * ms[i]) + ((T.One - beta1) * g[i]);
            vs[i] = (beta2 * vs[i]) + ((T.One - beta2) * g[i] * g[i]);
            p[i] -= learningRateT * ms[i] / (T.Sqrt(vs[i]) + epsilon);
        }
    }

    /// <inheritdoc/>
    public virtual void AdaGradUpdate(Tensor<T> parameter, Tensor<T> gradient, Tensor<T> accumulator, T learningRate, T epsilon)
    {
        SameLength("AdaGradUpdate", parameter, gradient);
        SameLength("AdaGradUpdate accumulator", parameter, accumulator);
        Span<T> p = Data(parameter), g = Data(gradient), a = Data(accumulator);
        for (int i = 0; i < p.Length; i++)
        {
            a[i] += g[i] * g[i];
            p[i] -= learningRate * g[i] / (T.Sqrt(a[i]) + epsilon);
        }
    }

    // ---- checks -------------------------------------------------------------------------

    /// <summary>Throws unless both tensors have the same number of elements.</summary>
    protected static void SameLength(string what, Tensor<T> a, Tensor<T> b)
    {
        if (a.Length != b.Length)
        {
            throw new ShapeMismatchException(what, a.Shape.ToString(), b.Shape);
        }
    }

    /// <summary>Throws unless both tensors have the same number of elements; the message names the operation and its kind.</summary>
    /// <remarks>Generic in the kind so that the hot path neither boxes nor formats a string.</remarks>
    protected static void SameLength<TKind>(string what, TKind kind, Tensor<T> a, Tensor<T> b)
        where TKind : struct, Enum
    {
        if (a.Length != b.Length)
        {
            throw new ShapeMismatchException($"{what} {kind}", a.Shape.ToString(), b.Shape);
        }
    }

    /// <summary>Throws unless the tensor has <paramref name="expected"/> elements.</summary>
    protected static void CheckLength(string what, int expected, Tensor<T> t)
    {
        if (t.Length != expected)
        {
            throw new ShapeMismatchException(what, $"{expected} elements", t.Shape);
        }
    }
}
