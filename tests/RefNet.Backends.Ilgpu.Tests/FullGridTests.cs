// Every op family on a shape larger than one full launch grid of the backend (GridThreads: 8 groups of 256 threads
// per multiprocessor on CUDA, 8 threads on the CPU accelerator), so every grid-stride loop wraps round at least
// twice and its last, partial pass is exercised. Bitwise against the reference on the CPU accelerator; the
// tolerance model on CUDA, where these shapes (hundreds of thousands of elements on an H100/H200) run when a
// device is present.
using System.Numerics;
using RefNet.Activations;
using RefNet.Backends.Ilgpu;
using RefNet.Metrics;
using RefNet.Tensors;
using RefNet.Tests;
using Xunit;

namespace RefNet.Backends.Ilgpu.Tests;

public abstract class FullGridTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly IlgpuBackend<T>? _gpu;
    private readonly bool _cuda;

    protected FullGridTests(IlgpuFixture fixture, IlgpuDevice device)
    {
        _gpu = (IlgpuBackend<T>?)fixture.Get<T>(device);
        _cuda = device == IlgpuDevice.Cuda;
    }

    private IlgpuBackend<T> Gpu
    {
        get
        {
            Skip.If(_gpu is null, "no CUDA device present");
            return _gpu!;
        }
    }

    private static ReferenceBackend<T> Ref => ReferenceBackend<T>.Instance;

    /// <summary>Two full grids and a partial third: the element count every family's loop domain must exceed.</summary>
    private int Beyond => (2 * Gpu.GridThreads) + 3;

    [SkippableFact]
    public void GridThreads_IsTheLaunchSize()
    {
        // The CPU accelerator's small device: 2 groups × 4-thread warp. CUDA: 8 × 256 per multiprocessor.
        if (_cuda)
        {
            Assert.True(Gpu.GridThreads >= 256 && Gpu.GridThreads % 256 == 0, $"{Gpu.GridThreads} threads");
        }
        else
        {
            Assert.Equal(8, Gpu.GridThreads);
        }
    }

    [SkippableFact]
    public void Elementwise_Map_Update_Generate_Fill_BeyondOneGrid()
    {
        int n = Beyond;
        var (x, xd) = Random(new Shape(n), 1);
        var (g, gd) = Random(new Shape(n), 2);
        Compare(new Shape(n), (b, y) => b.Activation(ActivationKind.Tanh, Pick(b, x, xd), y), "tanh (Map, one input)");
        Compare(new Shape(n), (b, y) => b.Add(Pick(b, x, xd), Pick(b, g, gd), y), "add (Map, two inputs)");
        Compare(new Shape(n), (b, y) => { b.Activation(ActivationKind.Sigmoid, Pick(b, x, xd), y); b.ActivationBackward(ActivationKind.Sigmoid, y, Pick(b, g, gd), y); }, "sigmoid backward (Map, three inputs)");
        Compare(new Shape(n), (b, y) => b.DropoutMask(12345, T.CreateChecked(0.3), y), "dropout mask (Generate)");
        Compare(new Shape(n), (b, y) => b.Fill(y, T.CreateChecked(0.5)), "Fill");
        Compare(new Shape(n), (b, p) =>
        {
            b.Copy(Pick(b, x, xd), p);
            Tensor<T> m = b.Allocate(p.Shape), v = b.Allocate(p.Shape);
            b.AdamUpdate(p, Pick(b, g, gd), m, v, T.CreateChecked(0.01), T.CreateChecked(0.9), T.CreateChecked(0.999), T.CreateChecked(1e-7));
        }, "adam (Update, two states)");
    }

    [SkippableFact]
    public void Rows_MapRows_ReduceRows_ArgMax_CountWhere_BeyondOneGrid()
    {
        var shape = new Shape(Beyond, 3);
        var (p, pd) = Random(shape, 3, 0.01, 0.99);
        var (y, yd) = Random(shape, 4, 0, 1);
        Compare(shape, (b, o) => b.Activation(ActivationKind.Softmax, Pick(b, p, pd), o), "softmax (MapRows)");
        Compare(new Shape(shape[0]), (b, o) => b.LossForward(LossKind.CategoricalCrossentropy, Pick(b, p, pd), Pick(b, y, yd), o, T.CreateChecked(1e-7)), "CCE (ReduceRows)");
        Compare(new Shape(shape[0]), (b, o) => b.ArgMaxRows(Pick(b, p, pd), o), "ArgMaxRows");
        Assert.Equal(Ref.CountCorrect(AccuracyKind.Categorical, p, y), Gpu.CountCorrect(AccuracyKind.Categorical, pd, yd));
    }

    [SkippableFact]
    public void Columns_AddRowVector_SumRows_CopyColumns_BeyondOneGrid()
    {
        var shape = new Shape(3, Beyond);
        var (x, xd) = Random(shape, 5);
        var (v, vd) = Random(new Shape(shape[1]), 6);
        Compare(shape, (b, y) => b.AddRowVector(Pick(b, x, xd), Pick(b, v, vd), y), "AddRowVector");
        Compare(new Shape(shape[1]), (b, y) => b.SumRows(Pick(b, x, xd), y), "SumRows (one thread per column)");
        Compare(new Shape(3, shape[1] + 2), (b, y) => { b.Fill(y, T.One); b.CopyColumns(Pick(b, x, xd), 0, y, 1, shape[1], accumulate: true); }, "CopyColumns");
    }

    [SkippableFact]
    public void WholeTensorSum_BeyondOneGrid()
    {
        // The partials stage has 256 threads' work whatever the grid; lengths far above 256 loop inside each.
        var (x, xd) = Random(new Shape(Math.Max(Beyond * 3, (3 * 256) + 7)), 7);
        T[] xs = x.ToArray();
        T expected = Equivalence.FixedTreeSum<T>(xs, v => v);
        if (_cuda)
        {
            double abs = xs.Sum(v => Math.Abs(double.CreateChecked(v)));
            Equivalence.AssertClose([double.CreateChecked(expected)], [double.CreateChecked(Gpu.Sum(xd))], [abs], Equivalence.Relative<T>(xs.Length, cuda: true), "Sum");
        }
        else
        {
            Equivalence.AssertBitwise<T>([expected], [Gpu.Sum(xd)], "Sum");
        }
    }

    [SkippableFact]
    public void Gemm_MoreOutputsThanOneGrid()
    {
        // M·N > GridThreads for the grid-stride kernel; the tiled kernel launches ⌈N/16⌉ × ⌈M/16⌉ groups.
        int m = 2 + (int)Math.Sqrt(Beyond), n = m + 1, k = 7;
        var (a, ad) = Random(new Shape(m, k), 8);
        var (bm, bd) = Random(new Shape(k, n), 9);
        Compare(new Shape(m, n), (b, c) => b.MatMul(Pick(b, a, ad), false, Pick(b, bm, bd), false, c, T.One, T.Zero), $"MatMul {m}x{k}x{n}", k + 1);
    }

    [SkippableFact]
    public void Windows_Im2Col_Col2Im_Pool_BeyondOneGrid()
    {
        // 8 × 8 × 2 images, 3 × 3 'same' windows: each image gives 64 column rows of 18 and 32 pooled values.
        int batch = 1 + (Beyond / 32);
        ConvGeometry conv = ConvGeometry.Create(batch, 8, 8, 2, (3, 3), (1, 1), (1, 1), same: true);
        ConvGeometry pool = ConvGeometry.Create(batch, 8, 8, 2, (2, 2), (2, 2), (1, 1), same: false);
        var (x, xd) = Random(conv.InputShape, 10);
        var (cols, colsd) = Random(conv.ColumnsShape, 11);
        var (go, god) = Random(pool.PooledShape, 12);
        Compare(conv.ColumnsShape, (b, y) => b.Im2Col(Pick(b, x, xd), conv, y), "Im2Col");
        Compare(conv.InputShape, (b, y) => b.Col2Im(Pick(b, cols, colsd), conv, y), "Col2Im", 9);
        foreach (PoolKind kind in Enum.GetValues<PoolKind>())
        {
            Compare(pool.PooledShape, (b, y) => b.Pool2D(Pick(b, x, xd), pool, kind, y), $"Pool2D {kind}", 4);
            Compare(pool.InputShape, (b, y) => b.Pool2DBackward(Pick(b, x, xd), Pick(b, go, god), pool, kind, y), $"Pool2DBackward {kind}", 4);
        }
    }

    [SkippableFact]
    public void Gathers_And_Scatters_BeyondOneGrid()
    {
        int rows = Beyond;
        var (table, tabled) = Random(new Shape(5, 3), 13);
        var rng = new Random(14);
        T[] index = [.. Enumerable.Range(0, rows).Select(_ => T.CreateChecked(rng.Next(5)))];
        Tensor<T> idx = Tensor<T>.FromArray(new Shape(rows), index);
        Tensor<T> idxd = Gpu.Allocate(idx.Shape);
        Gpu.CopyFromHost(index, idxd);
        int[] hostRows = [.. index.Select(v => int.CreateChecked(v))];
        var (src, srcd) = Random(new Shape(rows, 3), 15);
        Compare(new Shape(rows, 3), (b, y) => b.GatherRows(Pick(b, table, tabled), Pick(b, idx, idxd), y), "GatherRows (index tensor)");
        Compare(new Shape(rows, 3), (b, y) => b.GatherRows(Pick(b, table, tabled), hostRows, y), "GatherRows (host rows)");
        Compare(new Shape(5, 3), (b, y) => b.ScatterAddRows(Pick(b, src, srcd), Pick(b, idx, idxd), y), "ScatterAddRows", rows);
    }

    // ---- helpers ------------------------------------------------------------------------

    /// <summary>A host tensor with uniform values in [lo, hi) and its copy on the backend under test.</summary>
    private (Tensor<T> Host, Tensor<T> Device) Random(Shape shape, int seed, double lo = -2, double hi = 2)
    {
        var rng = new Random(seed);
        T[] data = [.. Enumerable.Range(0, shape.Length).Select(_ => T.CreateChecked(lo + ((hi - lo) * rng.NextDouble())))];
        Tensor<T> device = Gpu.Allocate(shape);
        Gpu.CopyFromHost(data, device);
        return (Tensor<T>.FromArray(shape, data), device);
    }

    /// <summary>The host tensor for the reference backend, the device copy for the backend under test.</summary>
    private static Tensor<T> Pick(IBackend<T> b, Tensor<T> host, Tensor<T> device) => b is ReferenceBackend<T> ? host : device;

    /// <summary>Runs <paramref name="op"/> into a fresh output on both backends and compares: bitwise on the CPU
    /// accelerator, within the tolerance for sums of <paramref name="k"/> terms (magnitude: largest |output| per element) on CUDA.</summary>
    private void Compare(Shape output, Action<IBackend<T>, Tensor<T>> op, string what, int k = 2)
    {
        Tensor<T> expected = Ref.Allocate(output);
        Tensor<T> actual = Gpu.Allocate(output);
        op(Ref, expected);
        op(Gpu, actual);
        string name = $"{what}, {output} (grid {Gpu.GridThreads} threads)";
        if (_cuda)
        {
            double[] e = expected.ToDoubleArray();
            double scale = e.Max(Math.Abs) + 1;
            Equivalence.AssertClose(e, actual.ToDoubleArray(), [.. e.Select(_ => scale * k)], Equivalence.Relative<T>(k, cuda: true, transcendental: true), name);
        }
        else
        {
            Equivalence.AssertBitwise<T>(expected.ToArray(), actual.ToArray(), name);
        }
    }
}

[Collection("Ilgpu")]
public sealed class CpuAcceleratorFloatFullGridTests(IlgpuFixture fixture) : FullGridTests<float>(fixture, IlgpuDevice.Cpu);

[Collection("Ilgpu")]
public sealed class CpuAcceleratorDoubleFullGridTests(IlgpuFixture fixture) : FullGridTests<double>(fixture, IlgpuDevice.Cpu);

[Collection("Ilgpu")]
public sealed class CudaFloatFullGridTests(IlgpuFixture fixture) : FullGridTests<float>(fixture, IlgpuDevice.Cuda);

[Collection("Ilgpu")]
public sealed class CudaDoubleFullGridTests(IlgpuFixture fixture) : FullGridTests<double>(fixture, IlgpuDevice.Cuda);
