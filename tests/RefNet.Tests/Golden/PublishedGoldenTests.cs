// Published reference numbers (golden/published/*.json, each with its source) checked against the engine.
// Expected values are read from the golden files only; nothing here restates them.
using RefNet.Activations;
using System.Text.Json;
using RefNet.Backends;
using RefNet.Engine;
using RefNet.Layers;
using RefNet.Losses;
using RefNet.Metrics;
using RefNet.Serialization;
using RefNet.Tensors;
using RefNet.Tests.Common;
using Xunit;

namespace RefNet.Tests.Golden;

[Trait("Category", "Golden")]
public class PublishedGoldenTests
{
    private static readonly GoldenFile Counts = GoldenFile.Load("published/parameter_counts.json");
    private static readonly GoldenFile Softmax = GoldenFile.Load("published/softmax.json");
    private static readonly GoldenFile Relu = GoldenFile.Load("published/relu_neurons.json");
    private static readonly GoldenFile LogLosses = GoldenFile.Load("published/log_loss.json");

    private static Network<float> Model(JsonElement c) => ModelConfig.FromJson<float>(c.GetProperty("model").GetRawText());

    // ---- parameter counts and summary tables ------------------------------------------------

    [Theory]
    [InlineData("slides_271")]
    [InlineData("mnist_mlp")]
    [InlineData("mnist_cnn")]
    [InlineData("lstm_slides")]
    [InlineData("rnn_guide_lstm")]
    [InlineData("rnn_guide_gru")]
    [InlineData("addition_rnn")]
    public void ParameterCounts_MatchPublishedModel(string id)
    {
        JsonElement c = Counts.Case(id);
        Network<float> net = Model(c);
        int[] expected = c.GetProperty("layer_params").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.Equal(expected, net.Layers.Select(l => l.CountParameters()).ToArray());
        Assert.Equal(c.GetProperty("total_params").GetInt32(), net.CountParameters());
    }

    [Theory]
    [InlineData("slides_271")]
    [InlineData("mnist_mlp")]
    [InlineData("mnist_cnn")]
    [InlineData("lstm_slides")]
    public void Summary_MatchesKerasTableExactly(string id)
    {
        JsonElement c = Counts.Case(id);
        string expected = GoldenFile.ReadText(c.GetProperty("summary_file").GetString()!);
        Assert.Equal(expected, Model(c).Summary());
    }

    [Fact]
    public void SlidesNetworkConstructor_Gives271()
    {
        JsonElement c = Counts.Case("slides_271");
        var net = new Network<double>(inputDim: 20, hiddenLayerDims: [10, 5], outputDim: 1);
        Assert.Equal(GoldenFile.ReadText(c.GetProperty("summary_file").GetString()!), net.Summary());
    }

    [Fact]
    public void MnistMlp_BuiltInCode_MatchesPublishedSummary()
    {
        JsonElement c = Counts.Case("mnist_mlp");
        var net = new Sequential<float>();
        net.Add(new Dense<float>(512, "relu", inputDim: 784));
        net.Add(new Dropout<float>(0.2));
        net.Add(new Dense<float>(512, "relu"));
        net.Add(new Dropout<float>(0.2));
        net.Add(new Dense<float>(10, "softmax"));
        Assert.Equal(GoldenFile.ReadText(c.GetProperty("summary_file").GetString()!), net.Summary());
    }

    [Fact]
    public void MnistCnn_BuiltInCode_MatchesTheKerasSummary_AndWritesTheSameConfigItIsReadFrom()
    {
        JsonElement c = Counts.Case("mnist_cnn");
        Sequential<float> net = RefNet.Reproduction.MnistCnn.Build(seed: 1);
        Assert.Equal(GoldenFile.ReadText(c.GetProperty("summary_file").GetString()!), net.Summary());
        // Written out and read back: the same layers, shapes and counts.
        Network<float> again = ModelConfig.FromJson<float>(ModelConfig.ToJson(net));
        Assert.Equal(net.Summary(), again.Summary());
        Assert.Equal(net.Layers.Select(l => l.GetType()), again.Layers.Select(l => l.GetType()));
    }

    [Fact]
    public void Net222_HasEightWeightsAndFourBiases()
    {
        JsonElement c = Counts.Case("net_2_2_2");
        Network<float> net = Model(c);
        int weights = net.Layers.OfType<Dense<float>>().Sum(d => d.Kernel.Count);
        int biases = net.Layers.OfType<Dense<float>>().Sum(d => d.Bias!.Count);
        Assert.Equal(c.GetProperty("weights").GetInt32(), weights);
        Assert.Equal(c.GetProperty("biases").GetInt32(), biases);
        Assert.Equal(c.GetProperty("total_params").GetInt32(), net.CountParameters());
    }

