// Keras profiles: for every convention that differs between profiles, a small discriminating case whose expected value is
// the formula of each version written out here (or a number from shared/reference/keras-golden.md §5–6), and the rules
// for choosing a profile (explicit arguments win; layers take the network's profile when added; names and keras_version).
using RefNet.Activations;
using RefNet.Backends;
using RefNet.Conventions;
using RefNet.Engine;
using RefNet.Initializers;
using RefNet.Layers;
using RefNet.Losses;
using RefNet.Optimizers;
using RefNet.Serialization;
using RefNet.Tensors;
using Xunit;

namespace RefNet.Tests.Conventions;

public sealed class KerasProfileTests
{
    // 37 elements: several full vectors and a scalar tail on the CPU backend, so both forms of each update rule run.
    private const int N = 37;

    public static TheoryData<string> Backends => new() { "reference", "cpu" };

    private static IBackend<double> Backend(string name) => name == "cpu" ? CpuBackend<double>.Instance : ReferenceBackend<double>.Instance;

    private static Parameter<double> Param(IBackend<double> backend, double w, double g)
    {
        var p = new Parameter<double>("w", backend.Allocate(new Shape(N)), backend.Allocate(new Shape(N)));
        backend.Fill(p.Value, w);
        backend.Fill(p.Gradient, g);
        return p;
    }

    private static void AllEqual(double expected, Parameter<double> p, int digits = 12)
    {
        foreach (double v in p.Value.ToArray())
        {
            Assert.Equal(expected, v, digits);
        }
    }

    [Fact]
    public void Default_IsKeras231_AndKeepsRefNetsEarlierDefaults()
    {
        Assert.Same(KerasProfile.Keras231, KerasProfile.Default);
        Assert.Equal(1e-7, new RmsProp().Epsilon);
        Assert.Equal(1e-7, new Adam().Epsilon);
        Assert.Equal(1.0, new Adadelta().LearningRate);
        Assert.Equal(0.0, new AdaGrad().InitialAccumulator);
        Assert.Equal("sigmoid", new LSTM<float>(2).RecurrentActivation.Name);
        Assert.False(new GRU<float>(2).ResetAfter);
        Assert.True(new LSTM<float>(2).UnitForgetBias);
        Assert.IsType<GlorotUniform>(new LSTM<float>(2).KernelInitializer);
    }

    // keras-golden.md §6.5: w₀ = 1, g = 1e-4, lr 0.1, ρ 0.9, one step from a zero accumulator; the step is
    // 0.3152309 (ε 1e-7 outside √), 0.3161278 (Keras 2.0.x: ε 1e-8 outside), 0.0314658 (ε inside √: TensorFlow.js and the
    // optimizer tf.keras uses by default from TF 2.11).
    [Theory]
    [InlineData("2.0.8", 0.3161278, "reference", 1e-8, false)]
    [InlineData("2.2.5", 0.3152309, "reference", 1e-7, false)]
    [InlineData("2.3.1", 0.3152309, "cpu", 1e-7, false)]
    [InlineData("tf-2.15", 0.0314658, "cpu", 1e-7, true)]
    [InlineData("tfjs-4.22", 0.0314658, "cpu", 1e-7, true)]
    [InlineData("tfjs-4.22", 0.0314658, "reference", 1e-7, true)]
    public void RmsProp_FirstStep_FollowsTheProfilesEpsilonAndPlacement(string profile, double step, string backendName, double eps, bool inside)
    {
        IBackend<double> backend = Backend(backendName);
        Parameter<double> p = Param(backend, 1.0, 1e-4);
        var rmsprop = new RmsProp(learningRate: 0.1) { Keras = KerasProfile.FromName(profile) };
        rmsprop.Step(backend, [p]);
        AllEqual(1 - step, p, 7);
        // The formula, exactly: a = (1 − ρ)g².
        double a = 0.1 * 1e-8;
        double exact = inside ? 0.1 * 1e-4 / Math.Sqrt(a + eps) : 0.1 * 1e-4 / (Math.Sqrt(a) + eps);
        AllEqual(1 - exact, p);
    }

