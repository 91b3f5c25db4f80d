// sparse_categorical_crossentropy and from_logits for the cross-entropies. Expected values come from the formulas written
// out here in plain double loops (Keras 2 TF backend, ../shared/reference/keras-golden.md §5.3) and from tf.keras v2.6.0's
// published docstring examples (§6.4: 1.177 / 2.354 / [0.0513, 2.303], 0.865, sparse accuracy 0.5).
using RefNet.Activations;
using RefNet.Backends;
using RefNet.Engine;
using RefNet.Layers;
using RefNet.Losses;
using RefNet.Metrics;
using RefNet.Optimizers;
using RefNet.Tensors;
using RefNet.Verification;
using Xunit;

namespace RefNet.Tests.Losses;

public class SparseAndLogitLossTests
{
    private static readonly IBackend<double> B = ReferenceBackend<double>.Instance;
    private const double Eps = 1e-7;

    private static Tensor<double> T(Shape shape, params double[] values) => Tensor<double>.FromArray(shape, values);

    // tf.keras docstring: y_true = [1, 2], y_pred = [[0.05, 0.95, 0], [0.1, 0.8, 0.1]].
    private static Tensor<double> DocPredictions() => T(new Shape(2, 3), 0.05, 0.95, 0, 0.1, 0.8, 0.1);

    // Keras 2 TF: c = clip(p, ε, 1−ε), loss = −ln c_y + ln Σ c (log-softmax of the clipped logs).
    private static double KerasSparse(double[] row, int label)
    {
        double[] c = row.Select(p => Math.Clamp(p, Eps, 1 - Eps)).ToArray();
        return -Math.Log(c[label]) + Math.Log(c.Sum());
    }

    [Fact]
    public void Sparse_TfKerasDocstringExample_MeanSumAndPerSample()
    {
        double first = KerasSparse([0.05, 0.95, 0], 1), second = KerasSparse([0.1, 0.8, 0.1], 2);
        var perSample = B.Allocate(new Shape(2));
        double mean = new SparseCategoricalCrossentropy().Value(B, DocPredictions(), T(new Shape(2), 1, 2), perSample);
        Assert.Equal(first, perSample[0], 14);
        Assert.Equal(second, perSample[1], 14);
        Assert.Equal((first + second) / 2, mean, 14);
        // Published (doctest-rounded): 1.177, SUM 2.354, NONE [0.0513, 2.303].
        Assert.Equal(1.177, mean, 3);
        Assert.Equal(2.354, new SparseCategoricalCrossentropy(Reduction.Sum).Value(B, DocPredictions(), T(new Shape(2), 1, 2)), 3);
        Assert.Equal(0.0513, perSample[0], 4);
        Assert.Equal(2.303, perSample[1], 3);
    }

    [Fact]
    public void Sparse_LabelsAsColumn_N1_GiveTheSameValueAsN()
    {
        var loss = new SparseCategoricalCrossentropy();
        Assert.Equal(loss.Value(B, DocPredictions(), T(new Shape(2), 1, 2)), loss.Value(B, DocPredictions(), T(new Shape(2, 1), 1, 2)));
    }

    [Fact]
    public void Sparse_EqualsCategoricalOfOneHot_ForNormalisedRowsInsideTheClip()
    {
        double[] p = [0.2, 0.5, 0.3, 0.6, 0.1, 0.3, 0.25, 0.25, 0.5];
        var sparse = new SparseCategoricalCrossentropy().Value(B, T(new Shape(3, 3), p), T(new Shape(3), 1, 0, 2));
        var dense = new CategoricalCrossentropy().Value(B, T(new Shape(3, 3), p), T(new Shape(3, 3), 0, 1, 0, 1, 0, 0, 0, 0, 1));
        Assert.Equal(dense, sparse, 14);
    }