    // ---- softmax ----------------------------------------------------------------------------

    private static Tensor<T> SoftmaxOf<T>(double[] logits)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var layer = new Activation<T>(ActivationFunction.Softmax, name: "softmax", inputShape: new Shape(logits.Length));
        layer.Build(new Shape(logits.Length));
        var x = new Tensor<T>(1, logits.Length);
        for (int i = 0; i < logits.Length; i++)
        {
            x.Span[i] = T.CreateChecked(logits[i]);
        }
        return layer.Forward(x, training: false);
    }

    [Fact]
    public void Softmax_3_1_02_MatchesSlidesAndExactValues_InFloat64()
    {
        JsonElement c = Softmax.Case("softmax_3_1_0.2");
        Tensor<double> p = SoftmaxOf<double>(GoldenFile.Doubles(c.GetProperty("logits")));
        TensorAssert.Close(GoldenFile.Doubles(c.GetProperty("printed")), p, c.GetProperty("printed_tolerance_abs").GetDouble(), 0, "printed digits");
        TensorAssert.Close(GoldenFile.Doubles(c.GetProperty("exact_float64")), p, 0, c.GetProperty("exact_float64_tolerance_rel").GetDouble(), "float64");
    }

    [Fact]
    public void Softmax_3_1_02_MatchesSlidesAndExactValues_InFloat32()
    {
        JsonElement c = Softmax.Case("softmax_3_1_0.2");
        Tensor<float> p = SoftmaxOf<float>(GoldenFile.Doubles(c.GetProperty("logits")));
        TensorAssert.Close(GoldenFile.Doubles(c.GetProperty("printed")), p, c.GetProperty("printed_tolerance_abs").GetDouble(), 0, "printed digits");
        TensorAssert.Close(GoldenFile.Doubles(c.GetProperty("exact_float32")), p, 0, c.GetProperty("exact_float32_tolerance_rel").GetDouble(), "float32");
    }

    [Fact]
    public void Softmax_2_1_m01_MatchesSlides_ExpSumAndProbabilities()
    {
        JsonElement c = Softmax.Case("softmax_2_1_-0.1");
        double[] z = GoldenFile.Doubles(c.GetProperty("logits"));
        double[] p = SoftmaxOf<double>(z).ToArray();
        TensorAssert.Close(GoldenFile.Doubles(c.GetProperty("printed")), p, c.GetProperty("printed_tolerance_abs").GetDouble(), 0, "printed probabilities");
        TensorAssert.Close(GoldenFile.Doubles(c.GetProperty("exact_float64")), p, 0, c.GetProperty("exact_float64_tolerance_rel").GetDouble(), "float64");
        // p_k = e^{z_k} / S, so the engine's p implies S = e^{z_0} / p_0.
        double impliedSum = Math.Exp(z[0]) / p[0];
        TensorAssert.Close(c.GetProperty("printed_exp_sum").GetDouble(), impliedSum, c.GetProperty("printed_exp_sum_tolerance_abs").GetDouble(), 0, "slides' exp-sum");
        TensorAssert.Close(c.GetProperty("exact_exp_sum").GetDouble(), impliedSum, 0, 1e-14, "exact exp-sum");
    }

    // ---- ReLU neurons through a real Dense ----------------------------------------------------

    [Theory]
    [InlineData("relu_neuron_zero")]
    [InlineData("relu_neuron_positive")]
    public void ReluNeuron_ThroughDense_MatchesSlides(string id)
    {
        JsonElement c = Relu.Case(id);
        double[] inputs = GoldenFile.Doubles(c.GetProperty("inputs"));
        double[] weights = GoldenFile.Doubles(c.GetProperty("weights"));
        double tol = c.GetProperty("tolerance_abs").GetDouble();
        var relu = new Dense<double>(1, ActivationFunction.Relu, inputDim: inputs.Length, name: "neuron");
        var linear = new Dense<double>(1, ActivationFunction.Linear, inputDim: inputs.Length, name: "z");
        foreach (Dense<double> d in new[] { relu, linear })
        {
            d.Build(new Shape(inputs.Length));
            weights.CopyTo(d.Kernel.Value.Span); // kernel (3, 1): one weight per input row
            d.Bias!.Value.Span[0] = c.GetProperty("bias").GetDouble();
        }
        Tensor<double> x = Tensor<double>.FromArray(new Shape(1, inputs.Length), inputs);
        TensorAssert.Close(c.GetProperty("z").GetDouble(), linear.Forward(x, false).ToArray()[0], tol, 0, "z = x·w + b");
        TensorAssert.Close(c.GetProperty("output").GetDouble(), relu.Forward(x, false).ToArray()[0], tol, 0, "relu(z)");
    }

    // ---- log-loss ------------------------------------------------------------------------------

    private static double[] PerSampleCce(double[,] predictions, double[,] targets)
    {
        var backend = CpuBackend<double>.Instance;
        var p = Tensor<double>.FromRows(predictions);
        var perSample = new Tensor<double>(p.Rows);
        backend.LossForward(LossKind.CategoricalCrossentropy, p, Tensor<double>.FromRows(targets), perSample, 1e-7);
        return perSample.ToArray();
    }

    private static double[,] OneHot(int[] labels, int classes)
    {
        var t = new double[labels.Length, classes];
        for (int i = 0; i < labels.Length; i++)
        {
            t[i, labels[i]] = 1;
        }
        return t;
    }

    private static int[] Ints(JsonElement e) => e.EnumerateArray().Select(x => x.GetInt32()).ToArray();

    [Fact]
    public void TwoClassTable_PerRowCrossentropy_MatchesExactValues()
    {
        JsonElement c = LogLosses.Case("two_class_table");
        double[,] p = GoldenFile.Matrix(c.GetProperty("probabilities"));
        double[] target = GoldenFile.Doubles(c.GetProperty("target"));
        var y = new double[p.GetLength(0), 2];
        for (int i = 0; i < p.GetLength(0); i++)
        {
            y[i, 0] = target[0];
            y[i, 1] = target[1];
        }
        TensorAssert.Close(GoldenFile.Doubles(c.GetProperty("expected")), PerSampleCce(p, y), 0, c.GetProperty("tolerance_rel").GetDouble(), "two-class CE");
    }

    [Fact]
    public void TwoDoctors_MeanAndSummedLoss_MatchExactValues()
    {
        JsonElement c = LogLosses.Case("two_doctors");
        double tol = c.GetProperty("tolerance_rel").GetDouble();
        foreach (JsonElement doctor in c.GetProperty("cases").EnumerateArray())
        {
            double[] pc = GoldenFile.Doubles(doctor.GetProperty("p_correct"));
            var p = new double[pc.Length, 2];
            var y = new double[pc.Length, 2];
            for (int i = 0; i < pc.Length; i++)
            {
                p[i, 0] = pc[i];
                p[i, 1] = 1 - pc[i];
                y[i, 0] = 1;
            }
            var backend = CpuBackend<double>.Instance;
            string who = doctor.GetProperty("name").GetString()!;
            double mean = new CategoricalCrossentropy().Value(backend, Tensor<double>.FromRows(p), Tensor<double>.FromRows(y));
            double sum = new CategoricalCrossentropy(Reduction.Sum).Value(backend, Tensor<double>.FromRows(p), Tensor<double>.FromRows(y));
            TensorAssert.Close(doctor.GetProperty("mean").GetDouble(), mean, 0, tol, $"{who} mean");
            TensorAssert.Close(doctor.GetProperty("sum").GetDouble(), sum, 0, tol, $"{who} sum");
            TensorAssert.Close(doctor.GetProperty("mean").GetDouble(), LogLoss.Compute(Enumerable.Repeat(0, pc.Length).ToArray(), ToJagged(p)), 0, tol, $"{who} LogLoss");
        }
    }

    [Fact]
    public void Customers10_LogLossMetric_And_KerasRenormalisedCce()
    {
        JsonElement c = LogLosses.Case("customers_10");
        double tol = c.GetProperty("tolerance_rel").GetDouble();
        int[] labels = Ints(c.GetProperty("labels"));
        double[,] p = GoldenFile.Matrix(c.GetProperty("probabilities"));
        TensorAssert.Close(c.GetProperty("log_loss").GetDouble(), LogLoss.Compute(labels, ToJagged(p)), 0, tol, "LogLoss metric (no renormalisation)");
        var backend = CpuBackend<double>.Instance;
        var predictions = Tensor<double>.FromRows(p);
        var targets = Tensor<double>.FromRows(OneHot(labels, p.GetLength(1)));
        TensorAssert.Close(c.GetProperty("keras_cce").GetDouble(), new CategoricalCrossentropy().Value(backend, predictions, targets), 0, tol, "Keras CCE (rows renormalised)");
        double accuracy = (double)backend.CountCorrect(AccuracyKind.Categorical, predictions, targets) / labels.Length;
        Assert.Equal(c.GetProperty("accuracy").GetDouble(), accuracy);
    }

    [Fact]
    public void CatDogMouse_MeanAndSum_MatchExactValues()
    {
        JsonElement c = LogLosses.Case("cat_dog_mouse");
        double tol = c.GetProperty("tolerance_rel").GetDouble();
        int[] labels = Ints(c.GetProperty("labels"));
        var backend = CpuBackend<double>.Instance;
        foreach (JsonElement predictor in c.GetProperty("predictors").EnumerateArray())
        {
            string who = predictor.GetProperty("name").GetString()!;
            var p = Tensor<double>.FromRows(GoldenFile.Matrix(predictor.GetProperty("probabilities")));
            var y = Tensor<double>.FromRows(OneHot(labels, p.Columns));
            TensorAssert.Close(predictor.GetProperty("mean").GetDouble(), new CategoricalCrossentropy().Value(backend, p, y), 0, tol, $"{who} mean");
            TensorAssert.Close(predictor.GetProperty("sum").GetDouble(), new CategoricalCrossentropy(Reduction.Sum).Value(backend, p, y), 0, tol, $"{who} sum");
            Assert.Equal(predictor.GetProperty("accuracy").GetDouble(), (double)backend.CountCorrect(AccuracyKind.Categorical, p, y) / labels.Length);
        }
    }

    [Fact]
    public void TfKerasCceDocstring_MeanAndSum()
    {
        JsonElement c = LogLosses.Case("tf_keras_cce_docstring");
        double tol = c.GetProperty("tolerance_rel").GetDouble();
        double pubTol = c.GetProperty("published_tolerance_abs").GetDouble();
        var backend = CpuBackend<double>.Instance;
        var p = Tensor<double>.FromRows(GoldenFile.Matrix(c.GetProperty("predictions")));
        var y = Tensor<double>.FromRows(GoldenFile.Matrix(c.GetProperty("targets")));
        double mean = new CategoricalCrossentropy().Value(backend, p, y);
        double sum = new CategoricalCrossentropy(Reduction.Sum).Value(backend, p, y);
        TensorAssert.Close(c.GetProperty("mean").GetDouble(), mean, 0, tol, "mean");
        TensorAssert.Close(c.GetProperty("sum").GetDouble(), sum, 0, tol, "sum");
        TensorAssert.Close(c.GetProperty("published_mean").GetDouble(), mean, pubTol, 0, "published mean");
        TensorAssert.Close(c.GetProperty("published_sum").GetDouble(), sum, pubTol, 0, "published sum");
    }

    [Fact]
    public void ClippingConstant_FullyWrongPrediction_GivesMinusLn1e7()
    {
        JsonElement c = LogLosses.Case("clipping_constant");
        double expected = c.GetProperty("expected").GetDouble();
        double tol = c.GetProperty("tolerance_rel").GetDouble();
        var backend = CpuBackend<double>.Instance;
        double cce = new CategoricalCrossentropy().Value(backend,
            Tensor<double>.FromRows(new double[,] { { 0, 1 } }), Tensor<double>.FromRows(new double[,] { { 1, 0 } }));
        double bce = new BinaryCrossentropy().Value(backend,
            Tensor<double>.FromRows(new double[,] { { 0 } }), Tensor<double>.FromRows(new double[,] { { 1 } }));
        TensorAssert.Close(expected, cce, 0, tol, "CCE");
        TensorAssert.Close(expected, bce, 0, tol, "BCE");
        // float32 (Keras' default dtype): ε = 1e-7f, same constant to float precision.
        double bce32 = new BinaryCrossentropy().Value(CpuBackend<float>.Instance,
            Tensor<float>.FromRows(new double[,] { { 0 } }), Tensor<float>.FromRows(new double[,] { { 1 } }));
        TensorAssert.Close(expected, bce32, 0, 1e-6, "BCE float32");
    }

    private static double[][] ToJagged(double[,] m)
    {
        var rows = new double[m.GetLength(0)][];
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i] = new double[m.GetLength(1)];
            for (int j = 0; j < rows[i].Length; j++)
            {
                rows[i][j] = m[i, j];
            }
        }
        return rows;
    }
}
