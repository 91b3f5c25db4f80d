// Property: every loss's gradient ∂J/∂ŷ matches float64 central differences, inside the smooth region.
using FsCheck.Xunit;
using RefNet.Losses;
using RefNet.Tensors;
using RefNet.Tests.Common;
using RefNet.Verification;
using Xunit;

namespace RefNet.Tests.Properties;

public class LossGradientProperties
{
    private static void Check(ShapeCase c, Loss loss, Tensor<double> predictions, Tensor<double> targets)
    {
        GradientCheckResult result = GradientCheck.Loss(loss, predictions, targets);
        Assert.True(result.Passed, $"{c}, {loss.Name} {loss.Reduction}: {result}");
    }

    private static Reduction ReductionOf(ShapeCase c) => c.Seed % 2 == 0 ? Reduction.SumOverBatchSize : Reduction.Sum;

    [RefNetProperty]
    public void MeanSquaredError_MatchesCentralDifferences(ShapeCase c)
    {
        var r = new Random(c.Seed);
        Check(c, new MeanSquaredError(ReductionOf(c)), CheckData.UniformTensor(r, c.Batch, c.Units, -2, 2), CheckData.UniformTensor(r, c.Batch, c.Units, -2, 2));
    }

    [RefNetProperty]
    public void MeanAbsoluteError_AwayFromTheKink_MatchesCentralDifferences(ShapeCase c)
    {
        var r = new Random(c.Seed);
        Tensor<double> y = CheckData.UniformTensor(r, c.Batch, c.Units, -2, 2);
        Tensor<double> offset = CheckData.AwayFromZero(r, c.Batch, c.Units, 1e-3, 1.0);
        var p = new Tensor<double>(c.Batch, c.Units);
        for (int i = 0; i < p.Length; i++)
        {
            p.Span[i] = y.Span[i] + offset.Span[i];
        }
        Check(c, new MeanAbsoluteError(ReductionOf(c)), p, y);
    }

    [RefNetProperty]
    public void BinaryCrossentropy_InsideTheClipRange_MatchesCentralDifferences(ShapeCase c)
    {
        var r = new Random(c.Seed);
        // Probabilities in [0.01, 0.99] keep ŷ ± 2h far inside [1e-7, 1 − 1e-7]; targets may be soft labels.
        Tensor<double> p = CheckData.UniformTensor(r, c.Batch, c.Units, 0.01, 0.99);
        Tensor<double> y = c.Seed % 3 == 0 ? CheckData.UniformTensor(r, c.Batch, c.Units, 0, 1) : CheckData.Binary(r, c.Batch, c.Units);
        Check(c, new BinaryCrossentropy(ReductionOf(c)), p, y);
    }

    [RefNetProperty]
    public void CategoricalCrossentropy_OnSoftmaxOutputs_MatchesCentralDifferences(ShapeCase c)
    {
        var r = new Random(c.Seed);
        int classes = Math.Max(2, c.Units);
        Check(c, new CategoricalCrossentropy(ReductionOf(c)), CheckData.SoftmaxRows(r, c.Batch, classes), CheckData.OneHot(r, c.Batch, classes));
    }

    [RefNetProperty]
    public void CategoricalCrossentropy_OnPositiveUnnormalisedRows_MatchesCentralDifferences(ShapeCase c)
    {
        // Keras renormalises each row before the log; its gradient flows through the row sum.
        var r = new Random(c.Seed);
        int classes = Math.Max(2, c.Units);
        Check(c, new CategoricalCrossentropy(ReductionOf(c)), CheckData.UniformTensor(r, c.Batch, classes, 0.2, 2.0), CheckData.SoftmaxRows(r, c.Batch, classes));
    }
}
