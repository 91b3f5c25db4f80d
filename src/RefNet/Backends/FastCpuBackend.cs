// FastCpuBackend: the CPU backend with its hot elementwise operations vectorized (SIMD).
// Every override computes exactly what CpuBackend's plain loop computes (same operations, same order).
using System.Numerics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using RefNet.Backends.Cpu;
using RefNet.Tensors;

namespace RefNet.Backends;

/// <summary>The default CPU backend: <see cref="CpuBackend{T}"/> with vectorized elementwise operations and a fast GEMM.</summary>
/// <typeparam name="T">float or double.</typeparam>
/// <remarks>
/// Each override produces bitwise the same result as the plain loop it replaces: the same IEEE operations
/// in the same order per element (no fused multiply-add, no reordered sums). Reductions whose order
/// would change (Sum, SumOfSquares, softmax, losses) and transcendental activations (sigmoid, tanh)
/// are inherited unchanged from <see cref="CpuBackend{T}"/>. <see cref="TensorPrimitives"/> is used only
/// for single-operation elementwise arithmetic, where its result is the IEEE result.
/// </remarks>
public sealed class FastCpuBackend<T> : CpuBackend<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the backend.</summary>
    /// <param name="gemm">The GEMM implementation; <see cref="GemmSelector.Default"/> when null.</param>
    public FastCpuBackend(IGemm? gemm = null)
        : base(gemm)
    {
    }

    /// <inheritdoc/>
    public override void AddRowVector(Tensor<T> x, Tensor<T> v, Tensor<T> y)
    {
        int cols = x.Columns;
        CheckLength("AddRowVector vector", cols, v);
        SameLength("AddRowVector", x, y);
        Span<T> xs = Data(x), vs = Data(v), ys = Data(y);
        for (int i = 0; i < x.Rows; i++)
        {
            TensorPrimitives.Add(xs.Slice(i * cols, cols), vs, ys.Slice(i * cols, cols));
        }
    }

    /// <inheritdoc/>
    /// <remarks>Adds row after row as the plain loop does, so each column's sum has the same order.</remarks>
    public override void SumRows(Tensor<T> x, Tensor<T> y)
    {
        int cols = x.Columns;
        CheckLength("SumRows output", cols, y);
        Span<T> xs = Data(x), ys = Data(y);
        ys.Clear();
        for (int i = 0; i < x.Rows; i++)
        {
            TensorPrimitives.Add(ys, xs.Slice(i * cols, cols), ys);
        }
    }

    /// <inheritdoc/>
    public override void Add(Tensor<T> a, Tensor<T> b, Tensor<T> y)
    {
        SameLength("Add", a, b);
        SameLength("Add", a, y);
        TensorPrimitives.Add(Data(a), Data(b), Data(y));
    }

    /// <inheritdoc/>
    public override void Subtract(Tensor<T> a, Tensor<T> b, Tensor<T> y)
    {
        SameLength("Subtract", a, b);
        SameLength("Subtract", a, y);
        TensorPrimitives.Subtract(Data(a), Data(b), Data(y));
    }

    /// <inheritdoc/>
    public override void Multiply(Tensor<T> a, Tensor<T> b, Tensor<T> y)
    {
        SameLength("Multiply", a, b);
        SameLength("Multiply", a, y);
        TensorPrimitives.Multiply(Data(a), Data(b), Data(y));
    }

    /// <inheritdoc/>
    public override void Scale(Tensor<T> x, T alpha, Tensor<T> y)
    {
        SameLength("Scale", x, y);
        TensorPrimitives.Multiply(Data(x), alpha, Data(y));
    }

    /// <inheritdoc/>
    public override void Axpy(T alpha, Tensor<T> x, Tensor<T> y)
    {
        SameLength("Axpy", x, y);
        Span<T> sx = Data(x), sy = Data(y);
        int i = 0;
        var va = new Vector<T>(alpha);
        for (; i <= sy.Length - Vector<T>.Count; i += Vector<T>.Count)
        {
            (new Vector<T>(sy[i..]) + (va * new Vector<T>(sx[i..]))).CopyTo(sy[i..]);
        }
        for (; i < sy.Length; i++)
        {
            sy[i] += alpha * sx[i];
        }
    }

    /// <inheritdoc/>
    public override void Activation(ActivationKind kind, Tensor<T> x, Tensor<T> y)
    {
        if (kind != ActivationKind.Relu)
        {
            base.Activation(kind, x, y);
            return;
        }
        SameLength("Activation", kind, x, y);
        // relu: x > 0 ? x : 0 (NaN and −0 give +0, exactly like the plain loop).
        Span<T> sx = Data(x), sy = Data(y);
        int i = 0;
        for (; i <= sy.Length - Vector<T>.Count; i += Vector<T>.Count)
        {
            var v = new Vector<T>(sx[i..]);
            Vector.ConditionalSelect(Vector.GreaterThan(v, Vector<T>.Zero), v, Vector<T>.Zero).CopyTo(sy[i..]);
        }
        for (; i < sy.Length; i++)
        {
            sy[i] = sx[i] > T.Zero ? sx[i] : T.Zero;
        }
    }

    /// <inheritdoc/>
    public override void ActivationBackward(ActivationKind kind, Tensor<T> output, Tensor<T> outputGradient, Tensor<T> inputGradient)
    {
        if (kind != ActivationKind.Relu)
        {
            base.ActivationBackward(kind, output, outputGradient, inputGradient);
            return;
        }
        SameLength("ActivationBackward", kind, output, outputGradient);
        SameLength("ActivationBackward", kind, output, inputGradient);
        // relu': y > 0 ? g : 0
        Span<T> y = Data(output), g = Data(outputGradient), dx = Data(inputGradient);
        int i = 0;
        for (; i <= dx.Length - Vector<T>.Count; i += Vector<T>.Count)
        {
            var keep = Vector.GreaterThan(new Vector<T>(y[i..]), Vector<T>.Zero);
            Vector.ConditionalSelect(keep, new Vector<T>(g[i..]), Vector<T>.Zero).CopyTo(dx[i..]);
        }
        for (; i < dx.Length; i++)
        {
            dx[i] = y[i] > T.Zero ? g[i] : T.Zero;
        }
    }

    /// <inheritdoc/>
    /// <remarks>The same hash as <see cref="CpuBackend{T}.DropoutMask"/>, four or eight indices at a time.
    /// u = h·2⁻²⁴ with h the top 24 bits is exact, so "u ≥ rate" equals "h ≥ ⌈rate·2²⁴⌉" in integers.</remarks>
    public override void DropoutMask(ulong seed, T rate, Tensor<T> mask)
    {
        Span<T> m = Data(mask);
        T keepScale = T.One / (T.One - rate);
        double scaled = Math.Ceiling(double.CreateChecked(rate) * 16777216.0);
        ulong threshold = scaled <= 0 ? 0UL : (ulong)scaled;
        int width = Vector<ulong>.Count;
        int i = 0;
        if (Vector.IsHardwareAccelerated && (typeof(T) == typeof(double) || typeof(T) == typeof(float)))
        {
            var lane = Vector<ulong>.Indices;
            var vseed = new Vector<ulong>(seed);
            var gamma = new Vector<ulong>(0x9E3779B97F4A7C15UL);
            var m1 = new Vector<ulong>(0xBF58476D1CE4E5B9UL);
            var m2 = new Vector<ulong>(0x94D049BB133111EBUL);
            var thr = new Vector<ulong>(threshold);
            var keep = new Vector<T>(keepScale);
            int step = typeof(T) == typeof(float) ? 2 * width : width;
            for (; i <= m.Length - step; i += step)
            {
                Vector<ulong> k0 = Keep(vseed, (ulong)i, lane, gamma, m1, m2, thr);
                Vector<T> sel;
                if (typeof(T) == typeof(float))
                {
                    Vector<ulong> k1 = Keep(vseed, (ulong)(i + width), lane, gamma, m1, m2, thr);
                    sel = Vector.Narrow(k0, k1).As<uint, T>();
                }
                else
                {
                    sel = k0.As<ulong, T>();
                }
                Vector.ConditionalSelect(sel, keep, Vector<T>.Zero).CopyTo(m[i..]);
            }
        }
        for (; i < m.Length; i++)
        {
            ulong h = CounterRng.Hash(seed, (ulong)i) >> 40;
            m[i] = h >= threshold ? keepScale : T.Zero;
        }
    }

    // All-ones lanes where index first+lane is kept: CounterRng.Hash(seed, index) >> 40 ≥ threshold.
    private static Vector<ulong> Keep(Vector<ulong> seed, ulong first, Vector<ulong> lane, Vector<ulong> gamma,
        Vector<ulong> m1, Vector<ulong> m2, Vector<ulong> threshold)
    {
        Vector<ulong> index = new Vector<ulong>(first + 1UL) + lane;
        Vector<ulong> z = seed + (index * gamma);
        z = (z ^ (z >>> 30)) * m1;
        z = (z ^ (z >>> 27)) * m2;
        z ^= z >>> 31;
        return Vector.GreaterThanOrEqual(z >>> 40, threshold);
    }

    /// <inheritdoc/>
    public override void SgdUpdate(Tensor<T> parameter, Tensor<T> gradient, Tensor<T>? velocity, T learningRate, T momentum, bool nesterov)
    {
        if (velocity is not null)
        {
            base.SgdUpdate(parameter, gradient, velocity, learningRate, momentum, nesterov);
            return;
        }
        SameLength("SgdUpdate", parameter, gradient);
        // p −= lr·g
        Span<T> p = Data(parameter), g = Data(gradient);
        var lr = new Vector<T>(learningRate);
        int i = 0;
        for (; i <= p.Length - Vector<T>.Count; i += Vector<T>.Count)
        {
            (new Vector<T>(p[i..]) - (lr * new Vector<T>(g[i..]))).CopyTo(p[i..]);
        }
        for (; i < p.Length; i++)
        {
            p[i] -= learningRate * g[i];
        }
    }

    /// <inheritdoc/>
    public override void RmsPropUpdate(Tensor<T> parameter, Tensor<T> gradient, Tensor<T> accumulator, T learningRate, T rho, T epsilon)
    {
        SameLength("RmsPropUpdate", parameter, gradient);
        SameLength("RmsPropUpdate accumulator", parameter, accumulator);
        Span<T> p = Data(parameter), g = Data(gradient), a = Data(accumulator);
        // a = ρ·a + ((1−ρ)·g)·g;  p −= (lr·g) / (√a + ε) — the plain loop's operations, in its order.
        T oneMinusRho = T.One - rho;
        var vr = new Vector<T>(rho);
        var v1r = new Vector<T>(oneMinusRho);
        var vlr = new Vector<T>(learningRate);
        var veps = new Vector<T>(epsilon);
        int i = 0;
        for (; i <= p.Length - Vector<T>.Count; i += Vector<T>.Count)
        {
            var gi = new Vector<T>(g[i..]);
            Vector<T> ai = (vr * new Vector<T>(a[i..])) + (v1r * gi * gi);
            ai.CopyTo(a[i..]);
            (new Vector<T>(p[i..]) - ((vlr * gi) / (Vector.SquareRoot(ai) + veps))).CopyTo(p[i..]);
        }
        for (; i < p.Length; i++)
        {
            a[i] = (rho * a[i]) + (oneMinusRho * g[i] * g[i]);
            p[i] -= learningRate * g[i] / (T.Sqrt(a[i]) + epsilon);
        }
    }

    /// <inheritdoc/>
    public override void AdamUpdate(Tensor<T> parameter, Tensor<T> gradient, Tensor<T> m, Tensor<T> v, T learningRateT, T beta1, T beta2, T epsilon)
    {
        SameLength("AdamUpdate", parameter, gradient);
        SameLength("AdamUpdate m", parameter, m);
        SameLength("AdamUpdate v", parameter, v);
        Span<T> p = Data(parameter), g = Data(gradient), ms = Data(m), vs = Data(v);
        T oneMinusB1 = T.One - beta1;
        T oneMinusB2 = T.One - beta2;
        var vb1 = new Vector<T>(beta1);
        var v1b1 = new Vector<T>(oneMinusB1);
        var vb2 = new Vector<T>(beta2);
        var v1b2 = new Vector<T>(oneMinusB2);
        var vlr = new Vector<T>(learningRateT);
        var veps = new Vector<T>(epsilon);
        int i = 0;
        for (; i <= p.Length - Vector<T>.Count; i += Vector<T>.Count)
        {
            var gi = new Vector<T>(g[i..]);
            Vector<T> mi = (vb1 * new Vector<T>(ms[i..])) + (v1b1 * gi);
            Vector<T> vi = (vb2 * new Vector<T>(vs[i..])) + (v1b2 * gi * gi);
            mi.CopyTo(ms[i..]);
            vi.CopyTo(vs[i..]);
            (new Vector<T>(p[i..]) - ((vlr * mi) / (Vector.SquareRoot(vi) + veps))).CopyTo(p[i..]);
        }
        for (; i < p.Length; i++)
        {
            ms[i] = (beta1 * ms[i]) + (oneMinusB1 * g[i]);
            vs[i] = (beta2 * vs[i]) + (oneMinusB2 * g[i] * g[i]);
            p[i] -= learningRateT * ms[i] / (T.Sqrt(vs[i]) + epsilon);
        }
    }
}
