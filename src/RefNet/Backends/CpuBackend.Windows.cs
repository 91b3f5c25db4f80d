// CpuBackend's convolution and pooling loops: the reference loops reordered so that each sample is one task (split
// across the worker team) and each pixel's channels are one contiguous run. Every output element is computed by the
// same IEEE operations in the same order as ReferenceBackend's loop, so the results are bitwise identical.
using System.Numerics;
using RefNet.Backends.Cpu;
using RefNet.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace RefNet.Backends;

public partial class CpuBackend<T>
{
    /// <inheritdoc/>
    /// <remarks>Copies each in-image kernel row (kw·C contiguous elements when the dilation is 1) with one block copy.</remarks>
    protected override void Im2ColCore(Tensor<T> x, ConvGeometry g, Tensor<T> columns) =>
        PerSample(WindowOp.Im2Col, x, columns, null, g, default);

    /// <inheritdoc/>
    /// <remarks>Per input pixel, adds the column entries of ascending (ky, kx) to a zeroed channel run, as the reference sum does.</remarks>
    protected override void Col2ImCore(Tensor<T> columns, ConvGeometry g, Tensor<T> dx) =>
        PerSample(WindowOp.Col2Im, columns, dx, null, g, default);

    /// <inheritdoc/>
    protected override void Pool2DCore(Tensor<T> x, ConvGeometry g, PoolKind kind, Tensor<T> y) =>
        PerSample(WindowOp.Pool, x, y, null, g, kind);

    /// <inheritdoc/>
    /// <remarks>Visits the windows in ascending (oy, ox) and adds each one's gradient to the element(s) it credits, so every
    /// input element receives its terms in the reference's order.</remarks>
    protected override void Pool2DBackwardCore(Tensor<T> x, Tensor<T> outputGradient, ConvGeometry g, PoolKind kind, Tensor<T> dx) =>
        PerSample(WindowOp.PoolBackward, x, dx, outputGradient, g, kind);

    private enum WindowOp
    {
        Im2Col,
        Col2Im,
        Pool,
        PoolBackward,
    }

    // One task per sample (each writes only its own sample's output rows), on the elementwise threads.
    private void PerSample(WindowOp op, Tensor<T> source, Tensor<T> destination, Tensor<T>? gradient, ConvGeometry g, PoolKind kind)
    {
        int threads = source.Length < ParallelThreshold ? 1 : CpuThreads.Count;
        SampleTasks body = SampleTasks.ForThisThread;
        body.Set(op, source, destination, gradient, g, kind);
        try
        {
            WorkerTeam.Shared.Run(body, g.Batch, threads);
        }
        finally
        {
            body.Clear();
        }
    }

    /// <summary>One window call's arguments, reused per calling thread (so a training step allocates nothing).</summary>
    private sealed class SampleTasks : ITaskBody
    {
        [ThreadStatic]
        private static SampleTasks? t_instance;

        private WindowOp _op;
        private Tensor<T>? _source, _destination, _gradient;
        private ConvGeometry _g;
        private PoolKind _kind;

        public static SampleTasks ForThisThread => t_instance ??= new SampleTasks();

        public void Set(WindowOp op, Tensor<T> source, Tensor<T> destination, Tensor<T>? gradient, ConvGeometry g, PoolKind kind) =>
            (_op, _source, _destination, _gradient, _g, _kind) = (op, source, destination, gradient, g, kind);

        public void Clear() => (_source, _destination, _gradient) = (null, null, null);

        public void Execute(int n)
        {
            switch (_op)
            {
                case WindowOp.Im2Col:
                    Im2ColSample(Data(_source!), Data(_destination!), _g, n);
                    break;
                case WindowOp.Col2Im:
                    Col2ImSample(Data(_source!), Data(_destination!), _g, n);
                    break;
                case WindowOp.Pool:
                    PoolSample(Data(_source!), Data(_destination!), _g, _kind, n);
                    break;
                default:
                    PoolBackwardSample(Data(_source!), Data(_gradient!), Data(_destination!), _g, _kind, n);
                    break;
            }
        }
    }

    private static void Im2ColSample(ReadOnlySpan<T> x, Span<T> columns, in ConvGeometry g, int n)
    {
        int c = g.Channels, kw = g.KernelWidth, rowLength = g.KernelHeight * kw * c;
        ReadOnlySpan<T> image = x.Slice(n * g.Height * g.Width * c, g.Height * g.Width * c);
        int row = n * g.OutHeight * g.OutWidth;
        for (int oy = 0; oy < g.OutHeight; oy++)
        {
            for (int ox = 0; ox < g.OutWidth; ox++, row++)
            {
                Span<T> patch = columns.Slice(row * rowLength, rowLength);
                int x0 = (ox * g.StrideWidth) - g.PadLeft;
                for (int ky = 0; ky < g.KernelHeight; ky++)
                {
                    int iy = (oy * g.StrideHeight) - g.PadTop + (ky * g.DilationHeight);
                    Span<T> kernelRow = patch.Slice(ky * kw * c, kw * c);
                    if (iy < 0 || iy >= g.Height)
                    {
                        kernelRow.Clear();
                        continue;
                    }
                    if (g.DilationWidth == 1 && x0 >= 0 && x0 + kw <= g.Width)
                    {
                        image.Slice(((iy * g.Width) + x0) * c, kw * c).CopyTo(kernelRow);
                        continue;
                    }
                    for (int kx = 0; kx < kw; kx++)
                    {
                        int ix = x0 + (kx * g.DilationWidth);
                        Span<T> pixel = kernelRow.Slice(kx * c, c);
                        if (ix >= 0 && ix < g.Width)
                        {
                            image.Slice(((iy * g.Width) + ix) * c, c).CopyTo(pixel);
                        }
                        else
                        {
                            pixel.Clear();
                        }
                    }
                }
            }
        }
    }