    [Fact]
    public void Sparse_DiffersFromCategorical_WhereTheClipIsActive_AsKeras2Tf()
    {
        // Row [0, 1, 0], label 1. CCE renormalises then clips: −ln(1−ε). Sparse clips every entry, then log-softmax:
        // −ln(1−ε) + ln(1 + ε).
        double sparse = new SparseCategoricalCrossentropy().Value(B, T(new Shape(1, 3), 0, 1, 0), T(new Shape(1), 1));
        double dense = new CategoricalCrossentropy().Value(B, T(new Shape(1, 3), 0, 1, 0), T(new Shape(1, 3), 0, 1, 0));
        Assert.Equal(-Math.Log(1 - Eps) + Math.Log(1 + Eps), sparse, 15);
        Assert.Equal(-Math.Log(1 - Eps), dense, 15);
        Assert.NotEqual(dense, sparse, 9);
    }

    [Fact]
    public void Sparse_Gradient_IsTheClosedForm_AndZeroWhereClipped()
    {
        double[] p = [0.05, 0.95, 0, 0.1, 0.8, 0.1];
        int[] labels = [1, 2];
        var g = B.Allocate(new Shape(2, 3));
        new SparseCategoricalCrossentropy().Gradient(B, T(new Shape(2, 3), p), T(new Shape(2), 1, 2), g);
        for (int r = 0; r < 2; r++)
        {
            double s = p.Skip(r * 3).Take(3).Select(v => Math.Clamp(v, Eps, 1 - Eps)).Sum();
            for (int k = 0; k < 3; k++)
            {
                double v = p[(r * 3) + k];
                double expected = v is > Eps and < 1 - Eps ? ((1 / s) - (k == labels[r] ? 1 / v : 0)) / 2 : 0;
                Assert.Equal(expected, g.Span[(r * 3) + k], 13);
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Sparse_OnSequences_GradientMatchesCentralDifferences(bool fromLogits)
    {
        var random = new Random(17);
        double[] p = Enumerable.Range(0, 24).Select(_ => fromLogits ? (random.NextDouble() * 8) - 4 : 0.05 + (0.85 * random.NextDouble())).ToArray();
        GradientCheckResult r = GradientCheck.Loss(new SparseCategoricalCrossentropy(fromLogits: fromLogits), T(new Shape(2, 3, 4), p),
            T(new Shape(2, 3), 0, 3, 1, 2, 2, 0));
        Assert.True(r.Passed, r.ToString());
    }

    [Fact]
    public void Sparse_OnSequences_IsThePerPositionLossAveragedOverPositions()
    {
        double[] p = [0.7, 0.2, 0.1, 0.1, 0.3, 0.6, /**/ 0.3, 0.3, 0.4, 0.5, 0.25, 0.25];
        var perSample = B.Allocate(new Shape(2));
        new SparseCategoricalCrossentropy().Value(B, T(new Shape(2, 2, 3), p), T(new Shape(2, 2), 0, 2, 1, 0), perSample);
        Assert.Equal((KerasSparse(p[0..3], 0) + KerasSparse(p[3..6], 2)) / 2, perSample[0], 14);
        Assert.Equal((KerasSparse(p[6..9], 1) + KerasSparse(p[9..12], 0)) / 2, perSample[1], 14);
    }

    [Theory]
    [InlineData(3.0, "is outside [0, 3)")]
    [InlineData(-1.0, "is outside [0, 3)")]
    [InlineData(1.5, "is not a whole number")]
    [InlineData(double.NaN, "is NaN")]
    public void Sparse_BadClassIndex_NamesTheLossValueAndSample(double bad, string what)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new SparseCategoricalCrossentropy().Value(B, DocPredictions(), T(new Shape(2), 1, bad)));
        Assert.Contains("sparse_categorical_crossentropy", e.Message);
        Assert.Contains("at sample 1", e.Message);
        Assert.Contains(what, e.Message);
        var g = B.Allocate(new Shape(2, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SparseCategoricalCrossentropy().Gradient(B, DocPredictions(), T(new Shape(2), bad, 1), g));
    }

    [Fact]
    public void Sparse_BadIndexInASequence_NamesSampleAndPosition()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new SparseCategoricalCrossentropy().Value(B, B.Allocate(new Shape(2, 3, 4)), T(new Shape(2, 3), 0, 1, 2, 3, 4, 0)));
        Assert.Contains("(sample, position) (1, 1)", e.Message);
        Assert.Contains("index 4", e.Message);
    }