    [Fact]
    public void ExplicitArguments_WinOverTheProfile()
    {
        var rmsprop = new RmsProp(epsilon: 1e-3, epsilonPlacement: EpsilonPlacement.OutsideRoot) { Keras = KerasProfile.TfJs422 };
        Assert.Equal(1e-3, rmsprop.Epsilon);
        Assert.Equal(EpsilonPlacement.OutsideRoot, rmsprop.EpsilonPlacement);
        var adadelta = new Adadelta(learningRate: 0.5) { Keras = KerasProfile.TfKeras215 };
        Assert.Equal(0.5, adadelta.LearningRate);
        var net = new Sequential<double>(keras: KerasProfile.Keras208);
        net.Add(new LSTM<double>(2, recurrentActivation: ActivationFunction.Sigmoid, returnSequences: true, inputShape: new Shape(3, 2)));
        net.Add(new GRU<double>(2, resetAfter: true));
        Assert.Equal("sigmoid", ((LSTM<double>)net.Layers[0]).RecurrentActivation.Name);
        Assert.True(((GRU<double>)net.Layers[1]).ResetAfter);
    }

    // Adam, t = 1, g = 1e-4, lr 0.1, β₁ 0.9, β₂ 0.999, ε 1e-7: m = (1−β₁)g, v = (1−β₂)g².
    // Keras (ε-hat): lr·√(1−β₂)/(1−β₁)·m/(√v + ε) = 0.1·1e-4·√0.001/(√0.001·1e-4 + 1e-7) ≈ 0.0969;
    // TensorFlow.js (paper): lr·m̂/(√v̂ + ε) with m̂ = g, √v̂ = g: 0.1·1e-4/(1e-4 + 1e-7) ≈ 0.0999.
    [Theory]
    [InlineData("2.3.1", "reference")]
    [InlineData("tf-2.15", "cpu")]
    [InlineData("tfjs-4.22", "reference")]
    [InlineData("tfjs-4.22", "cpu")]
    public void Adam_TwoSteps_FollowTheProfilesEpsilonForm(string profile, string backendName)
    {
        IBackend<double> backend = Backend(backendName);
        Parameter<double> p = Param(backend, 1.0, 1e-4);
        var adam = new Adam(learningRate: 0.1) { Keras = KerasProfile.FromName(profile) };
        double w = 1, m = 0, v = 0, g = 1e-4, b1 = 0.9, b2 = 0.999, eps = 1e-7;
        for (int t = 1; t <= 2; t++)
        {
            adam.Step(backend, [p]);
            m = (b1 * m) + ((1 - b1) * g);
            v = (b2 * v) + ((1 - b2) * g * g);
            w -= profile == "tfjs-4.22"
                ? 0.1 * (m / (1 - Math.Pow(b1, t))) / (Math.Sqrt(v / (1 - Math.Pow(b2, t))) + eps)
                : 0.1 * Math.Sqrt(1 - Math.Pow(b2, t)) / (1 - Math.Pow(b1, t)) * m / (Math.Sqrt(v) + eps);
            AllEqual(w, p);
        }
    }

