// The backend contract for the structural primitives the convolutional and recurrent layers use: im2col/col2im,
// pooling, column blocks, index gathers and scatters, row argmax, and the two-pass row functions.
// Each has a hand-worked case written out here, then random geometries compared with the reference backend bit for bit.
using RefNet.Backends;
using RefNet.Tensors;
using Xunit;

namespace RefNet.Tests.BackendContract;

public abstract partial class BackendContractTests<T>
{
    private static readonly double[] OneToNine = [1, 2, 3, 4, 5, 6, 7, 8, 9];

    private static ConvGeometry Geometry(int n, int h, int w, int c, int k, int s, int d, bool same, int kw = -1) =>
        ConvGeometry.Create(n, h, w, c, (k, kw < 0 ? k : kw), (s, s), (d, d), same);

    /// <summary>The reference backend's result for the same host inputs (the specification).</summary>
    private static double[] OnReference(Shape outShape, Action<IBackend<T>, Tensor<T>> op)
    {
        IBackend<T> r = ReferenceBackend<T>.Instance;
        Tensor<T> y = r.Allocate(outShape);
        op(r, y);
        return Read(y);
    }

    private Tensor<T> On(IBackend<T> backend, Shape shape, double[] values)
    {
        Tensor<T> t = backend.Allocate(shape);
        backend.CopyFromHost(values.Select(T.CreateChecked).ToArray(), t);
        return t;
    }

    // ---- geometry -------------------------------------------------------------------------------