    private static void Col2ImSample(ReadOnlySpan<T> columns, Span<T> dx, in ConvGeometry g, int n)
    {
        int c = g.Channels, rowLength = g.KernelHeight * g.KernelWidth * c;
        Span<T> image = dx.Slice(n * g.Height * g.Width * c, g.Height * g.Width * c);
        image.Clear();
        for (int iy = 0; iy < g.Height; iy++)
        {
            for (int ix = 0; ix < g.Width; ix++)
            {
                Span<T> pixel = image.Slice(((iy * g.Width) + ix) * c, c);
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
                        int row = (((n * g.OutHeight) + (ty / g.StrideHeight)) * g.OutWidth) + (tx / g.StrideWidth);
                        TensorPrimitives.Add(pixel, columns.Slice((row * rowLength) + (((ky * g.KernelWidth) + kx) * c), c), pixel);
                    }
                }
            }
        }
    }

    private static void PoolSample(ReadOnlySpan<T> x, Span<T> y, in ConvGeometry g, PoolKind kind, int n)
    {
        int c = g.Channels;
        ReadOnlySpan<T> image = x.Slice(n * g.Height * g.Width * c, g.Height * g.Width * c);
        for (int oy = 0; oy < g.OutHeight; oy++)
        {
            for (int ox = 0; ox < g.OutWidth; ox++)
            {
                Span<T> acc = y.Slice((((n * g.OutHeight) + oy) * g.OutWidth + ox) * c, c);
                acc.Fill(kind == PoolKind.Max ? T.NegativeInfinity : T.Zero);
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
                        ReadOnlySpan<T> v = image.Slice(((iy * g.Width) + ix) * c, c);
                        if (kind == PoolKind.Average)
                        {
                            TensorPrimitives.Add(acc, v, acc);
                        }
                        else
                        {
                            for (int ch = 0; ch < c; ch++)
                            {
                                acc[ch] = PoolRules<T>.MaxStep(acc[ch], v[ch]);
                            }
                        }
                        count++;
                    }
                }
                if (kind == PoolKind.Average)
                {
                    TensorPrimitives.Divide(acc, T.CreateChecked(count), acc);
                }
            }
        }
    }

    private static void PoolBackwardSample(ReadOnlySpan<T> x, ReadOnlySpan<T> outputGradient, Span<T> dx, in ConvGeometry g, PoolKind kind, int n)
    {
        int c = g.Channels;
        ReadOnlySpan<T> image = x.Slice(n * g.Height * g.Width * c, g.Height * g.Width * c);
        Span<T> d = dx.Slice(n * g.Height * g.Width * c, g.Height * g.Width * c);
        d.Clear();
        for (int oy = 0; oy < g.OutHeight; oy++)
        {
            int y0 = (oy * g.StrideHeight) - g.PadTop;
            int kyFrom = Math.Max(0, -y0), kyTo = Math.Min(g.KernelHeight, g.Height - y0);
            for (int ox = 0; ox < g.OutWidth; ox++)
            {
                int x0 = (ox * g.StrideWidth) - g.PadLeft;
                int kxFrom = Math.Max(0, -x0), kxTo = Math.Min(g.KernelWidth, g.Width - x0);
                ReadOnlySpan<T> gradient = outputGradient.Slice((((n * g.OutHeight) + oy) * g.OutWidth + ox) * c, c);
                if (kind == PoolKind.Average)
                {
                    T count = T.CreateChecked((kyTo - kyFrom) * (kxTo - kxFrom));
                    for (int iy = y0 + kyFrom; iy < y0 + kyTo; iy++)
                    {
                        for (int ix = x0 + kxFrom; ix < x0 + kxTo; ix++)
                        {
                            Span<T> target = d.Slice(((iy * g.Width) + ix) * c, c);
                            for (int ch = 0; ch < c; ch++)
                            {
                                target[ch] += gradient[ch] / count;
                            }
                        }
                    }
                    continue;
                }
                for (int ch = 0; ch < c; ch++)
                {
                    // The first maximum in row-major window order, by the forward pass' rule.
                    int best = -1;
                    T max = T.Zero;
                    for (int iy = y0 + kyFrom; iy < y0 + kyTo; iy++)
                    {
                        for (int ix = x0 + kxFrom; ix < x0 + kxTo; ix++)
                        {
                            T v = image[(((iy * g.Width) + ix) * c) + ch];
                            if (best < 0 || PoolRules<T>.Replaces(max, v))
                            {
                                best = (((iy * g.Width) + ix) * c) + ch;
                                max = v;
                            }
                        }
                    }
                    d[best] += gradient[ch];
                }
            }
        }
    }
}