    // Adagrad, g = 0.5, lr 0.1, one step: a = a₀ + g² with a₀ 0 (Keras 2.x) or 0.1 (tf.keras, TensorFlow.js); ε outside √
    // (Keras 2.x) or inside (tf.keras 2.11+, TensorFlow.js). The default lr is 0.001 in tf.keras, 0.01 elsewhere.
    [Theory]
    [InlineData("2.0.8", 0.0, false, 1e-8)]
    [InlineData("2.3.1", 0.0, false, 1e-7)]
    [InlineData("tf-2.15", 0.1, true, 1e-7)]
    [InlineData("tfjs-4.22", 0.1, true, 1e-7)]
    public void AdaGrad_FirstStep_FollowsTheProfilesAccumulatorAndPlacement(string profile, double a0, bool inside, double eps)
    {
        IBackend<double> backend = CpuBackend<double>.Instance;
        Parameter<double> p = Param(backend, 1.0, 0.5);
        new AdaGrad(learningRate: 0.1) { Keras = KerasProfile.FromName(profile) }.Step(backend, [p]);
        Assert.Equal(profile == "tf-2.15" ? 0.001 : 0.01, new AdaGrad { Keras = KerasProfile.FromName(profile) }.LearningRate);
        double a = a0 + 0.25;
        AllEqual(1 - (inside ? 0.1 * 0.5 / Math.Sqrt(a + eps) : 0.1 * 0.5 / (Math.Sqrt(a) + eps)), p);
    }

    [Fact]
    public void Adadelta_LearningRate_IsTheCompiledNetworksProfiles()
    {
        var net = new Sequential<double>(keras: KerasProfile.TfKeras215);
        net.Add(new Dense<double>(1, inputDim: 1));
        var adadelta = new Adadelta();
        net.Compile(adadelta, new MeanSquaredError());
        Assert.Equal(0.001, adadelta.LearningRate);
        Assert.Same(KerasProfile.TfKeras215, adadelta.Keras);
        var keras2 = new Sequential<double>(keras: KerasProfile.Keras208);
        keras2.Add(new Dense<double>(1, inputDim: 1));
        keras2.Compile(adadelta, new MeanSquaredError());
        Assert.Equal(1.0, adadelta.LearningRate);
        Assert.Equal(1e-8, adadelta.Epsilon);
        // A rate the user (or a scheduler) set survives Compile under any profile.
        var set = new Adadelta { LearningRate = 0.3 };
        var tf = new Sequential<double>(keras: KerasProfile.TfKeras215);
        tf.Add(new Dense<double>(1, inputDim: 1));
        tf.Compile(set, new MeanSquaredError());
        Assert.Equal(0.3, set.LearningRate);
        tf.Compile(set, new MeanSquaredError());
        Assert.Equal(0.3, set.LearningRate);
    }

    [Fact]
    public void Network_ProfileSetAfterCompile_ReachesTheOptimizerAndLoss()
    {
        var net = new Sequential<double>();
        var adadelta = new Adadelta();
        var bce = new BinaryCrossentropy();
        net.Compile(adadelta, bce);
        net.Keras = KerasProfile.TfKeras215;
        Assert.Same(KerasProfile.TfKeras215, adadelta.Keras);
        Assert.Equal(0.001, adadelta.LearningRate);
        Assert.True(bce.EpsilonInLog);
    }

    // keras-golden.md §5.3: BCE(y = 1, p = 0) = −ln ε = 16.1180957 (Keras 2.x, TensorFlow.js) and −ln 2ε = 15.4249485
    // (tf.keras 2.x: clip, then ε added inside the log again).
    [Theory]
    [InlineData("2.0.8", 16.1180957)]
    [InlineData("2.3.1", 16.1180957)]
    [InlineData("tfjs-4.22", 16.1180957)]
    [InlineData("tf-2.15", 15.4249485)]
    public void BinaryCrossentropy_AtTheClip_FollowsTheProfile(string profile, double expected)
    {
        var loss = new BinaryCrossentropy { Keras = KerasProfile.FromName(profile) };
        var p = Tensor<double>.FromArray(new Shape(1, 1), [0.0]);
        var y = Tensor<double>.FromArray(new Shape(1, 1), [1.0]);
        Assert.Equal(expected, loss.Value(ReferenceBackend<double>.Instance, p, y), 6);
    }