    [Fact]
    public void Sparse_WrongTargetShape_ThrowsNamingBothShapes()
    {
        var e = Assert.Throws<ShapeMismatchException>(() => new SparseCategoricalCrossentropy().Value(B, DocPredictions(), T(new Shape(2, 3), 0, 1, 0, 0, 0, 1)));
        Assert.Contains("(2, 3)", e.Message);
        Assert.Contains("(2,)", e.Message);
    }

    [Fact]
    public void SparseAccuracy_TfKerasDocstringExample()
    {
        // SparseCategoricalAccuracy([[2],[1]], [[0.1,0.6,0.3],[0.05,0.95,0]]) = 0.5.
        Tensor<double> p = T(new Shape(2, 3), 0.1, 0.6, 0.3, 0.05, 0.95, 0);
        Assert.Equal(1, Accuracy.CountCorrect(B, AccuracyKind.SparseCategorical, p, T(new Shape(2, 1), 2, 1)));
        Assert.Equal(1, Accuracy.CountCorrect(B, AccuracyKind.SparseCategorical, p, T(new Shape(2), 2, 1)));
        Assert.Throws<ShapeMismatchException>(() => Accuracy.CountCorrect(B, AccuracyKind.SparseCategorical, p, T(new Shape(3), 2, 1, 0)));
        // Same number of labels, wrong layout: (N, 6) for (N, 2, 3, C) predictions.
        Assert.Throws<ShapeMismatchException>(() => Accuracy.CountCorrect(B, AccuracyKind.SparseCategorical, B.Allocate(new Shape(2, 2, 3, 4)), B.Allocate(new Shape(2, 6))));
        Assert.Equal(12, Accuracy.CountCorrect(B, AccuracyKind.SparseCategorical, B.Allocate(new Shape(2, 2, 3, 4)), B.Allocate(new Shape(2, 2, 3, 1))));
    }

    [Fact]
    public void BinaryFromLogits_TfKerasDocstringExample()
    {
        double[] z = [-18.6, 0.51, 2.94, -12.8];
        double[] y = [0, 1, 0, 0];
        // max(z, 0) − z·y + ln(1 + e^{−|z|}), mean over the 4 features.
        double expected = z.Zip(y, (zi, yi) => Math.Max(zi, 0) - (zi * yi) + Math.Log(1 + Math.Exp(-Math.Abs(zi)))).Average();
        double value = new BinaryCrossentropy(fromLogits: true).Value(B, T(new Shape(1, 4), z), T(new Shape(1, 4), y));
        Assert.Equal(expected, value, 14);
        Assert.Equal(0.865, value, 3); // published
    }

    [Fact]
    public void FromLogits_LargeLogits_StayFinite_AndExact()
    {
        // BCE: z = 1000, y = 0 → 1000; z = −1000, y = 0 → e^{−1000} ≈ 0. Mean over 2 features = 500.
        Assert.Equal(500, new BinaryCrossentropy(fromLogits: true).Value(B, T(new Shape(1, 2), 1000, -1000), T(new Shape(1, 2), 0, 0)), 12);
        // CCE: lse([1000, −1000]) − z_1 = 1000 − (−1000) = 2000.
        Assert.Equal(2000, new CategoricalCrossentropy(fromLogits: true).Value(B, T(new Shape(1, 2), 1000, -1000), T(new Shape(1, 2), 0, 1)), 9);
        Assert.Equal(2000, new SparseCategoricalCrossentropy(fromLogits: true).Value(B, T(new Shape(1, 2), 1000, -1000), T(new Shape(1), 1)), 9);
        var g = B.Allocate(new Shape(1, 2));
        new CategoricalCrossentropy(fromLogits: true).Gradient(B, T(new Shape(1, 2), 1000, -1000), T(new Shape(1, 2), 0, 1), g);
        Assert.Equal(new double[] { 1, -1 }, g.ToArray());
        // Through softmax, the probability form saturates at the clip: −ln ε.
        Assert.Equal(-Math.Log(Eps), new CategoricalCrossentropy().Value(B, T(new Shape(1, 2), 1, 0), T(new Shape(1, 2), 0, 1)), 9);
    }

