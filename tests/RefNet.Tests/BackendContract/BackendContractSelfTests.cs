// The contract must be able to fail: run it against CPU backends with realistic planted bugs.
using System.Numerics;
using RefNet.Backends;
using RefNet.Tensors;
using Xunit;
using Xunit.Sdk;

namespace RefNet.Tests.BackendContract;

public class BackendContractSelfTests
{
    [Fact]
    public void Contract_Catches_AdamUpdateReadingTheWrongGradient() =>
        Assert.Throws<XunitException>(() => new BuggyContract().AdamUpdate_MatchesKerasFormula_OverThreeSteps());

    [Fact]
    public void Contract_Catches_SumRowsThatAccumulatesIntoItsOutput() =>
        Assert.Throws<XunitException>(() => new BuggyContract().SumRows_SumsOverTheBatch());

    [Fact]
    public void Contract_Catches_FloatSoftmaxWhoseRowMaxPassIsSkipped() =>
        Assert.ThrowsAny<Exception>(() => new BuggyFloatContract().Activation_ExtremeInputs_StayFinite(ActivationKind.Softmax));

    [Fact]
    public void Contract_PassesTheSameTestsOnTheCorrectBackend()
    {
        var ok = new CpuBackendContractTests_Double();
        ok.AdamUpdate_MatchesKerasFormula_OverThreeSteps();
        ok.SumRows_SumsOverTheBatch();
    }

    [Fact]
    public void Contract_Catches_Im2ColThatIgnoresDilation() =>
        Assert.ThrowsAny<XunitException>(() => new BuggyStructureContract().Im2Col_Col2Im_RandomGeometries_EqualReferenceBitwise_AndAreAdjoint());

    [Fact]
    public void Contract_Catches_Col2ImThatForgetsTheStrideTest() =>
        Assert.ThrowsAny<XunitException>(() => new BuggyStructureContract().Col2Im_HandWorked_CountsHowOftenEachPixelIsRead());

    [Fact]
    public void Contract_Catches_MaxPoolBackwardThatCreditsTheLastMaximum() =>
        Assert.ThrowsAny<XunitException>(() => new BuggyStructureContract().Pool2DBackward_MaxTies_GoToTheFirstMaximumInRowMajorOrder());

    [Fact]
    public void Contract_Catches_CopyColumnsThatIgnoresAccumulate() =>
        Assert.ThrowsAny<XunitException>(() => new BuggyStructureContract().CopyColumns_HandWorked_CopyAndAccumulate());

    [Fact]
    public void Contract_Catches_ScatterAddThatOverwritesRepeats() =>
        Assert.ThrowsAny<XunitException>(() => new BuggyStructureContract().GatherRows_ByIndexTensor_AndScatterAddRows_AccumulateRepeats());

    [Fact]
    public void Contract_Catches_ArgMaxThatTakesTheLastMaximum() =>
        Assert.ThrowsAny<XunitException>(() => new BuggyStructureContract().ArgMaxRows_FirstMaximumWins());

    [Fact]
    public void Contract_Catches_AveragePoolThatCountsThePadding() =>
        Assert.ThrowsAny<XunitException>(() => new BuggyStructureContract().Pool2D_HandWorked_MaxAndAverageExcludingPadding());

    [Fact]
    public void Contract_Catches_IndexGatherThatIsOffByOne() =>
        Assert.ThrowsAny<XunitException>(() => new BuggyStructureContract().GatherRows_ByIndexTensor_AndScatterAddRows_AccumulateRepeats());

    [Fact]
    public void StructureContract_PassesOnTheCorrectBackend()
    {
        var ok = new CpuBackendContractTests_Double();
        ok.Im2Col_Col2Im_RandomGeometries_EqualReferenceBitwise_AndAreAdjoint();
        ok.Col2Im_HandWorked_CountsHowOftenEachPixelIsRead();
        ok.Pool2DBackward_MaxTies_GoToTheFirstMaximumInRowMajorOrder();
        ok.CopyColumns_HandWorked_CopyAndAccumulate();
        ok.GatherRows_ByIndexTensor_AndScatterAddRows_AccumulateRepeats();
        ok.ArgMaxRows_FirstMaximumWins();
    }

    private sealed class BuggyStructureContract : BackendContractTests<double>
    {
        protected override IBackend<double> CreateBackend() => new BuggyStructureBackend();
    }

    // Planted bugs in the structural primitives, each a plausible slip.
    private sealed class BuggyStructureBackend : CpuBackend<double>
    {
        protected override void Im2ColCore(Tensor<double> x, ConvGeometry g, Tensor<double> columns) =>
            base.Im2ColCore(x, g with { DilationHeight = 1, DilationWidth = 1 }, columns);

        protected override void Col2ImCore(Tensor<double> columns, ConvGeometry g, Tensor<double> dx)
        {
            // Sums every column entry whose window could contain the pixel, without checking the stride or bounds.
            Span<double> col = columns.Span, d = dx.Span;
            d.Clear();
            int rowLength = g.KernelHeight * g.KernelWidth * g.Channels;
            for (int row = 0; row < columns.Rows; row++)
            {
                for (int e = 0; e < rowLength; e++)
                {
                    d[(row + e) % d.Length] += col[(row * rowLength) + e];
                }
            }
        }