    [Fact]
    public void BinaryCrossentropy_TfKerasForm_ValueAndGradientInsideTheClip()
    {
        // p = 0.3, y = 1: −ln(0.3 + 1e-7); ∂/∂p = −1/(p + ε) (one element, mean over one).
        var loss = new BinaryCrossentropy { Keras = KerasProfile.TfKeras215 };
        var p = Tensor<double>.FromArray(new Shape(1, 1), [0.3]);
        var y = Tensor<double>.FromArray(new Shape(1, 1), [1.0]);
        var g = new Tensor<double>(1, 1);
        Assert.Equal(-Math.Log(0.3 + 1e-7), loss.Value(ReferenceBackend<double>.Instance, p, y), 12);
        loss.Gradient(ReferenceBackend<double>.Instance, p, y, g);
        Assert.Equal(-1 / (0.3 + 1e-7), g.Span[0], 10);
    }

    // A Dense(2, softmax) output whose logits are z = (0, 20) for target class 0: p₀ = 1/(1 + e²⁰) ≈ 2.1e-9 < ε.
    // Keras 2.x clips: −ln 1e-7 = 16.1180957. tf.keras uses the logits: −ln softmax(z)₀ = 20 + ln(1 + e⁻²⁰).
    [Theory]
    [InlineData("2.3.1")]
    [InlineData("tf-2.15")]
    public void CrossEntropyAfterSoftmax_ClippedOrFromTheLogits_AsTheProfileSays(string profile)
    {
        var net = new Sequential<double>(keras: KerasProfile.FromName(profile));
        var dense = new Dense<double>(2, ActivationFunction.Softmax, inputDim: 1, useBias: false);
        net.Add(dense);
        dense.Kernel.Value.Span[0] = 0.0;
        dense.Kernel.Value.Span[1] = 20.0;
        net.Compile(new Sgd(learningRate: 1.0), new CategoricalCrossentropy());
        var x = Tensor<double>.FromArray(new Shape(1, 1), [1.0]);
        var y = Tensor<double>.FromArray(new Shape(1, 2), [1.0, 0.0]);
        double fromLogits = 20 + Math.Log(1 + Math.Exp(-20));
        Assert.Equal(profile == "tf-2.15" ? fromLogits : 16.1180957, net.Evaluate(x, y, batchSize: 1).Loss, 6);
        // One SGD step: from the logits ∂J/∂z = softmax(z) − y, so K −= x·(p − y); clipped, p₀ < ε gives ∂J/∂p₀ = 0
        // and so ∂J/∂z = p·(0 − Σ p·0) = 0: the weights do not move.
        net.Fit(x, y, batchSize: 1, epochs: 1, shuffle: false, verbose: 0);
        double p1 = 1 / (1 + Math.Exp(-20));
        double[] expected = profile == "tf-2.15" ? [0.0 + (1 - (1 - p1)), 20.0 - p1] : [0.0, 20.0];
        double[] k = dense.Kernel.Value.ToArray();
        Assert.Equal(expected[0], k[0], 12);
        Assert.Equal(expected[1], k[1], 12);
    }

    // tf.keras 2.15's _get_logits takes the cached logits of either activation: categorical cross-entropy after a sigmoid
    // output is the softmax cross-entropy of its logits, lse(z) − z_y; Keras 2.3.1 renormalises the sigmoids instead.
    [Fact]
    public void CrossEntropyAfterSigmoid_UnderTfKeras_IsTheSoftmaxCrossEntropyOfTheLogits()
    {
        var x = Tensor<double>.FromArray(new Shape(1, 1), [1.0]);
        var y = Tensor<double>.FromArray(new Shape(1, 2), [0.0, 1.0]);
        double[] losses = new double[2];
        int i = 0;
        foreach (KerasProfile profile in (KerasProfile[])[KerasProfile.TfKeras215, KerasProfile.Keras231])
        {
            var net = new Sequential<double>(keras: profile);
            var dense = new Dense<double>(2, ActivationFunction.Sigmoid, inputDim: 1, useBias: false);
            net.Add(dense);
            dense.Kernel.Value.Span[0] = 1.0;
            dense.Kernel.Value.Span[1] = -2.0;
            net.Compile(new Sgd(), new CategoricalCrossentropy());
            losses[i++] = net.Evaluate(x, y, batchSize: 1).Loss;
        }
        double lse = Math.Log(Math.Exp(1.0) + Math.Exp(-2.0));
        Assert.Equal(lse - (-2.0), losses[0], 12);
        double s1 = 1 / (1 + Math.Exp(-1.0)), s2 = 1 / (1 + Math.Exp(2.0));
        Assert.Equal(-Math.Log(s2 / (s1 + s2)), losses[1], 12);
    }

