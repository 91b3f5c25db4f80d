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
