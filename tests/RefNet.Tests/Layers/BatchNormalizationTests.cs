// BatchNormalization: forward and moving statistics worked by hand in the comments, the three moving-variance rules,
// inference with the moving statistics, Keras' parameter counts, the Keras JSON config, and the errors.
using RefNet.Backends;
using RefNet.Engine;
using RefNet.Layers;
using RefNet.Serialization;
using RefNet.Tensors;
using Xunit;

namespace RefNet.Tests.Layers;

public sealed class BatchNormalizationTests
{
    private static BatchNormalization<double> Bn(Shape input, MovingVarianceRule rule = MovingVarianceRule.Biased)
    {
        var bn = new BatchNormalization<double>(movingVarianceRule: rule, name: "bn");
        bn.UseBackend(ReferenceBackend<double>.Instance);
        bn.Build(input);
        return bn;
    }

    [Fact]
    public void Training_NormalizesEachChannelWithTheBatchMeanAndBiasedVariance_ByHand()
    {
        // Two channels over a batch of 2: channel 0 = [0, 4] → μ = 2, σ² = ((−2)² + 2²)/2 = 4;
        // channel 1 = [1, 1] → μ = 1, σ² = 0. With ε = 1e-3, γ = 1, β = 0:
        // channel 0: ±2/√4.001 = ±2/2.00024998… = ±0.99987502343…;  channel 1: 0/√0.001 = 0.
        BatchNormalization<double> bn = Bn(new Shape(2));
        var x = Tensor<double>.FromRows(new double[,] { { 0, 1 }, { 4, 1 } });
        double[] y = bn.Forward(x, training: true).ToArray();
        double expected = 2 / Math.Sqrt(4.001);
        Assert.Equal(0.99987502343, expected, 10);
        Assert.Equal(-expected, y[0], 15);
        Assert.Equal(0.0, y[1]);
        Assert.Equal(expected, y[2], 15);
        Assert.Equal(0.0, y[3]);
    }

    [Theory]
    [InlineData(MovingVarianceRule.Biased, 1.03)]          // 1 − (1 − 4)·0.01
    [InlineData(MovingVarianceRule.Bessel, 1.07)]          // 1 − (1 − 4·2/1)·0.01
    [InlineData(MovingVarianceRule.Keras23, 1.0700800800800801)] // 1 − (1 − 4·2/(2 − 1.001))·0.01 = 1 + 7.008008…·0.01
    public void Training_MovesTheStatistics_ByTheRuleOfTheVersion(MovingVarianceRule rule, double movingVariance)
    {
        // Channel [0, 4]: μ = 2, σ² = 4 (m = 2). Moving mean 0 − (0 − 2)·(1 − 0.99) = 0.02.
        BatchNormalization<double> bn = Bn(new Shape(1), rule);
        bn.Forward(Tensor<double>.FromRows(new double[,] { { 0 }, { 4 } }), training: true);
        Assert.Equal(0.02, bn.MovingMean.Value.ToArray()[0], 15);
        Assert.Equal(movingVariance, bn.MovingVariance.Value.ToArray()[0], 14);
    }

    [Fact]
    public void Inference_UsesTheMovingStatistics_AndLeavesThemUnchanged()
    {
        // y = γ·(x − m)/√(v + ε) + β with m = 0.5, v = 3, γ = 2, β = −1 (set by hand): x = 2.5 → 2·2/√3.001 − 1.
        BatchNormalization<double> bn = Bn(new Shape(1));
        bn.MovingMean.Value.Span[0] = 0.5;
        bn.MovingVariance.Value.Span[0] = 3;
        bn.Gamma!.Value.Span[0] = 2;
        bn.Beta!.Value.Span[0] = -1;
        double y = bn.Forward(Tensor<double>.FromRows(new double[,] { { 2.5 } }), training: false).ToArray()[0];
        Assert.Equal((2 * 2 / Math.Sqrt(3.001)) - 1, y, 14);
        Assert.Equal(0.5, bn.MovingMean.Value.ToArray()[0]);
        Assert.Equal(3.0, bn.MovingVariance.Value.ToArray()[0]);
    }