    // Under tf.keras the sparse loss after TimeDistributed(Dense(softmax)) on sequences reads the logits, (batch, T, classes):
    // the value is the mean over samples and steps of lse(z) − z_label with z = x·K, and one SGD step moves K by
    // −lr·Σ x·(softmax(z) − onehot)/(B·T), all written out here.
    [Fact]
    public void SparseLossAfterTimeDistributedSoftmax_UnderTfKeras_ReadsTheLogits()
    {
        var net = new Sequential<double>(keras: KerasProfile.TfKeras215);
        var dense = new Dense<double>(3, ActivationFunction.Softmax, useBias: false);
        net.Add(new TimeDistributed<double>(dense, inputShape: new Shape(2, 1)));
        double[] k = [0.5, -30.0, 2.0];
        for (int j = 0; j < 3; j++)
        {
            dense.Kernel.Value.Span[j] = k[j];
        }
        net.Compile(new Sgd(learningRate: 0.1), new SparseCategoricalCrossentropy());
        double[] xs = [1.0, 0.5, -1.0, 2.0];   // (2 samples, 2 steps, 1 feature)
        double[] labels = [1, 0, 2, 1];
        var x = Tensor<double>.FromArray(new Shape(2, 2, 1), xs);
        var y = Tensor<double>.FromArray(new Shape(2, 2), labels);
        double expected = 0;
        double[] grad = new double[3];
        for (int r = 0; r < 4; r++)
        {
            double[] z = [.. k.Select(kj => xs[r] * kj)];
            double lse = Math.Log(z.Sum(Math.Exp));
            expected += (lse - z[(int)labels[r]]) / 4;
            for (int j = 0; j < 3; j++)
            {
                grad[j] += xs[r] * (Math.Exp(z[j] - lse) - (j == (int)labels[r] ? 1 : 0)) / 4;
            }
        }
        Assert.Equal(expected, net.Evaluate(x, y, batchSize: 2).Loss, 10);
        net.Fit(x, y, batchSize: 2, epochs: 1, shuffle: false, verbose: 0);
        for (int j = 0; j < 3; j++)
        {
            Assert.Equal(k[j] - (0.1 * grad[j]), dense.Kernel.Value.Span[j], 12);
        }
    }

    [Fact]
    public void TfJsGru_WithResetAfter_InAModelFile_IsAModelConfigError()
    {
        const string json = """
            {"class_name": "Sequential", "keras_version": "tfjs-layers 4.22.0", "config": [
              {"class_name": "GRU", "config": {"units": 2, "reset_after": true, "batch_input_shape": [null, 3, 2]}}]}
            """;
        var e = Assert.Throws<ModelConfigException>(() => ModelConfig.FromJson<float>(json));
        Assert.Equal(0, e.LayerIndex);
        Assert.Contains("reset_after", e.Message);
    }

