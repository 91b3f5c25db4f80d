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
    public void Contract_Catches_AdamWithEpsilonInsideTheSquareRoot() =>
        Assert.Throws<XunitException>(() => new BuggyContract().AdamUpdate_MatchesKerasFormula_OverThreeSteps());

    [Fact]
    public void Contract_Catches_SumRowsThatAccumulatesIntoItsOutput() =>
        Assert.Throws<XunitException>(() => new BuggyContract().SumRows_SumsOverTheBatch());

    [Fact]
    public void Contract_Catches_FloatSoftmaxWithoutTheMaxShift() =>
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

    private sealed class BuggyBackend<T> : CpuBackend<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public override void AdamUpdate(Tensor<T> parameter, Tensor<T> gradient, Tensor<T> m, Tensor<T> v, T learningRateT, T beta1, T beta2, T epsilon)
        {
            Span<T> p = parameter.Span, g = gradient.Span, ms = m.Span, vs = v.Span;
            for (int i = 0; i < p.Length; i++)
            {
                ms[i] = (beta1 * ms[i]) + ((T.One - beta1) * g[i]);
                vs[i] = (beta2 * vs[i]) + ((T.One - beta2) * g[i] * g[i]);
                p[i] -= learningRateT * ms[i] / T.Sqrt(vs[i] + epsilon); // Keras 3 placement, not Keras 2
            }
        }

        public override void SumRows(Tensor<T> x, Tensor<T> y)
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

        public override void Activation(ActivationKind kind, Tensor<T> x, Tensor<T> y)
        {
            if (kind != ActivationKind.Softmax)
            {
                base.Activation(kind, x, y);
                return;
            }
            Span<T> xs = x.Span, ys = y.Span;
            int cols = x.Columns;
            for (int r = 0; r < x.Rows; r++)
            {
                T sum = T.Zero;
                for (int j = 0; j < cols; j++)
                {
                    ys[(r * cols) + j] = T.Exp(xs[(r * cols) + j]); // no max shift: overflows
                    sum += ys[(r * cols) + j];
                }
                for (int j = 0; j < cols; j++)
                {
                    ys[(r * cols) + j] /= sum;
                }
            }
        }
    }
}