    [Fact]
    public void Images_ShareOneStatisticPerChannel_OverBatchHeightAndWidth()
    {
        // (N, H, W, C) = (2, 1, 2, 1): the four values [1, 2, 3, 6] are one channel: μ = 3, σ² = (4 + 1 + 0 + 9)/4 = 3.5.
        BatchNormalization<double> bn = Bn(new Shape(1, 2, 1));
        var x = Tensor<double>.FromArray(new Shape(2, 1, 2, 1), [1, 2, 3, 6]);
        double[] y = bn.Forward(x, training: true).ToArray();
        double s = Math.Sqrt(3.5 + 1e-3);
        Assert.Equal([-2 / s, -1 / s, 0, 3 / s], y.Select(v => Math.Round(v, 14)).ToArray(), (a, b) => Math.Abs(a - Math.Round(b, 14)) < 1e-13);
        Assert.Equal(0.03, bn.MovingMean.Value.ToArray()[0], 15);
    }

    [Fact]
    public void FloatAndDouble_Agree()
    {
        var f = new BatchNormalization<float>(name: "bn");
        f.Build(new Shape(3));
        BatchNormalization<double> d = Bn(new Shape(3));
        var rng = new Random(5);
        double[] values = Enumerable.Range(0, 12).Select(_ => rng.NextDouble() * 4 - 2).ToArray();
        float[] yf = f.Forward(Tensor<float>.FromArray(new Shape(4, 3), values.Select(v => (float)v).ToArray()), true).ToArray();
        double[] yd = d.Forward(Tensor<double>.FromArray(new Shape(4, 3), values), true).ToArray();
        for (int i = 0; i < yd.Length; i++)
        {
            Assert.Equal(yd[i], yf[i], 5);
        }
    }

    [Fact]
    public void Summary_CountsFourParametersPerChannel_TwoOfThemNonTrainable()
    {
        // Keras: BatchNormalization after Conv2D(32) has 4·32 = 128 parameters; moving mean and variance (64) are non-trainable.
        var net = new Sequential<float>(seed: 1);
        net.Add(new Conv2D<float>(32, (3, 3), inputShape: new Shape(28, 28, 1)));
        net.Add(new BatchNormalization<float>());
        string summary = net.Summary();
        // Keras 2 cuts the first column at 29 characters: "batch_normalization_1 (Batch".
        Assert.Matches(@"batch_normalization_1 \(Batc\w*\s+\(None, 26, 26, 32\)\s+128\s", summary);
        Assert.Contains("Total params: 448", summary);
        Assert.Contains("Trainable params: 384", summary);
        Assert.Contains("Non-trainable params: 64", summary);
    }

    [Fact]
    public void Fit_UpdatesGammaAndBeta_ButNotTheMovingStatisticsThroughTheOptimizer()
    {
        var net = new Sequential<double>(seed: 3);
        net.Add(new Dense<double>(4, inputDim: 3));
        var bn = new BatchNormalization<double>(momentum: 0.5);
        net.Add(bn);
        net.Add(new Dense<double>(2, RefNet.Activations.ActivationFunction.Softmax));
        net.Compile(new RefNet.Optimizers.Sgd(0.1), new RefNet.Losses.CategoricalCrossentropy());
        var rng = new Random(4);
        var x = Tensor<double>.FromArray(new Shape(16, 3), Enumerable.Range(0, 48).Select(_ => rng.NextDouble()).ToArray());
        var y = Tensor<double>.FromArray(new Shape(16, 2), Enumerable.Range(0, 32).Select(i => (double)((i / 2 + i) % 2)).ToArray());
        // The batch mean of the first layer's output under the initial weights, before the step changes them.
        double[] z = net.Layers[0].Forward(x, training: false).ToArray();
        double[] mu = Enumerable.Range(0, 4).Select(c => Enumerable.Range(0, 16).Sum(r => z[(r * 4) + c]) / 16).ToArray();
        net.Fit(x, y, batchSize: 16, epochs: 1, shuffle: false, verbose: 0);
        Assert.NotEqual(1.0, bn.Gamma!.Value.ToArray()[0]);
        Assert.NotEqual(0.0, bn.Beta!.Value.ToArray()[0]);
        // One step with momentum 0.5: moving mean = 0 − (0 − μ)·0.5 (the optimizer does not touch it).
        double[] moving = bn.MovingMean.Value.ToArray();
        for (int c = 0; c < 4; c++)
        {
            Assert.Equal(0.5 * mu[c], moving[c], 12);
        }
        Assert.Equal(2, bn.NonTrainableParameters.Count());
    }