    [Theory]
    [InlineData("2.0.8", "hard_sigmoid", false, true, "glorot_uniform")]
    [InlineData("2.2.5", "hard_sigmoid", false, true, "glorot_uniform")]
    [InlineData("2.3.1", "sigmoid", false, true, "glorot_uniform")]
    [InlineData("tf-2.15", "sigmoid", true, true, "glorot_uniform")]
    [InlineData("tfjs-4.22", "hard_sigmoid", false, false, "glorot_normal")]
    public void RecurrentLayers_TakeTheNetworksProfileWhenAdded(string profile, string gates, bool resetAfter, bool forgetBias, string kernelInit)
    {
        var net = new Sequential<float>(keras: KerasProfile.FromName(profile));
        net.Add(new LSTM<float>(3, returnSequences: true, inputShape: new Shape(4, 2)));
        net.Add(new GRU<float>(2, returnSequences: true));
        net.Add(new SimpleRNN<float>(2));
        var lstm = (LSTM<float>)net.Layers[0];
        var gru = (GRU<float>)net.Layers[1];
        Assert.Equal(gates, lstm.RecurrentActivation.Name);
        Assert.Equal(gates, gru.RecurrentActivation.Name);
        Assert.Equal(resetAfter, gru.ResetAfter);
        // GRU(2) on 3 features: 3·(2·(3 + 2) + 2) = 36, plus 3·2 recurrent biases with reset_after.
        Assert.Equal(resetAfter ? 42 : 36, gru.CountParameters());
        Assert.Equal(forgetBias, lstm.UnitForgetBias);
        float[] bias = lstm.Bias!.Value.ToArray();
        Assert.Equal(forgetBias ? 1f : 0f, bias[3]); // the f block (3..5) starts at 1 only with unit_forget_bias
        Assert.Equal(kernelInit, lstm.KernelInitializer.Name);
        Assert.Equal(kernelInit, ((SimpleRNN<float>)net.Layers[2]).KernelInitializer.Name);
        var dense = new Sequential<float>(keras: KerasProfile.FromName(profile));
        dense.Add(new Dense<float>(2, inputDim: 3));
        Assert.Equal(kernelInit, ((Dense<float>)dense.Layers[0]).KernelInitializer.Name);
        var conv = new Sequential<float>(keras: KerasProfile.FromName(profile));
        conv.Add(new Conv2D<float>(1, 1, inputShape: new Shape(2, 2, 1)));
        Assert.Equal(kernelInit, ((Conv2D<float>)conv.Layers[0]).KernelInitializer.Name);
    }

    [Fact]
    public void TfJs_HasNoResetAfterGru()
    {
        var net = new Sequential<float>(keras: KerasProfile.TfJs422);
        var e = Assert.Throws<NotSupportedException>(() => net.Add(new GRU<float>(2, resetAfter: true, inputShape: new Shape(3, 2))));
        Assert.Contains("TensorFlow.js 4.22", e.Message);
        Assert.Contains("reset_after", e.Message);
    }

    // One training step of BatchNormalization from moving variance 1 (momentum 0.99): v = 0.99 + 0.01·rule(σ²).
    // Input (N, H, W, C) = (2, 1, 1, 1) with values 1 and 3: σ² = 1, m = 2: biased 1, Keras 2.3 m/(m − (1 + ε)) ≈ 2.002,
    // Bessel m/(m − 1) = 2. tf.keras applies Bessel to 4-D inputs (its fused path) and the biased σ² otherwise.
    [Theory]
    [InlineData("2.0.8", true, 1.0)]
    [InlineData("2.3.1", true, 2.0 / (2 - 1.001))]
    [InlineData("tf-2.15", true, 2.0)]
    [InlineData("tf-2.15", false, 1.0)]
    [InlineData("tfjs-4.22", true, 1.0)]
    public void BatchNormalization_MovingVariance_FollowsTheProfile(string profile, bool images, double factor)
    {
        var net = new Sequential<double>(keras: KerasProfile.FromName(profile));
        net.Add(new BatchNormalization<double>(inputShape: images ? new Shape(1, 1, 1) : new Shape(1)));
        var bn = (BatchNormalization<double>)net.Layers[0];
        var x = Tensor<double>.FromArray(images ? new Shape(2, 1, 1, 1) : new Shape(2, 1), [1.0, 3.0]);
        bn.Forward(x, training: true);
        Assert.Equal(0.99 + (0.01 * factor), bn.MovingVariance.Value.ToArray()[0], 12);
    }

