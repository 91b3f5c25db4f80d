// ILGPU kernels for 2-D windows on NHWC images: im2col, col2im (a gather), max/average pooling and its adjoint (a gather).
// One thread per output element, the reference loops' order inside; twins: the same-named ReferenceBackend cores.
using System.Numerics;
using ILGPU;

namespace RefNet.Backends.Ilgpu.Kernels;

/// <summary>Im2Col, Col2Im, Pool2D and Pool2DBackward.</summary>
internal static class WindowKernels
{
    /// <summary>columns[(n, oy, ox), (ky, kx, c)] = x[n, oy·s − pad + ky·d, ox·s − pad + kx·d, c] or 0 in the padding.</summary>
    public static void Im2Col<T>(ArrayView<T> x, ArrayView<T> columns, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rowLength = g.KernelHeight * g.KernelWidth * g.Channels;
        for (int i = GridStride.Start, step = GridStride.Step; i < columns.IntLength; i += step)
        {
            int row = i / rowLength;
            int rest = i - (row * rowLength);
            int ky = rest / (g.KernelWidth * g.Channels);
            rest -= ky * g.KernelWidth * g.Channels;
            int kx = rest / g.Channels;
            int c = rest - (kx * g.Channels);
            int n = row / (g.OutHeight * g.OutWidth);
            int pixel = row - (n * g.OutHeight * g.OutWidth);
            int oy = pixel / g.OutWidth;
            int ox = pixel - (oy * g.OutWidth);
            int iy = (oy * g.StrideHeight) - g.PadTop + (ky * g.DilationHeight);
            int ix = (ox * g.StrideWidth) - g.PadLeft + (kx * g.DilationWidth);
            bool inside = iy >= 0 && iy < g.Height && ix >= 0 && ix < g.Width;
            columns[i] = inside ? x[((((n * g.Height) + iy) * g.Width) + ix) * g.Channels + c] : T.Zero;
        }
    }

    /// <summary>dx[n, iy, ix, c] = Σ over (ky, kx) ascending of the column entries that read it (a gather).</summary>
    public static void Col2Im<T>(ArrayView<T> columns, ArrayView<T> dx, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rowLength = g.KernelHeight * g.KernelWidth * g.Channels;
        for (int i = GridStride.Start, step = GridStride.Step; i < dx.IntLength; i += step)
        {
            (int n, int iy, int ix, int c) = Pixel(i, g.Height, g.Width, g.Channels);
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
                    int row = ((((n * g.OutHeight) + (ty / g.StrideHeight)) * g.OutWidth) + (tx / g.StrideWidth));
                    sum += columns[(row * rowLength) + (((ky * g.KernelWidth) + kx) * g.Channels) + c];
                }
            }
            dx[i] = sum;
        }
    }

    /// <summary>y[n, oy, ox, c] = max (NaN-propagating) or mean of the unpadded window elements. kind: 0 max, 1 average.</summary>
    public static void Pool2D<T>(ArrayView<T> x, ArrayView<T> y, ConvGeometry g, int kind)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = GridStride.Start, step = GridStride.Step; i < y.IntLength; i += step)
        {
            (int n, int oy, int ox, int c) = Pixel(i, g.OutHeight, g.OutWidth, g.Channels);
            T acc = kind == 0 ? T.NegativeInfinity : T.Zero;
            T count = T.Zero;
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
                    T v = x[((((n * g.Height) + iy) * g.Width) + ix) * g.Channels + c];
                    acc = kind == 1 ? acc + v : PoolRules<T>.MaxStep(acc, v);
                    count += T.One;
                }
            }
            y[i] = kind == 1 ? acc / count : acc;
        }
    }

    /// <summary>dx[n, iy, ix, c] = Σ over windows (oy, ox ascending) containing it: g/count (average) or g where it is the window's first maximum (max).</summary>
    public static void Pool2DBackward<T>(ArrayView<T> x, ArrayView<T> g, ArrayView<T> dx, ConvGeometry geo, int kind)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = GridStride.Start, step = GridStride.Step; i < dx.IntLength; i += step)
        {
            (int n, int iy, int ix, int c) = Pixel(i, geo.Height, geo.Width, geo.Channels);
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
                    // The window's first maximum (row-major) and its count of unpadded elements.
                    int best = -1;
                    T max = T.Zero;
                    T count = T.Zero;
                    for (int wy = 0; wy < geo.KernelHeight; wy++)
                    {
                        int y = (oy * geo.StrideHeight) - geo.PadTop + wy;
                        for (int wx = 0; wx < geo.KernelWidth; wx++)
                        {
                            int xx = (ox * geo.StrideWidth) - geo.PadLeft + wx;
                            if (y < 0 || y >= geo.Height || xx < 0 || xx >= geo.Width)
                            {
                                continue;
                            }
                            T v = x[((((n * geo.Height) + y) * geo.Width) + xx) * geo.Channels + c];
                            if (best < 0 || PoolRules<T>.Replaces(max, v))
                            {
                                best = (wy * geo.KernelWidth) + wx;
                                max = v;
                            }
                            count += T.One;
                        }
                    }
                    T gradient = g[((((n * geo.OutHeight) + oy) * geo.OutWidth) + ox) * geo.Channels + c];
                    if (kind == 1)
                    {
                        sum += gradient / count;
                    }
                    else if (best == (ky * geo.KernelWidth) + kx)
                    {
                        sum += gradient;
                    }
                }
            }
            dx[i] = sum;
        }
    }

    /// <summary>(n, y, x, c) of flat index i in an (N, height, width, channels) tensor.</summary>
    private static (int N, int Y, int X, int C) Pixel(int i, int height, int width, int channels)
    {
        int c = i % channels;
        int p = i / channels;
        int x = p % width;
        p /= width;
        return (p / height, p % height, x, c);
    }
}