        protected override void Pool2DBackwardCore(Tensor<double> x, Tensor<double> outputGradient, ConvGeometry g, PoolKind kind, Tensor<double> dx)
        {
            if (kind != PoolKind.Max || g.KernelHeight != 2 || g.Height != 2)
            {
                base.Pool2DBackwardCore(x, outputGradient, g, kind, dx);
                return;
            }
            // Single 2×2 window: credit the last maximum (>= instead of >).
            Span<double> xs = x.Span, d = dx.Span;
            d.Clear();
            int best = 0;
            for (int i = 1; i < 4; i++)
            {
                if (xs[i] >= xs[best])
                {
                    best = i;
                }
            }
            d[best] = outputGradient.Span[0];
        }

        protected override void Pool2DCore(Tensor<double> x, ConvGeometry g, PoolKind kind, Tensor<double> y)
        {
            base.Pool2DCore(x, g, kind, y);
            if (kind == PoolKind.Average)
            {
                // Divides the window sum by the full window size, padding included (the classic average-pool slip).
                Span<double> ys = y.Span;
                for (int i = 0; i < ys.Length; i++)
                {
                    ys[i] *= CountAt(g, i) / (double)(g.KernelHeight * g.KernelWidth);
                }
            }
        }

        private static int CountAt(ConvGeometry g, int i)
        {
            int p = i / g.Channels;
            int ox = p % g.OutWidth, oy = (p / g.OutWidth) % g.OutHeight;
            int rows = Enumerable.Range(0, g.KernelHeight).Count(k => (oy * g.StrideHeight) - g.PadTop + k is var y && y >= 0 && y < g.Height);
            int cols = Enumerable.Range(0, g.KernelWidth).Count(k => (ox * g.StrideWidth) - g.PadLeft + k is var x && x >= 0 && x < g.Width);
            return rows * cols;
        }

        protected override void GatherRowsCore(Tensor<double> table, Tensor<double> indices, int[] rows, Tensor<double> destination) =>
            base.GatherRowsCore(table, indices, [.. rows.Select(r => Math.Min(r + 1, table.Rows - 1))], destination);

        protected override void CopyColumnsCore(Tensor<double> source, int sourceColumn, Tensor<double> destination, int destinationColumn, int count, bool accumulate) =>
            base.CopyColumnsCore(source, sourceColumn, destination, destinationColumn, count, accumulate: false);

        protected override void ScatterAddRowsCore(Tensor<double> source, Tensor<double> indices, int[] rows, Tensor<double> destination)
        {
            int cols = destination.Columns;
            for (int i = 0; i < rows.Length; i++)
            {
                for (int j = 0; j < cols; j++)
                {
                    destination.Span[(rows[i] * cols) + j] = source.Span[(i * cols) + j]; // = instead of +=
                }
            }
        }

        protected override void ArgMaxRowsCore(Tensor<double> x, Tensor<double> indices)
        {
            for (int r = 0; r < x.Rows; r++)
            {
                int best = 0;
                for (int j = 1; j < x.Columns; j++)
                {
                    if (x.Span[(r * x.Columns) + j] >= x.Span[(r * x.Columns) + best])
                    {
                        best = j;
                    }
                }
                indices.Span[r] = best;
            }
        }
    }

    private sealed class BuggyContract : BackendContractTests<double>
    {
        protected override IBackend<double> CreateBackend() => new BuggyBackend<double>();
    }

    private sealed class BuggyFloatContract : BackendContractTests<float>
    {
        protected override IBackend<float> CreateBackend() => new BuggyBackend<float>();
    }

    // Realistic bugs in the primitives that run the formulas (the formulas themselves live in their own files now).
    private sealed class BuggyBackend<T> : CpuBackend<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Two-state update (Adam's) that reads the previous element's gradient: an off-by-one in the loop.
        protected override void UpdateCore<F>(Tensor<T> parameter, Tensor<T> gradient, Tensor<T> state1, Tensor<T> state2, F f)
        {
            Span<T> p = parameter.Span, g = gradient.Span, s1 = state1.Span, s2 = state2.Span;
            for (int i = 0; i < p.Length; i++)
            {
                f.Apply(ref p[i], g[Math.Max(i - 1, 0)], ref s1[i], ref s2[i]);
            }
        }

        protected override void SumRowsCore(Tensor<T> x, Tensor<T> y)
        {
            Span<T> xs = x.Span, ys = y.Span;
            for (int i = 0; i < x.Rows; i++)
            {
                for (int j = 0; j < x.Columns; j++)
                {
                    ys[j] += xs[(i * x.Columns) + j]; // forgot to clear y first
                }
            }
        }

        // Row map that skips pass 1: softmax then shifts by Initial1 = −∞ instead of the row maximum.
        protected override void MapRowsCore<F>(Tensor<T> a, Tensor<T> b, Tensor<T> y, F f)
        {
            int cols = a.Columns;
            Span<T> sa = a.Span, sb = b.Span, sy = y.Span;
            for (int o = 0; o < sa.Length; o += cols)
            {
                T r1 = f.Initial1;
                T r2 = f.Initial2;
                for (int j = 0; j < cols; j++)
                {
                    r2 = f.Step2(r2, sa[o + j], sb[o + j], r1);
                }
                for (int j = 0; j < cols; j++)
                {
                    sy[o + j] = f.Apply(sa[o + j], sb[o + j], r1, r2);
                }
            }
        }
    }
}