    [SkippableFact]
    public void ConvGeometry_FollowsTensorFlowsValidAndSameRules()
    {
        ConvGeometry valid = Geometry(1, 28, 28, 1, 3, 1, 1, same: false);
        Assert.Equal((26, 26, 0, 0), (valid.OutHeight, valid.OutWidth, valid.PadTop, valid.PadLeft));
        // same, 3×3 input, 2×2 kernel, stride 1: total padding 1, all of it at the bottom/right.
        ConvGeometry same = Geometry(1, 3, 3, 1, 2, 1, 1, same: true);
        Assert.Equal((3, 3, 0, 0), (same.OutHeight, same.OutWidth, same.PadTop, same.PadLeft));
        // same, 5×5, 3×3 kernel, stride 2: out ⌈5/2⌉ = 3, total (3−1)·2 + 3 − 5 = 2, top 1.
        ConvGeometry strided = Geometry(1, 5, 5, 1, 3, 2, 1, same: true);
        Assert.Equal((3, 3, 1, 1), (strided.OutHeight, strided.OutWidth, strided.PadTop, strided.PadLeft));
        // dilation 2 makes a 3×3 kernel span 5: valid on 7 gives 3.
        Assert.Equal(3, Geometry(1, 7, 7, 1, 3, 1, 2, same: false).OutHeight);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Geometry(1, 2, 2, 1, 3, 1, 1, same: false));
        Assert.Contains("does not fit", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Geometry(1, 4, 4, 1, 0, 1, 1, same: false));
    }

    // ---- im2col / col2im ------------------------------------------------------------------------

    [SkippableFact]
    public void Im2Col_HandWorked_ValidAndSameWithBottomRightPadding()
    {
        // 3×3 image 1..9, 2×2 kernel, stride 1, valid: one row per output pixel, (ky, kx) order.
        ConvGeometry valid = Geometry(1, 3, 3, 1, 2, 1, 1, same: false);
        Tensor<T> cols = Backend.Allocate(valid.ColumnsShape);
        Backend.Im2Col(Make(valid.InputShape, OneToNine), valid, cols);
        Assert.Equal(new double[] { 1, 2, 4, 5, 2, 3, 5, 6, 4, 5, 7, 8, 5, 6, 8, 9 }, Read(cols));

        // same: 3×3 outputs; the padding row/column is at the bottom/right, so the last pixel sees [9, 0; 0, 0].
        ConvGeometry same = Geometry(1, 3, 3, 1, 2, 1, 1, same: true);
        Tensor<T> sameCols = Backend.Allocate(same.ColumnsShape);
        Backend.Im2Col(Make(same.InputShape, OneToNine), same, sameCols);
        double[] s = Read(sameCols);
        Assert.Equal(new double[] { 1, 2, 4, 5 }, s[..4]);
        Assert.Equal(new double[] { 3, 0, 6, 0 }, s[8..12]);
        Assert.Equal(new double[] { 9, 0, 0, 0 }, s[32..36]);

        // The case: 4×4 input, 2×2 kernel, stride 2, "same": ⌈4/2⌉ = 2 outputs, no padding needed.
        ConvGeometry s2 = Geometry(1, 4, 4, 1, 2, 2, 1, same: true);
        Tensor<T> s2Cols = Backend.Allocate(s2.ColumnsShape);
        Backend.Im2Col(Make(s2.InputShape, [.. Enumerable.Range(1, 16).Select(v => (double)v)]), s2, s2Cols);
        Assert.Equal(new double[] { 1, 2, 5, 6, 3, 4, 7, 8, 9, 10, 13, 14, 11, 12, 15, 16 }, Read(s2Cols));
    }

    [SkippableFact]
    public void Col2Im_HandWorked_CountsHowOftenEachPixelIsRead()
    {
        ConvGeometry g = Geometry(1, 3, 3, 1, 2, 1, 1, same: false);
        Tensor<T> dx = Backend.Allocate(g.InputShape);
        Backend.Col2Im(Make(g.ColumnsShape, [.. Enumerable.Repeat(1.0, 16)]), g, dx);
        Assert.Equal(new double[] { 1, 2, 1, 2, 4, 2, 1, 2, 1 }, Read(dx));
    }

    [SkippableFact]
    public void Im2Col_Col2Im_RandomGeometries_EqualReferenceBitwise_AndAreAdjoint()
    {
        var r = new Random(70);
        for (int trial = 0; trial < 12; trial++)
        {
            int k = r.Next(1, 4), s = r.Next(1, 4), d = r.Next(1, 3);
            bool same = r.Next(2) == 0;
            int span = ((k - 1) * d) + 1;
            int h = r.Next(span, span + 4), w = r.Next(span, span + 4);
            ConvGeometry g = Geometry(r.Next(1, 3), h, w, r.Next(1, 4), k, s, d, same);
            string what = $"{g}";
            double[] x = RandomValues(r, g.InputShape.Length, -1, 1);
            double[] c = RandomValues(r, g.ColumnsShape.Length, -1, 1);
            Tensor<T> cols = Backend.Allocate(g.ColumnsShape);
            Backend.Im2Col(Make(g.InputShape, x), g, cols);
            Assert.True(OnReference(g.ColumnsShape, (b, y) => b.Im2Col(On(b, g.InputShape, x), g, y)).SequenceEqual(Read(cols)), $"Im2Col {what}");
            Tensor<T> dx = Backend.Allocate(g.InputShape);
            Backend.Col2Im(Make(g.ColumnsShape, c), g, dx);
            Assert.True(OnReference(g.InputShape, (b, y) => b.Col2Im(On(b, g.ColumnsShape, c), g, y)).SequenceEqual(Read(dx)), $"Col2Im {what}");
            // ⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩: the gather is the exact adjoint.
            double left = Read(cols).Zip(c.Select(v => double.CreateChecked(T.CreateChecked(v)))).Sum(p => p.First * p.Second);
            double right = Read(dx).Zip(x.Select(v => double.CreateChecked(T.CreateChecked(v)))).Sum(p => p.First * p.Second);
            Assert.True(Math.Abs(left - right) <= 1e-4 * (1 + Math.Abs(left)), $"adjoint {what}: {left} vs {right}");
        }
    }

    [SkippableFact]
    public void Im2Col_WrongShapes_NameBothShapes()
    {
        ConvGeometry g = Geometry(1, 3, 3, 1, 2, 1, 1, same: false);
        var e = Assert.Throws<ShapeMismatchException>(() => Backend.Im2Col(Backend.Allocate(new Shape(1, 3, 3, 2)), g, Backend.Allocate(g.ColumnsShape)));
        Assert.Contains("(1, 3, 3, 1)", e.Message);
        Assert.Contains("(1, 3, 3, 2)", e.Message);
        Assert.Throws<ShapeMismatchException>(() => Backend.Col2Im(Backend.Allocate(new Shape(4, 5)), g, Backend.Allocate(g.InputShape)));
    }

    // ---- pooling --------------------------------------------------------------------------------

    [SkippableFact]
    public void Pool2D_HandWorked_MaxAndAverageExcludingPadding()
    {
        ConvGeometry g = Geometry(1, 3, 3, 1, 2, 2, 1, same: true); // 2×2 windows, stride 2, out 2×2, pad bottom/right
        Tensor<T> x = Make(g.InputShape, OneToNine);
        Tensor<T> y = Backend.Allocate(g.PooledShape);
        Backend.Pool2D(x, g, PoolKind.Max, y);
        Assert.Equal(new double[] { 5, 6, 8, 9 }, Read(y));
        Backend.Pool2D(x, g, PoolKind.Average, y);
        Assert.Equal(new double[] { 3, 4.5, 7.5, 9 }, Read(y)); // [1,2,4,5]/4, [3,6]/2, [7,8]/2, [9]/1

        Tensor<T> dx = Backend.Allocate(g.InputShape);
        Backend.Pool2DBackward(x, Make(g.PooledShape, [1, 1, 1, 1]), g, PoolKind.Average, dx);
        Assert.Equal(new double[] { 0.25, 0.25, 0.5, 0.25, 0.25, 0.5, 0.5, 0.5, 1 }, Read(dx));
        Backend.Pool2DBackward(x, Make(g.PooledShape, [1, 2, 3, 4]), g, PoolKind.Max, dx);
        Assert.Equal(new double[] { 0, 0, 0, 0, 1, 2, 0, 3, 4 }, Read(dx));
    }

    [SkippableFact]
    public void Pool2DBackward_MaxTies_GoToTheFirstMaximumInRowMajorOrder()
    {
        ConvGeometry g = Geometry(1, 2, 2, 1, 2, 2, 1, same: false);
        Tensor<T> dx = Backend.Allocate(g.InputShape);
        Backend.Pool2DBackward(Make(g.InputShape, [1, 3, 3, 3]), Make(g.PooledShape, [7]), g, PoolKind.Max, dx);
        Assert.Equal(new double[] { 0, 7, 0, 0 }, Read(dx));
    }

    [SkippableFact]
    public void Pool2D_MaxPropagatesNaN()
    {
        ConvGeometry g = Geometry(1, 2, 2, 1, 2, 2, 1, same: false);
        Tensor<T> y = Backend.Allocate(g.PooledShape);
        Backend.Pool2D(Make(g.InputShape, [1, double.NaN, 3, 2]), g, PoolKind.Max, y);
        Assert.True(double.IsNaN(Read(y)[0]));
    }

    [SkippableFact]
    public void Pool2D_RandomGeometries_EqualReferenceBitwise()
    {
        var r = new Random(71);
        for (int trial = 0; trial < 12; trial++)
        {
            int k = r.Next(1, 4), s = r.Next(1, 4);
            ConvGeometry g = Geometry(r.Next(1, 3), r.Next(k, k + 4), r.Next(k, k + 4), r.Next(1, 4), k, s, 1, r.Next(2) == 0);
            double[] x = RandomValues(r, g.InputShape.Length, -1, 1);
            double[] go = RandomValues(r, g.PooledShape.Length, -1, 1);
            foreach (PoolKind kind in new[] { PoolKind.Max, PoolKind.Average })
            {
                Tensor<T> y = Backend.Allocate(g.PooledShape);
                Backend.Pool2D(Make(g.InputShape, x), g, kind, y);
                Assert.True(OnReference(g.PooledShape, (b, o) => b.Pool2D(On(b, g.InputShape, x), g, kind, o)).SequenceEqual(Read(y)), $"Pool2D {kind} {g}");
                Tensor<T> dx = Backend.Allocate(g.InputShape);
                Backend.Pool2DBackward(Make(g.InputShape, x), Make(g.PooledShape, go), g, kind, dx);
                Assert.True(OnReference(g.InputShape, (b, o) => b.Pool2DBackward(On(b, g.InputShape, x), On(b, g.PooledShape, go), g, kind, o)).SequenceEqual(Read(dx)), $"Pool2DBackward {kind} {g}");
            }
        }
    }

    [SkippableFact]
    public void WindowOps_RejectGeometriesThatCreateWouldNotMake()
    {
        ConvGeometry ok = Geometry(1, 4, 4, 1, 2, 2, 1, same: false);
        Tensor<T> x = Backend.Allocate(ok.InputShape);
        foreach (ConvGeometry bad in new[] { ok with { StrideHeight = 0 }, ok with { PadTop = -1 }, ok with { PadLeft = 2 }, ok with { OutWidth = 3 } })
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => Backend.Col2Im(Backend.Allocate(bad.ColumnsShape), bad, Backend.Allocate(bad.InputShape)));
            Assert.Throws<ArgumentOutOfRangeException>(() => Backend.Pool2D(x, bad, PoolKind.Average, Backend.Allocate(bad.PooledShape)));
        }
        ConvGeometry dilated = Geometry(1, 5, 5, 1, 2, 1, 2, same: false);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Backend.Pool2D(Backend.Allocate(dilated.InputShape), dilated, PoolKind.Max, Backend.Allocate(dilated.PooledShape)));
        Assert.Contains("dilation", e.Message);
    }

    [SkippableFact]
    public void Pool2DBackward_MaxSendsTheGradientToTheNaNThatForwardReturned()
    {
        ConvGeometry g = Geometry(1, 1, 3, 1, 1, 1, 1, same: false, kw: 3);
        Tensor<T> x = Make(g.InputShape, [1, double.NaN, 3]);
        Tensor<T> y = Backend.Allocate(g.PooledShape);
        Backend.Pool2D(x, g, PoolKind.Max, y);
        Assert.True(double.IsNaN(Read(y)[0]));
        Tensor<T> dx = Backend.Allocate(g.InputShape);
        Backend.Pool2DBackward(x, Make(g.PooledShape, [5]), g, PoolKind.Max, dx);
        Assert.Equal(new double[] { 0, 5, 0 }, Read(dx));
    }

    [SkippableFact]
    public void CopyColumns_WithinOneTensor_RejectsOverlap_AllowsDisjointBlocks()
    {
        Tensor<T> t = Make(new Shape(1, 4), [1, 2, 3, 4]);
        Assert.Throws<ArgumentException>(() => Backend.CopyColumns(t, 0, t, 1, 2, accumulate: false));
        Backend.CopyColumns(t, 0, t, 2, 2, accumulate: false);
        Assert.Equal(new double[] { 1, 2, 1, 2 }, Read(t));
    }

    [SkippableFact]
    public void ArgMaxRows_OfRowsWithoutColumns_Throws()
    {
        Assert.Throws<ShapeMismatchException>(() => Backend.ArgMaxRows(Backend.Allocate(new Shape(2, 0)), Backend.Allocate(new Shape(2))));
    }

    // ---- column blocks, gathers, scatters, argmax -----------------------------------------------

    [SkippableFact]
    public void CopyColumns_HandWorked_CopyAndAccumulate()
    {
        Tensor<T> src = Make(new Shape(2, 4), [1, 2, 3, 4, 5, 6, 7, 8]);
        Tensor<T> dst = Make(new Shape(2, 3), [10, 20, 30, 40, 50, 60]);
        Backend.CopyColumns(src, 1, dst, 1, 2, accumulate: false);
        Assert.Equal(new double[] { 10, 2, 3, 40, 6, 7 }, Read(dst));
        Backend.CopyColumns(src, 2, dst, 0, 1, accumulate: true);
        Assert.Equal(new double[] { 13, 2, 3, 47, 6, 7 }, Read(dst));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Backend.CopyColumns(src, 3, dst, 0, 2, accumulate: false));
        Assert.Contains("(2, 4)", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Backend.CopyColumns(src, 0, dst, 2, 2, accumulate: false));
        Assert.Throws<ShapeMismatchException>(() => Backend.CopyColumns(src, 0, Backend.Allocate(new Shape(3, 3)), 0, 1, accumulate: false));
    }

    [SkippableFact]
    public void GatherRows_ByIndexTensor_AndScatterAddRows_AccumulateRepeats()
    {
        Tensor<T> table = Make(new Shape(3, 2), [1, 2, 3, 4, 5, 6]);
        Tensor<T> indices = Make(new Shape(4), [2, 0, 2, 1]);
        Tensor<T> rows = Backend.Allocate(new Shape(4, 2));
        Backend.GatherRows(table, indices, rows);
        Assert.Equal(new double[] { 5, 6, 1, 2, 5, 6, 3, 4 }, Read(rows));
        Tensor<T> grad = Make(new Shape(3, 2), [100, 100, 100, 100, 100, 100]);
        Backend.ScatterAddRows(Make(new Shape(4, 2), [1, 2, 3, 4, 5, 6, 7, 8]), indices, grad);
        Assert.Equal(new double[] { 103, 104, 107, 108, 106, 108 }, Read(grad)); // row 2 receives rows 0 and 2
    }

    [SkippableTheory]
    [InlineData(3.0)]
    [InlineData(-1.0)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void GatherRows_BadIndex_NamesItsValueAndPosition(double bad)
    {
        Tensor<T> table = Make(new Shape(3, 2), [1, 2, 3, 4, 5, 6]);
        Tensor<T> indices = Make(new Shape(3), [0, bad, 1]);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Backend.GatherRows(table, indices, Backend.Allocate(new Shape(3, 2))));
        Assert.Contains("position 1", e.Message);
        Assert.Contains("[0, 3)", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Backend.ScatterAddRows(Backend.Allocate(new Shape(3, 2)), indices, table));
    }

    [SkippableFact]
    public void OneHot_WritesOneRowPerIndex_OverwritingTheDestination()
    {
        Tensor<T> rows = Make(new Shape(4, 3), [9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9]);
        Backend.OneHot(Make(new Shape(4), [2, 0, 2, 1]), rows);
        Assert.Equal(new double[] { 0, 0, 1, 1, 0, 0, 0, 0, 1, 0, 1, 0 }, Read(rows));
    }

    [SkippableTheory]
    [InlineData(3.0)]
    [InlineData(-1.0)]
    [InlineData(0.5)]
    [InlineData(double.NaN)]
    public void OneHot_BadIndex_NamesItsValueAndPosition(double bad)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Backend.OneHot(Make(new Shape(3), [0, 1, bad]), Backend.Allocate(new Shape(3, 3))));
        Assert.Contains("position 2", e.Message);
        Assert.Contains("[0, 3)", e.Message);
        Assert.Throws<ShapeMismatchException>(() => Backend.OneHot(Make(new Shape(3), [0, 1, 2]), Backend.Allocate(new Shape(2, 3))));
    }

    [SkippableFact]
    public void ArgMaxRows_FirstMaximumWins()
    {
        Tensor<T> idx = Backend.Allocate(new Shape(3));
        Backend.ArgMaxRows(Make(new Shape(3, 3), [1, 3, 3, 2, 1, 0, -1, -1, 5]), idx);
        Assert.Equal(new double[] { 1, 0, 2 }, Read(idx));
    }

    [SkippableFact]
    public void MapRows_And_ReduceRows_RunBothPassesInOrder()
    {
        // Pass 1: r1 = Σ a; pass 2: r2 = Σ (a − r1)·b; y = a·r1 + r2 (a made-up formula that uses everything).
        Tensor<T> a = Make(new Shape(2, 3), [1, 2, 3, 4, 5, 6]);
        Tensor<T> b = Make(new Shape(2, 3), [1, 0, 1, 0, 1, 0]);
        Tensor<T> y = Backend.Allocate(new Shape(2, 3));
        Backend.MapRows(a, b, y, default(TwoPass));
        // row 0: r1 = 6, r2 = (1−6) + (3−6) = −8; row 1: r1 = 15, r2 = 5 − 15 = −10
        Assert.Equal(new double[] { -2, 4, 10, 50, 65, 80 }, Read(y));
        Tensor<T> perRow = Backend.Allocate(new Shape(2));
        Backend.ReduceRows(a, b, perRow, default(TwoPass));
        Assert.Equal(new double[] { 6 - 8, 15 - 10 }, Read(perRow));
        Assert.Throws<ShapeMismatchException>(() => Backend.ReduceRows(a, b, Backend.Allocate(new Shape(3)), default(TwoPass)));
    }

    /// <summary>A made-up two-pass formula; public, as every formula struct must be for ILGPU to compile it.</summary>
    public readonly struct TwoPass : IRowMap<T>, IRowReduction<T>
    {
        public T Initial1 => T.Zero;

        public T Step1(T acc, T a, T b) => acc + a;

        public T Initial2 => T.Zero;

        public T Step2(T acc, T a, T b, T r1) => acc + ((a - r1) * b);

        public T Apply(T a, T b, T r1, T r2) => (a * r1) + r2;

        public T Finish(T r1, T r2) => r1 + r2;
    }
}
