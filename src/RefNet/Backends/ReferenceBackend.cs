// ReferenceBackend: the specification of every backend primitive, as plain loops over host arrays.
// The other backends are tested against it; gradient checks run on it. Favours clarity over speed.
using System.Numerics;
using RefNet.Backends.Cpu;
using RefNet.Tensors;

namespace RefNet.Backends;

/// <summary>The plain specification backend: host arrays, straightforward loops, the textbook triple-loop GEMM.</summary>
/// <typeparam name="T">float or double.</typeparam>
/// <remarks>Slow on purpose: each primitive reads like its definition. <see cref="CpuBackend{T}"/> derives from it and
/// replaces the hot loops with vectorized ones that compute bitwise the same results.</remarks>
public class ReferenceBackend<T> : Backend<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The shared instance.</summary>
    public static ReferenceBackend<T> Instance { get; } = new();

    /// <inheritdoc/>
    public override string Name => "reference";

    /// <summary>The host array behind a tensor (throws for device tensors).</summary>
    protected static Span<T> Data(Tensor<T> t) => t.Span;

    // ---- memory -------------------------------------------------------------------------

    /// <inheritdoc/>
    public override bool Owns(Tensor<T> tensor) => tensor.IsHost;

    /// <inheritdoc/>
    protected override Tensor<T> AllocateCore(Shape shape) => new(shape, new HostStorage<T>(new T[shape.Length]));

    /// <inheritdoc/>
    protected override void CopyFromHostCore(ReadOnlySpan<T> source, Tensor<T> destination) => source.CopyTo(Data(destination));

    /// <inheritdoc/>
    protected override void CopyCore(Tensor<T> source, Tensor<T> destination) => Data(source).CopyTo(Data(destination));

    /// <inheritdoc/>
    protected override void FillCore(Tensor<T> destination, T value) => Data(destination).Fill(value);

    // ---- linear algebra -----------------------------------------------------------------

    /// <inheritdoc/>
    protected override void MatMulCore(Tensor<T> a, bool transposeA, Tensor<T> b, bool transposeB, Tensor<T> c, T alpha, T beta, int m, int n, int k) =>
        ReferenceGemm.Instance.Multiply(transposeA, transposeB, m, n, k, alpha, Data(a), a.Columns, Data(b), b.Columns, beta, Data(c), n);

    /// <inheritdoc/>
    protected override void AddRowVectorCore(Tensor<T> x, Tensor<T> v, Tensor<T> y)
    {
        int cols = x.Columns;
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
    protected override void SumRowsCore(Tensor<T> x, Tensor<T> y)
    {
        int cols = x.Columns;
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

    // ---- elementwise formulas -----------------------------------------------------------

    /// <inheritdoc/>
    protected override void MapCore<F>(Tensor<T> x, Tensor<T> y, F f)
    {
        Span<T> sx = Data(x), sy = Data(y);
        for (int i = 0; i < sy.Length; i++)
        {
            sy[i] = f.Apply(sx[i]);
        }
    }

    /// <inheritdoc/>
    protected override void MapCore<F>(Tensor<T> a, Tensor<T> b, Tensor<T> y, F f)
    {
        Span<T> sa = Data(a), sb = Data(b), sy = Data(y);
        for (int i = 0; i < sy.Length; i++)
        {
            sy[i] = f.Apply(sa[i], sb[i]);
        }
    }

    /// <inheritdoc/>
    protected override void MapCore<F>(Tensor<T> a, Tensor<T> b, Tensor<T> c, Tensor<T> y, F f)
    {
        Span<T> sa = Data(a), sb = Data(b), sc = Data(c), sy = Data(y);
        for (int i = 0; i < sy.Length; i++)
        {
            sy[i] = f.Apply(sa[i], sb[i], sc[i]);
        }
    }

    /// <inheritdoc/>
    protected override void UpdateCore<F>(Tensor<T> parameter, Tensor<T> gradient, F f)
    {
        Span<T> p = Data(parameter), g = Data(gradient);
        for (int i = 0; i < p.Length; i++)
        {
            f.Apply(ref p[i], g[i]);
        }
    }

    /// <inheritdoc/>
    protected override void UpdateCore<F>(Tensor<T> parameter, Tensor<T> gradient, Tensor<T> state, F f)
    {
        Span<T> p = Data(parameter), g = Data(gradient), s = Data(state);
        for (int i = 0; i < p.Length; i++)
        {
            f.Apply(ref p[i], g[i], ref s[i]);
        }
    }

    /// <inheritdoc/>
    protected override void UpdateCore<F>(Tensor<T> parameter, Tensor<T> gradient, Tensor<T> state1, Tensor<T> state2, F f)
    {
        Span<T> p = Data(parameter), g = Data(gradient), s1 = Data(state1), s2 = Data(state2);
        for (int i = 0; i < p.Length; i++)
        {
            f.Apply(ref p[i], g[i], ref s1[i], ref s2[i]);
        }
    }

    /// <inheritdoc/>
    protected override void GenerateCore<F>(Tensor<T> y, F f)
    {
        Span<T> sy = Data(y);
        for (int i = 0; i < sy.Length; i++)
        {
            sy[i] = f.Apply(i);
        }
    }

    // ---- row functions and reductions ---------------------------------------------------

    /// <inheritdoc/>
    protected override void MapRowsCore<F>(Tensor<T> a, Tensor<T> b, Tensor<T> y, F f)
    {
        int cols = a.Columns;
        Span<T> sa = Data(a), sb = Data(b), sy = Data(y);
        for (int o = 0; o < sa.Length; o += cols)
        {
            (T r1, T r2) = Folds(sa.Slice(o, cols), sb.Slice(o, cols), f);
            for (int j = 0; j < cols; j++)
            {
                sy[o + j] = f.Apply(sa[o + j], sb[o + j], r1, r2);
            }
        }
    }

    /// <inheritdoc/>
    protected override void ReduceRowsCore<F>(Tensor<T> a, Tensor<T> b, Tensor<T> perRow, F f)
    {
        int cols = a.Columns;
        Span<T> sa = Data(a), sb = Data(b), l = Data(perRow);
        for (int r = 0; r < a.Rows; r++)
        {
            (T r1, T r2) = Folds(sa.Slice(r * cols, cols), sb.Slice(r * cols, cols), f);
            l[r] = f.Finish(r1, r2);
        }
    }

    /// <summary>The two left-to-right passes of a row function over one row.</summary>
    protected static (T R1, T R2) Folds<F>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, F f)
        where F : struct, IRowFunction<T>
    {
        T r1 = f.Initial1;
        for (int j = 0; j < a.Length; j++)
        {
            r1 = f.Step1(r1, a[j], b[j]);
        }
        T r2 = f.Initial2;
        for (int j = 0; j < a.Length; j++)
        {
            r2 = f.Step2(r2, a[j], b[j], r1);
        }
        return (r1, r2);
    }

    /// <inheritdoc/>
    protected override void ArgMaxRowsCore(Tensor<T> x, Tensor<T> indices)
    {
        int cols = x.Columns;
        Span<T> sx = Data(x), si = Data(indices);
        for (int r = 0; r < x.Rows; r++)
        {
            int best = 0;
            for (int j = 1; j < cols; j++)
            {
                if (sx[r * cols + j] > sx[r * cols + best])
                {
                    best = j;
                }
            }
            si[r] = T.CreateChecked(best);
        }
    }

    /// <inheritdoc/>
    protected override T SumCore<F>(Tensor<T> x, F f)
    {
        T s = T.Zero;
        foreach (T v in Data(x))
        {
            s += f.Apply(v);
        }
        return s;
    }

    /// <inheritdoc/>
    protected override int CountWhereCore<F>(Tensor<T> a, Tensor<T> b, F f)
    {
        Span<T> sa = Data(a), sb = Data(b);
        int count = 0;
        for (int i = 0; i < sa.Length; i++)
        {
            if (f.Test(sa[i], sb[i]))
            {
                count++;
            }
        }
        return count;
    }

    // ---- structure ----------------------------------------------------------------------

    /// <inheritdoc/>
    protected override void Im2ColCore(Tensor<T> x, ConvGeometry g, Tensor<T> columns)
    {
        Span<T> sx = Data(x), col = Data(columns);
        int i = 0;
        for (int n = 0; n < g.Batch; n++)
        {
            for (int oy = 0; oy < g.OutHeight; oy++)
            {
                for (int ox = 0; ox < g.OutWidth; ox++)
                {
                    for (int ky = 0; ky < g.KernelHeight; ky++)
                    {
                        for (int kx = 0; kx < g.KernelWidth; kx++)
                        {
                            int iy = (oy * g.StrideHeight) - g.PadTop + (ky * g.DilationHeight);
                            int ix = (ox * g.StrideWidth) - g.PadLeft + (kx * g.DilationWidth);
                            bool inside = iy >= 0 && iy < g.Height && ix >= 0 && ix < g.Width;
                            for (int c = 0; c < g.Channels; c++)
                            {
                                col[i++] = inside ? sx[(((n * g.Height) + iy) * g.Width + ix) * g.Channels + c] : T.Zero;
                            }
                        }
                    }
                }
            }
        }
    }

    /// <inheritdoc/>
    protected override void Col2ImCore(Tensor<T> columns, ConvGeometry g, Tensor<T> dx)
    {
        Span<T> col = Data(columns), d = Data(dx);
        int rowLength = g.KernelHeight * g.KernelWidth * g.Channels;
        for (int n = 0; n < g.Batch; n++)
        {
            for (int iy = 0; iy < g.Height; iy++)
            {
                for (int ix = 0; ix < g.Width; ix++)
                {
                    for (int c = 0; c < g.Channels; c++)
                    {
                        // Gather: every (ky, kx) whose window position lands on (iy, ix) at a whole output pixel.
                        T sum = T.Zero;
                        for (int ky = 0; ky < g.KernelHeight; ky++)
                        {
                            int ty = iy + g.PadTop - (ky * g.DilationHeight);
                            if (ty < 0 || ty % g.StrideHeight != 0 || ty / g.StrideHeight >= g.OutHeight)
                            {
                                continue;
                            }
                            for (int kx = 0; kx < g.KernelWidth; kx++)
                            {
                                int tx = ix + g.PadLeft - (kx * g.DilationWidth);
                                if (tx < 0 || tx % g.StrideWidth != 0 || tx / g.StrideWidth >= g.OutWidth)
                                {
                                    continue;
                                }
                                int row = ((n * g.OutHeight) + (ty / g.StrideHeight)) * g.OutWidth + (tx / g.StrideWidth);
                                sum += col[(row * rowLength) + (((ky * g.KernelWidth) + kx) * g.Channels) + c];
                            }
                        }
                        d[(((n * g.Height) + iy) * g.Width + ix) * g.Channels + c] = sum;
                    }
                }
            }
        }
    }

    /// <inheritdoc/>
    protected override void Pool2DCore(Tensor<T> x, ConvGeometry g, PoolKind kind, Tensor<T> y)
    {
        Span<T> sx = Data(x), sy = Data(y);
        for (int n = 0; n < g.Batch; n++)
        {
            for (int oy = 0; oy < g.OutHeight; oy++)
            {
                for (int ox = 0; ox < g.OutWidth; ox++)
                {
                    for (int c = 0; c < g.Channels; c++)
                    {
                        T acc = kind == PoolKind.Max ? T.NegativeInfinity : T.Zero;
                        int count = 0;
                        for (int ky = 0; ky < g.KernelHeight; ky++)
                        {
                            int iy = (oy * g.StrideHeight) - g.PadTop + ky;
                            for (int kx = 0; kx < g.KernelWidth; kx++)
                            {
                                int ix = (ox * g.StrideWidth) - g.PadLeft + kx;
                                if (iy < 0 || iy >= g.Height || ix < 0 || ix >= g.Width)
                                {
                                    continue;
                                }
                                T v = sx[(((n * g.Height) + iy) * g.Width + ix) * g.Channels + c];
                                acc = kind == PoolKind.Average ? acc + v : PoolRules<T>.MaxStep(acc, v);
                                count++;
                            }
                        }
                        sy[(((n * g.OutHeight) + oy) * g.OutWidth + ox) * g.Channels + c] =
                            kind == PoolKind.Average ? acc / T.CreateChecked(count) : acc;
                    }
                }
            }
        }
    }

    /// <inheritdoc/>
    protected override void Pool2DBackwardCore(Tensor<T> x, Tensor<T> outputGradient, ConvGeometry g, PoolKind kind, Tensor<T> dx)
    {
        Span<T> sx = Data(x), go = Data(outputGradient), d = Data(dx);
        for (int n = 0; n < g.Batch; n++)
        {
            for (int iy = 0; iy < g.Height; iy++)
            {
                for (int ix = 0; ix < g.Width; ix++)
                {
                    for (int c = 0; c < g.Channels; c++)
                    {
                        d[(((n * g.Height) + iy) * g.Width + ix) * g.Channels + c] = PoolGradientAt(sx, go, g, kind, n, iy, ix, c);
                    }
                }
            }
        }
    }

    /// <summary>∂J/∂x[n, iy, ix, c]: the sum over the windows (ascending oy, ox) that contain the element and credit it.</summary>
    private static T PoolGradientAt(ReadOnlySpan<T> x, ReadOnlySpan<T> g, ConvGeometry geo, PoolKind kind, int n, int iy, int ix, int c)
    {
        T sum = T.Zero;
        for (int oy = 0; oy < geo.OutHeight; oy++)
        {
            int ky = iy + geo.PadTop - (oy * geo.StrideHeight);
            if (ky < 0 || ky >= geo.KernelHeight)
            {
                continue;
            }
            for (int ox = 0; ox < geo.OutWidth; ox++)
            {
                int kx = ix + geo.PadLeft - (ox * geo.StrideWidth);
                if (kx < 0 || kx >= geo.KernelWidth)
                {
                    continue;
                }
                (int firstMax, int count) = Window(x, geo, n, oy, ox, c);
                T gradient = g[(((n * geo.OutHeight) + oy) * geo.OutWidth + ox) * geo.Channels + c];
                if (kind == PoolKind.Average)
                {
                    sum += gradient / T.CreateChecked(count);
                }
                else if (firstMax == (ky * geo.KernelWidth) + kx)
                {
                    sum += gradient;
                }
            }
        }
        return sum;
    }

    /// <summary>The first maximum's window position (ky·kw + kx, row-major) and the count of unpadded elements of one window.</summary>
    private static (int FirstMax, int Count) Window(ReadOnlySpan<T> x, ConvGeometry g, int n, int oy, int ox, int c)
    {
        int best = -1;
        T max = T.Zero;
        int count = 0;
        for (int ky = 0; ky < g.KernelHeight; ky++)
        {
            int iy = (oy * g.StrideHeight) - g.PadTop + ky;
            for (int kx = 0; kx < g.KernelWidth; kx++)
            {
                int ix = (ox * g.StrideWidth) - g.PadLeft + kx;
                if (iy < 0 || iy >= g.Height || ix < 0 || ix >= g.Width)
                {
                    continue;
                }
                T v = x[(((n * g.Height) + iy) * g.Width + ix) * g.Channels + c];
                if (best < 0 || PoolRules<T>.Replaces(max, v))
                {
                    best = (ky * g.KernelWidth) + kx;
                    max = v;
                }
                count++;
            }
        }
        return (best, count);
    }

    /// <inheritdoc/>
    protected override void CopyColumnsCore(Tensor<T> source, int sourceColumn, Tensor<T> destination, int destinationColumn, int count, bool accumulate)
    {
        Span<T> s = Data(source), d = Data(destination);
        int sc = source.Columns, dc = destination.Columns;
        for (int r = 0; r < source.Rows; r++)
        {
            for (int j = 0; j < count; j++)
            {
                T v = s[(r * sc) + sourceColumn + j];
                int o = (r * dc) + destinationColumn + j;
                d[o] = accumulate ? d[o] + v : v;
            }
        }
    }

    /// <inheritdoc/>
    protected override void GatherRowsCore(Tensor<T> source, ReadOnlySpan<int> rows, Tensor<T> destination)
    {
        int cols = source.Columns;
        Span<T> src = Data(source), dst = Data(destination);
        for (int i = 0; i < rows.Length; i++)
        {
            src.Slice(rows[i] * cols, cols).CopyTo(dst.Slice(i * cols, cols));
        }
    }

    /// <inheritdoc/>
    protected override void GatherRowsCore(Tensor<T> table, Tensor<T> indices, int[] rows, Tensor<T> destination) =>
        GatherRowsCore(table, rows.AsSpan(), destination);

    /// <inheritdoc/>
    protected override void ScatterAddRowsCore(Tensor<T> source, Tensor<T> indices, int[] rows, Tensor<T> destination)
    {
        int cols = destination.Columns;
        Span<T> src = Data(source), dst = Data(destination);
        for (int i = 0; i < rows.Length; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                dst[(rows[i] * cols) + j] += src[(i * cols) + j];
            }
        }
    }
}