    [Fact]
    public void FromLogits_EqualTheProbabilityForms_InsideTheClip()
    {
        double[] z = [0.3, -1.2, 2.0, 0.5, 0.1, -0.4];
        Tensor<double> logits = T(new Shape(2, 3), z);
        var p = new Tensor<double>(2, 3);
        ActivationFunction.Softmax.Forward(B, logits, p);
        Tensor<double> y = T(new Shape(2, 3), 0, 0, 1, 1, 0, 0);
        Assert.Equal(new CategoricalCrossentropy().Value(B, p, y), new CategoricalCrossentropy(fromLogits: true).Value(B, logits, y), 13);
        Assert.Equal(new SparseCategoricalCrossentropy().Value(B, p, T(new Shape(2), 2, 0)),
            new SparseCategoricalCrossentropy(fromLogits: true).Value(B, logits, T(new Shape(2), 2, 0)), 13);
        var s = new Tensor<double>(2, 3);
        ActivationFunction.Sigmoid.Forward(B, logits, s);
        Tensor<double> yb = T(new Shape(2, 3), 0, 1, 1, 0, 0, 1);
        Assert.Equal(new BinaryCrossentropy().Value(B, s, yb), new BinaryCrossentropy(fromLogits: true).Value(B, logits, yb), 12);
    }

    [Fact]
    public void CategoricalFromLogits_Gradient_IsSoftmaxMinusTargets()
    {
        double[] z = [0.3, -1.2, 2.0, 0.5, 0.1, -0.4];
        var g = B.Allocate(new Shape(2, 3));
        new CategoricalCrossentropy(fromLogits: true).Gradient(B, T(new Shape(2, 3), z), T(new Shape(2, 3), 0, 0, 1, 1, 0, 0), g);
        double[] y = [0, 0, 1, 1, 0, 0];
        for (int r = 0; r < 2; r++)
        {
            double sum = Enumerable.Range(0, 3).Sum(k => Math.Exp(z[(r * 3) + k]));
            for (int k = 0; k < 3; k++)
            {
                Assert.Equal(((Math.Exp(z[(r * 3) + k]) / sum) - y[(r * 3) + k]) / 2, g.Span[(r * 3) + k], 14);
            }
        }
    }

    [Fact]
    public void FromName_SparseCategoricalCrossentropy()
    {
        Assert.IsType<SparseCategoricalCrossentropy>(Loss.FromName("sparse_categorical_crossentropy"));
        Assert.False(((SparseCategoricalCrossentropy)Loss.FromName("sparse_categorical_crossentropy")).FromLogits);
    }

    private static (Tensor<double> X, int[] Labels) Blobs()
    {
        var random = new Random(4);
        var x = new double[60 * 2];
        var labels = new int[60];
        for (int i = 0; i < 60; i++)
        {
            labels[i] = i % 3;
            x[2 * i] = (labels[i] == 1 ? 2 : -1) + (0.5 * random.NextDouble());
            x[(2 * i) + 1] = (labels[i] == 2 ? 2 : -1) + (0.5 * random.NextDouble());
        }
        return (T(new Shape(60, 2), x), labels);
    }

    private static Sequential<double> Model(Loss loss, ActivationFunction? output)
    {
        var net = new Sequential<double>(B, seed: 9);
        net.Add(new Dense<double>(5, ActivationFunction.Tanh, inputDim: 2));
        net.Add(new Dense<double>(3, output));
        net.Compile(new Adam(0.05), loss, ["accuracy"]);
        return net;
    }

    [Fact]
    public void Fit_SparseLabels_TrainLikeOneHotTargets()
    {
        (Tensor<double> x, int[] labels) = Blobs();
        Tensor<double> sparseY = T(new Shape(60), [.. labels.Select(l => (double)l)]);
        var oneHot = new double[180];
        for (int i = 0; i < 60; i++)
        {
            oneHot[(i * 3) + labels[i]] = 1;
        }
        History sparse = Model(new SparseCategoricalCrossentropy(), ActivationFunction.Softmax).Fit(x, sparseY, batchSize: 16, epochs: 5, seed: 2, verbose: 0);
        History dense = Model(new CategoricalCrossentropy(), ActivationFunction.Softmax).Fit(x, T(new Shape(60, 3), oneHot), batchSize: 16, epochs: 5, seed: 2, verbose: 0);
        // Softmax rows sum to 1 and stay inside the clip: the two losses are the same function (to rounding).
        for (int e = 0; e < 5; e++)
        {
            Assert.Equal(dense.Values["loss"][e], sparse.Values["loss"][e], 9);
            Assert.Equal(dense.Values["acc"][e], sparse.Values["acc"][e], 12);
        }
        Assert.True(sparse.Values["acc"][^1] > 0.9, $"acc {sparse.Values["acc"][^1]}");
    }