    // Keras 2.2.5 (zero_debias=True): shadows b start at 0, b ← m·b + (1 − m)·v, s = b/(1 − mᵗ). Batches (1, 3) then (0, 4):
    // means 2 then 2, σ² 1 then 4, fed as σ²·2/(2 − 1.001). After step 1 s equals the batch statistic exactly (the
    // initial 0 and 1 are forgotten); after step 2, b = (1 − m)(m·x₁ + x₂) and s = (m·x₁ + x₂)/(1 + m).
    [Fact]
    public void BatchNormalization_Keras225_ZeroDebiasesBothMovingStatistics()
    {
        var net = new Sequential<double>(keras: KerasProfile.Keras225);
        net.Add(new BatchNormalization<double>(inputShape: new Shape(1)));
        var bn = (BatchNormalization<double>)net.Layers[0];
        Assert.Equal(MovingVarianceRule.ZeroDebiased, bn.VarianceRule);
        double f = 2 / (2 - 1.001), m = 0.99;
        bn.Forward(Tensor<double>.FromArray(new Shape(2, 1), [1.0, 3.0]), training: true);
        Assert.Equal(2.0, bn.MovingMean.Value.ToArray()[0], 12);
        Assert.Equal(1.0 * f, bn.MovingVariance.Value.ToArray()[0], 10);
        bn.Forward(Tensor<double>.FromArray(new Shape(2, 1), [0.0, 4.0]), training: true);
        Assert.Equal(2.0, bn.MovingMean.Value.ToArray()[0], 12);
        Assert.Equal(((m * 1.0 * f) + (4.0 * f)) / (1 + m), bn.MovingVariance.Value.ToArray()[0], 10);
    }

    [Fact]
    public void Network_Profile_CannotChangeUnderBuiltLayers()
    {
        var net = new Sequential<float>();
        net.Add(new Dense<float>(1, inputDim: 2));
        var e = Assert.Throws<InvalidOperationException>(() => net.Keras = KerasProfile.Keras208);
        Assert.Contains("Keras 2.3.1", e.Message);
        Assert.Throws<InvalidOperationException>(() => net.Compile("sgd", "mse", keras: KerasProfile.TfJs422));
        net.Compile("sgd", "mse", keras: KerasProfile.Keras231); // the same profile is fine
        var empty = new Sequential<float>();
        empty.Compile("sgd", "mse", keras: KerasProfile.Keras208);
        Assert.Same(KerasProfile.Keras208, empty.Keras);
    }

    [Theory]
    [InlineData("2.0.8", "2.0.8")]
    [InlineData("2.2.5", "2.2.5")]
    [InlineData("2.3.1", "2.3.1")]
    [InlineData("tf-2.15", "tf-2.15")]
    [InlineData("2.15", "tf-2.15")]
    [InlineData("TFJS", "tfjs-4.22")]
    public void FromName_KnowsEveryProfile(string name, string id) => Assert.Equal(id, KerasProfile.FromName(name).Id);

    [Fact]
    public void FromName_Unknown_ListsTheProfiles()
    {
        var e = Assert.Throws<ArgumentException>(() => KerasProfile.FromName("3.0"));
        Assert.Contains("'3.0'", e.Message);
        Assert.Contains("tfjs-4.22", e.Message);
    }

    [Theory]
    [InlineData("2.0.8", "2.0.8")]
    [InlineData("2.0.5", "2.0.8")]
    [InlineData("2.2.4", "2.2.5")]
    [InlineData("2.3.0", "2.3.1")]
    [InlineData("2.11.0", "tf-2.15")]
    [InlineData("2.4.0", null)]
    [InlineData("2.10.1", null)]
    [InlineData("2.2.4-tf", null)]
    [InlineData("2.15.0", "tf-2.15")]
    [InlineData("tfjs-layers 4.22.0", "tfjs-4.22")]
    [InlineData("2.1.6", null)]
    [InlineData("1.2.2", null)]
    [InlineData("3.0.0", null)]
    [InlineData("2.16.1", null)]
    [InlineData("tfjs-layers 3.21.0", null)]
    [InlineData("banana", null)]
    [InlineData("", null)]
    public void FromKerasVersion_MapsSeriesWhoseConventionsAgree(string version, string? id) =>
        Assert.Equal(id, KerasProfile.FromKerasVersion(version)?.Id);