    [Fact]
    public void ModelConfig_ReadsKeras2Json_AndRoundTrips()
    {
        // A Keras 2.2.4 BatchNormalization config as model.to_json() writes it.
        const string json = """
        {"class_name": "Sequential", "config": [
          {"class_name": "Dense", "config": {"name": "dense_1", "trainable": true, "batch_input_shape": [null, 3], "dtype": "float32",
            "units": 4, "activation": "linear", "use_bias": true, "kernel_initializer": {"class_name": "VarianceScaling", "config": {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform", "seed": null}},
            "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null}},
          {"class_name": "BatchNormalization", "config": {"name": "batch_normalization_1", "trainable": true, "axis": -1, "momentum": 0.9, "epsilon": 0.001,
            "center": true, "scale": false, "beta_initializer": {"class_name": "Zeros", "config": {}}, "gamma_initializer": {"class_name": "Ones", "config": {}},
            "moving_mean_initializer": {"class_name": "Zeros", "config": {}}, "moving_variance_initializer": {"class_name": "Ones", "config": {}},
            "beta_regularizer": null, "gamma_regularizer": null, "beta_constraint": null, "gamma_constraint": null}}]}
        """;
        Network<double> net = ModelConfig.FromJson<double>(json);
        var bn = Assert.IsType<BatchNormalization<double>>(net.Layers[1]);
        Assert.Equal((0.9, 0.001, true, false), (bn.Momentum, bn.Epsilon, bn.Center, bn.Scale));
        Assert.Null(bn.Gamma);
        Assert.Equal(4 * 3, bn.CountParameters());
        string written = ModelConfig.ToJson(net);
        Assert.Contains("\"moving_variance_rule\":", written.Replace(" ", string.Empty, StringComparison.Ordinal).Replace("\"moving_variance_rule\":\"biased\"", "\"moving_variance_rule\":", StringComparison.Ordinal));
        Assert.Equal(written, ModelConfig.ToJson(ModelConfig.FromJson<double>(written)));
        var keras23 = new Sequential<double>();
        keras23.Add(new BatchNormalization<double>(movingVarianceRule: MovingVarianceRule.Keras23, inputShape: new Shape(2)));
        var read = Assert.IsType<BatchNormalization<double>>(ModelConfig.FromJson<double>(ModelConfig.ToJson(keras23)).Layers[0]);
        Assert.Equal(MovingVarianceRule.Keras23, read.VarianceRule);
    }

    [Fact]
    public void BadInput_GivesClearErrors()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNormalization<double>(momentum: 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNormalization<double>(epsilon: 0));
        var axis1 = new BatchNormalization<double>(axis: 1, name: "bn_axis");
        var e = Assert.Throws<ShapeMismatchException>(() => axis1.Build(new Shape(4, 4, 3)));
        Assert.Contains("bn_axis", e.Message);
        Assert.Contains("axis 1", e.Message);
        // One value per channel (a last batch of one row): σ² = 0 under every rule, so v ← momentum·v (no 0·∞); zero-debiased,
        // the first step's moving variance is that batch's, 0.
        foreach (MovingVarianceRule rule in Enum.GetValues<MovingVarianceRule>())
        {
            BatchNormalization<double> single = Bn(new Shape(2), rule);
            double before = single.MovingVariance.Value.ToArray()[0];
            single.Forward(Tensor<double>.FromArray(new Shape(1, 2), [0.5, -1.0]), training: true);
            double expected = rule == MovingVarianceRule.ZeroDebiased ? 0 : single.Momentum * before;
            Assert.Equal(expected, single.MovingVariance.Value.ToArray()[0], 15);
        }
        BatchNormalization<double> bn = Bn(new Shape(3));
        var wrong = Assert.Throws<ShapeMismatchException>(() => bn.Forward(new Tensor<double>(2, 4), training: true));
        Assert.Contains("bn", wrong.Message);
        var bad = Assert.Throws<ModelConfigException>(() => ModelConfig.FromJson<double>(
            """{"class_name": "Sequential", "config": [{"class_name": "BatchNormalization", "config": {"name": "b", "batch_input_shape": [null, 2], "momentum": 2}}]}"""));
        Assert.Contains("momentum", bad.Message);
    }
}