    [Fact]
    public void Fit_FromLogits_LinearOutput_Learns_AndEvaluateAcceptsN1Labels()
    {
        (Tensor<double> x, int[] labels) = Blobs();
        Sequential<double> net = Model(new SparseCategoricalCrossentropy(fromLogits: true), null);
        History h = net.Fit(x, T(new Shape(60, 1), [.. labels.Select(l => (double)l)]), batchSize: 16, epochs: 20, seed: 2, verbose: 0);
        Assert.True(h.Values["loss"][^1] < 0.5 * h.Values["loss"][0], $"loss {h.Values["loss"][0]} → {h.Values["loss"][^1]}");
        Evaluation a = net.Evaluate(x, T(new Shape(60), [.. labels.Select(l => (double)l)]));
        Evaluation b = net.Evaluate(x, T(new Shape(60, 1), [.. labels.Select(l => (double)l)]));
        Assert.Equal(a.Loss, b.Loss);
        // Accuracy from the model's own predictions, counted here.
        double[] p = net.Predict(x).ToArray();
        int correct = Enumerable.Range(0, 60).Count(i => Enumerable.Range(0, 3).MaxBy(k => p[(i * 3) + k]) == labels[i]);
        Assert.Equal(correct / 60.0, a.Accuracy, 12);
    }

    [Fact]
    public void Fit_SparseLoss_OneHotTargets_ThrowNamingTheExpectedShape()
    {
        (Tensor<double> x, _) = Blobs();
        var e = Assert.Throws<ShapeMismatchException>(() =>
            Model(new SparseCategoricalCrossentropy(), ActivationFunction.Softmax).Fit(x, B.Allocate(new Shape(60, 3)), verbose: 0));
        Assert.Contains("class indices", e.Message);
        Assert.Contains("(60, 3)", e.Message);
    }

    [Fact]
    public void FromLogits_MinusInfinityOutsideTheLabel_StaysFinite_NaNPropagates()
    {
        // lse([−∞, 2]) − 2 = 0: a −∞ logit of a class that is not the label adds nothing (0·∞ must not become NaN).
        Assert.Equal(0, new SparseCategoricalCrossentropy(fromLogits: true).Value(B, T(new Shape(1, 2), double.NegativeInfinity, 2), T(new Shape(1), 1)));
        Assert.True(double.IsNaN(new SparseCategoricalCrossentropy(fromLogits: true).Value(B, T(new Shape(1, 2), double.NaN, 2), T(new Shape(1), 1))));
        Assert.True(double.IsNaN(new SparseCategoricalCrossentropy().Value(B, T(new Shape(1, 2), double.NaN, 0.5), T(new Shape(1), 1))));
        var g = B.Allocate(new Shape(1, 2));
        new SparseCategoricalCrossentropy().Gradient(B, T(new Shape(1, 2), double.NaN, 0.5), T(new Shape(1), 0), g);
        Assert.True(double.IsNaN(g.Span[0]), "a NaN prediction gives a NaN gradient, not 0");
    }

    [Fact]
    public void Compile_LogLossWithALogitsLoss_Throws()
    {
        var net = new Sequential<double>(B, seed: 1);
        net.Add(new Dense<double>(3, inputDim: 2));
        Assert.Throws<ArgumentException>(() => net.Compile(new Adam(), new CategoricalCrossentropy(fromLogits: true), ["log_loss"]));
    }

    [Fact]
    public void Compile_SparseLossWithAnElementwiseMetric_Throws()
    {
        var net = new Sequential<double>(B, seed: 1);
        net.Add(new Dense<double>(3, ActivationFunction.Softmax, inputDim: 2));
        var e = Assert.Throws<ArgumentException>(() => net.Compile("adam", "sparse_categorical_crossentropy", ["mse"]));
        Assert.Contains("class indices", e.Message);
    }
}