    [Fact]
    public void ConventionTable_EveryProfileHasEveryKeyWithASource()
    {
        foreach (KerasProfile p in KerasProfile.All)
        {
            IReadOnlyList<Convention> rows = p.Conventions;
            Assert.Equal(ConventionTable.Keys, rows.Select(r => r.Key));
            Assert.All(rows, r =>
            {
                Assert.False(string.IsNullOrWhiteSpace(r.Value));
                Assert.Matches(@"^(keras-team/keras|tensorflow/tfjs)[@ ]", r.Source);
            });
        }
    }

    [Fact]
    public void Differences_NameWhatTwoVersionsDisagreeOn()
    {
        var d = ConventionTable.Differences(KerasProfile.Keras208, KerasProfile.Keras231).ToDictionary(r => r.Key);
        Assert.Equal(["optimizer.epsilon", "rnn.recurrent_activation", "batchnorm.moving_variance"], d.Keys.ToArray());
        Assert.Equal(("biased", "keras_2_3"), (d["batchnorm.moving_variance"].A, d["batchnorm.moving_variance"].B));
        Assert.Equal(("1E-08", "1E-07"), (d["optimizer.epsilon"].A, d["optimizer.epsilon"].B));
        Assert.Empty(ConventionTable.Differences(KerasProfile.TfJs422, KerasProfile.TfJs422));
    }

    [Fact]
    public void ModelConfig_ReadsKerasVersion_AndAbsentFieldsTakeThatProfile()
    {
        const string json = """
            {"class_name": "Sequential", "keras_version": "2.0.8", "config": [
              {"class_name": "LSTM", "config": {"units": 2, "return_sequences": true, "batch_input_shape": [null, 3, 2]}},
              {"class_name": "GRU", "config": {"units": 2, "recurrent_activation": "sigmoid"}}]}
            """;
        Network<float> net = ModelConfig.FromJson<float>(json);
        Assert.Same(KerasProfile.Keras208, net.Keras);
        Assert.Equal("hard_sigmoid", ((LSTM<float>)net.Layers[0]).RecurrentActivation.Name);
        Assert.Equal("sigmoid", ((GRU<float>)net.Layers[1]).RecurrentActivation.Name);
        // An explicit profile wins over the file's version.
        Assert.Same(KerasProfile.TfKeras215, ModelConfig.FromJson<float>(json, keras: KerasProfile.TfKeras215).Keras);
        // Writing records the version, and reading it back gives the same profile.
        string written = ModelConfig.ToJson(net);
        Assert.Contains("\"keras_version\": \"2.0.8\"", written);
        Assert.Same(KerasProfile.Keras208, ModelConfig.FromJson<float>(written).Keras);
    }

    [Fact]
    public void ModelConfig_UnknownKerasVersion_IsATypedErrorUnlessAProfileIsGiven()
    {
        const string json = """{"class_name": "Sequential", "keras_version": "2.1.6", "config": [{"class_name": "Dense", "config": {"units": 1, "batch_input_shape": [null, 2]}}]}""";
        var e = Assert.Throws<ModelConfigException>(() => ModelConfig.FromJson<float>(json));
        Assert.Contains("2.1.6", e.Message);
        Assert.Equal("keras_version", e.Field);
        Assert.Same(KerasProfile.Keras225, ModelConfig.FromJson<float>(json, keras: KerasProfile.Keras225).Keras);
    }
}
