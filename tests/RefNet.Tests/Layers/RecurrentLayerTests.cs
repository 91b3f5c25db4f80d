// SimpleRNN, LSTM, GRU, Embedding, RepeatVector and TimeDistributed: a hand-worked LSTM step, the three cells against
// scalar loops written here from the Keras 2 formulas (independent of the layers' matrix code), the Embedding lookup and
// its accumulating gradient, wrappers' gradients, configs read back, and the errors for bad input.
using RefNet.Activations;
using RefNet.Backends;
using RefNet.Engine;
using RefNet.Initializers;
using RefNet.Layers;
using RefNet.Serialization;
using RefNet.Tensors;
using RefNet.Verification;
using Xunit;

namespace RefNet.Tests.Layers;

public sealed class RecurrentLayerTests
{
    private static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    private static double HardSigmoid(double z) => Math.Clamp(0.2 * z + 0.5, 0, 1);

    private static T Built<T>(T layer, Shape input)
        where T : Layer<double>
    {
        layer.UseBackend(ReferenceBackend<double>.Instance);
        layer.Build(input);
        return layer;
    }

    private static void Set(Parameter<double> p, params double[] values)
    {
        Assert.Equal(p.Value.Length, values.Length);
        values.CopyTo(p.Value.Span);
    }

    [Fact]
    public void LSTM_TwoSteps_TwoUnits_ByHand()
    {
        // One sample, one feature, two steps x = (1, −1), two units, sigmoid gates. Kernel columns are the gate blocks
        // i, f, c, o of two units each: W = [0.1 0.2 | 0.3 0.4 | 0.5 0.6 | 0.7 0.8]; U = 0; b = 0 except b_f = 1 (unit_forget_bias).
        // Step 1 (h0 = c0 = 0), unit 1: z_i = 0.1, z_f = 0.3 + 1, z_c = 0.5, z_o = 0.7
        //   c1 = σ(1.3)·0 + σ(0.1)·tanh(0.5) = 0.52498·0.46212 = 0.24260;  h1 = σ(0.7)·tanh(c1) = 0.66819·0.23797 = 0.15901
        // unit 2: c1 = σ(0.2)·tanh(0.6) = 0.54983·0.53705 = 0.29529;  h1 = σ(0.8)·tanh(0.29529) = 0.68997·0.28699 = 0.19802.
        // Step 2, x = −1 and U = 0, unit 1: c2 = σ(−0.3 + 1)·c1 + σ(−0.1)·tanh(−0.5) = 0.66819·0.24260 − 0.47502·0.46212
        //   = 0.16210 − 0.21951 = −0.05741;  h2 = σ(−0.7)·tanh(−0.05741) = 0.33181·(−0.05735) = −0.01903
        // unit 2: c2 = σ(0.6)·0.29529 + σ(−0.2)·tanh(−0.6) = 0.64566·0.29529 − 0.45017·0.53705 = 0.19066 − 0.24176 = −0.05110;
        //   h2 = σ(−0.8)·tanh(−0.05110) = 0.31003·(−0.05106) = −0.01583.
        var lstm = Built(new LSTM<double>(2, returnSequences: true, name: "lstm"), new Shape(2, 1));
        Set(lstm.Kernel, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8);
        Set(lstm.RecurrentKernel, new double[16]);
        Assert.Equal([0.0, 0, 1, 1, 0, 0, 0, 0], lstm.Bias!.Value.ToArray()); // unit_forget_bias as initialised
        double[] h = lstm.Forward(Tensor<double>.FromArray(new Shape(1, 2, 1), [1, -1]), training: false).ToArray();
        double[] expected = [0.15901, 0.19802, -0.01903, -0.01583];
        for (int k = 0; k < 4; k++)
        {
            Assert.Equal(expected[k], h[k], 4e-5);
        }
        Assert.Equal(-0.05741, lstm.FinalCellState!.ToArray()[0], 4e-5);
        Assert.Equal(-0.05110, lstm.FinalCellState!.ToArray()[1], 4e-5);
    }

    // The three cells as scalar loops over (sample, step, unit), straight from Keras 2.2.4's *Cell.call.
    private static double[] Reference(string cell, double[] x, int n, int steps, int features, int u, double[] w, double[] uk, double[] b,
        bool goBackwards, bool resetAfter, Func<double, double> gate)
    {
        int g = cell == "lstm" ? 4 : cell == "gru" ? 3 : 1, width = g * u;
        var output = new List<double>();
        for (int i = 0; i < n; i++)
        {
            var h = new double[u];
            var c = new double[u];
            for (int s = 0; s < steps; s++)
            {
                int t = goBackwards ? steps - 1 - s : s;
                double XW(int col)
                {
                    double sum = b.Length == width ? b[col] : b.Length == 2 * width ? b[col] : 0;
                    for (int f = 0; f < features; f++)
                    {
                        sum += x[(i * steps + t) * features + f] * w[f * width + col];
                    }
                    return sum;
                }
                double HU(double[] hv, int col)
                {
                    double sum = 0;
                    for (int k = 0; k < u; k++)
                    {
                        sum += hv[k] * uk[k * width + col];
                    }
                    return sum;
                }
                var next = new double[u];
                for (int j = 0; j < u; j++)
                {
                    if (cell == "simple")
                    {
                        next[j] = Math.Tanh(XW(j) + HU(h, j));
                    }
                    else if (cell == "lstm")
                    {
                        double ig = gate(XW(j) + HU(h, j)), fg = gate(XW(u + j) + HU(h, u + j));
                        double cc = Math.Tanh(XW(2 * u + j) + HU(h, 2 * u + j)), og = gate(XW(3 * u + j) + HU(h, 3 * u + j));
                        c[j] = fg * c[j] + ig * cc;
                        next[j] = og * Math.Tanh(c[j]);
                    }
                    else
                    {
                        double Rec(int col) => b.Length == 2 * width ? b[width + col] : 0; // reset_after's recurrent bias
                        double z = gate(XW(j) + HU(h, j) + Rec(j));
                        double hh;
                        if (resetAfter)
                        {
                            double r = gate(XW(u + j) + HU(h, u + j) + Rec(u + j));
                            hh = Math.Tanh(XW(2 * u + j) + r * (HU(h, 2 * u + j) + Rec(2 * u + j)));
                        }
                        else
                        {
                            var rh = new double[u];
                            for (int k = 0; k < u; k++)
                            {
                                rh[k] = gate(XW(u + k) + HU(h, u + k)) * h[k];
                            }
                            hh = Math.Tanh(XW(2 * u + j) + HU(rh, 2 * u + j));
                        }
                        next[j] = z * h[j] + (1 - z) * hh;
                    }
                }
                h = next;
                output.AddRange(h);
            }
        }
        return [.. output];
    }

    public static TheoryData<string, bool, bool, bool> Cells() => new()
    {
        { "simple", false, false, false }, { "simple", true, false, false },
        { "lstm", false, false, false }, { "lstm", true, false, true },
        { "gru", false, false, false }, { "gru", true, false, true }, { "gru", false, true, false }, { "gru", true, true, true },
    };

    [Theory]
    [MemberData(nameof(Cells))]
    public void Cells_MatchScalarLoopsFromTheKerasFormulas(string cell, bool goBackwards, bool resetAfter, bool hardSigmoid)
    {
        const int n = 2, steps = 3, features = 2, u = 3;
        ActivationFunction? gate = hardSigmoid ? ActivationFunction.FromName("hard_sigmoid") : null;
        var init = new RandomUniform(-0.8, 0.8);
        Recurrent<double> layer = cell switch
        {
            "simple" => new SimpleRNN<double>(u, returnSequences: true, goBackwards: goBackwards, biasInitializer: init, seed: 5, name: "rnn"),
            "lstm" => new LSTM<double>(u, recurrentActivation: gate, returnSequences: true, goBackwards: goBackwards, biasInitializer: init, seed: 6, name: "lstm"),
            _ => new GRU<double>(u, recurrentActivation: gate, returnSequences: true, goBackwards: goBackwards, resetAfter: resetAfter,
                biasInitializer: init, seed: 7, name: "gru"),
        };
        Built(layer, new Shape(steps, features));
        var random = new Random(11);
        double[] x = [.. Enumerable.Range(0, n * steps * features).Select(_ => random.NextDouble() * 2 - 1)];
        double[] actual = layer.Forward(Tensor<double>.FromArray(new Shape(n, steps, features), x), training: false).ToArray();
        double[] expected = Reference(cell, x, n, steps, features, u, layer.Kernel.Value.ToArray(), layer.RecurrentKernel.Value.ToArray(),
            layer.Bias!.Value.ToArray(), goBackwards, resetAfter, hardSigmoid ? HardSigmoid : Sigmoid);
        Assert.Equal(expected.Length, actual.Length);
        for (int k = 0; k < expected.Length; k++)
        {
            Assert.Equal(expected[k], actual[k], 1e-12);
        }
        // return_sequences = false gives the last processed step.
        Recurrent<double> last = cell switch
        {
            "simple" => new SimpleRNN<double>(u, goBackwards: goBackwards, biasInitializer: init, seed: 5, name: "rnn"),
            "lstm" => new LSTM<double>(u, recurrentActivation: gate, goBackwards: goBackwards, biasInitializer: init, seed: 6, name: "lstm"),
            _ => new GRU<double>(u, recurrentActivation: gate, goBackwards: goBackwards, resetAfter: resetAfter, biasInitializer: init, seed: 7, name: "gru"),
        };
        Built(last, new Shape(steps, features));
        double[] final = last.Forward(Tensor<double>.FromArray(new Shape(n, steps, features), x), training: false).ToArray();
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < u; j++)
            {
                Assert.Equal(expected[(i * steps + steps - 1) * u + j], final[i * u + j], 1e-12);
            }
        }
    }

    [Fact]
    public void LSTM_UnitForgetBias_SetsOnlyTheForgetBlock_AndGruResetAfterHasTwoBiasRows()
    {
        var lstm = Built(new LSTM<double>(3, biasInitializer: new Constant(0.25), name: "lstm"), new Shape(4, 2));
        Assert.Equal([0.25, 0.25, 0.25, 1, 1, 1, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25], lstm.Bias!.Value.ToArray());
        var gru = Built(new GRU<double>(3, resetAfter: true, name: "gru"), new Shape(4, 2));
        Assert.Equal(new Shape(2, 9), gru.Bias!.Value.Shape);
        Assert.Equal(new Shape(9), Built(new GRU<double>(3, name: "gru"), new Shape(4, 2)).Bias!.Value.Shape);
    }

    [Fact]
    public void RecurrentKernel_IsOrthogonalByDefault()
    {
        // U (units, 4·units) from the orthogonal initializer: its rows are orthonormal, U·Uᵀ = I.
        var lstm = Built(new LSTM<double>(4, seed: 3, name: "lstm"), new Shape(2, 3));
        double[] u = lstm.RecurrentKernel.Value.ToArray();
        for (int a = 0; a < 4; a++)
        {
            for (int c = 0; c < 4; c++)
            {
                double dot = 0;
                for (int k = 0; k < 16; k++)
                {
                    dot += u[a * 16 + k] * u[c * 16 + k];
                }
                Assert.Equal(a == c ? 1.0 : 0.0, dot, 1e-12);
            }
        }
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    [InlineData("simple")]
    public void TwoDimensionalInput_IsAShapeErrorNamingTheLayer(string cell)
    {
        Recurrent<double> layer = cell switch
        {
            "lstm" => new LSTM<double>(4, name: "lstm_a"),
            "gru" => new GRU<double>(4, name: "lstm_a"),
            _ => new SimpleRNN<double>(4, name: "lstm_a"),
        };
        var e = Assert.Throws<ShapeMismatchException>(() => layer.Build(new Shape(10)));
        Assert.Contains("'lstm_a'", e.Message);
        Assert.Contains("(timesteps, features)", e.Message);
        Assert.Contains("10", e.Message);
        // A (batch, features) batch given to an LSTM built for (timesteps, features), directly and through a network:
        var lstm = Built(new LSTM<double>(2, name: "lstm_b"), new Shape(3, 2));
        var e2 = Assert.Throws<ShapeMismatchException>(() => lstm.Forward(new Tensor<double>(5, 6), training: false));
        Assert.Contains("'lstm_b'", e2.Message);
        Assert.Contains("(5, 6)", e2.Message);
        var net = new Sequential<double>();
        net.Add(new LSTM<double>(2, inputShape: new Shape(3, 2)));
        var e3 = Assert.Throws<ShapeMismatchException>(() => net.Predict(new Tensor<double>(5, 6)));
        Assert.Contains("(*, 3, 2)", e3.Message);
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    [InlineData("simple")]
    public void ZeroTimesteps_IsAShapeErrorNamingTheLayer_AsKerasHasNoEmptySequences(string cell)
    {
        // Keras' K.rnn reads step T − 1, so a sequence of length 0 cannot run there; here it is refused when the layer is
        // built (directly or from a network's input shape), never an empty or garbage output.
        Recurrent<double> layer = cell switch
        {
            "lstm" => new LSTM<double>(4, name: "rnn_zero"),
            "gru" => new GRU<double>(4, name: "rnn_zero"),
            _ => new SimpleRNN<double>(4, name: "rnn_zero"),
        };
        var e = Assert.Throws<ShapeMismatchException>(() => layer.Build(new Shape(0, 3)));
        Assert.Contains("'rnn_zero'", e.Message);
        Assert.Contains("at least one time step", e.Message);
        Assert.Contains("(0, 3)", e.Message);
        var net = new Sequential<double>();
        var e2 = Assert.Throws<ShapeMismatchException>(() => net.Add(new LSTM<double>(2, inputShape: new Shape(0, 2), name: "lstm_zero")));
        Assert.Contains("'lstm_zero'", e2.Message);
    }

    // ---- Embedding -----------------------------------------------------------------------------

    [Fact]
    public void Embedding_LooksUpRows_AndAccumulatesTheGradientOfRepeatedIndices()
    {
        var emb = Built(new Embedding<double>(4, 2, inputLength: 3, name: "embedding"), new Shape(3));
        Set(emb.Embeddings, 0, 1, 10, 11, 20, 21, 30, 31); // row k = (10k, 10k + 1)
        var x = Tensor<double>.FromArray(new Shape(2, 3), [2, 0, 2, 3, 2, 1]);
        Tensor<double> y = emb.Forward(x, training: true);
        Assert.Equal(new Shape(2, 3, 2), y.Shape);
        Assert.Equal([20.0, 21, 0, 1, 20, 21, 30, 31, 20, 21, 10, 11], y.ToArray());
        // Upstream gradient 1, 2, … , 12 by position; index 2 appears at positions 0, 2, 4: (1+5+9, 2+6+10) = (15, 18).
        Tensor<double> dy = Tensor<double>.FromArray(y.Shape, [.. Enumerable.Range(1, 12).Select(i => (double)i)]);
        Tensor<double> dx = emb.Backward(dy);
        Assert.Equal([3.0, 4, 11, 12, 15, 18, 7, 8], emb.Embeddings.Gradient.ToArray());
        Assert.All(dx.ToArray(), v => Assert.Equal(0.0, v));
    }

    [Fact]
    public void Embedding_DefaultInitializer_IsUniformWithin005()
    {
        var emb = Built(new Embedding<double>(1000, 64, name: "embedding", seed: 1), new Shape(5));
        double[] e = emb.Embeddings.Value.ToArray();
        Assert.Equal(64000, e.Length);
        Assert.All(e, v => Assert.InRange(v, -0.05, 0.05));
        Assert.True(e.Max() > 0.049 && e.Min() < -0.049, "uniform ±0.05 reaches near both bounds in 64 000 draws");
    }

    [Theory]
    [InlineData(4.0, "outside [0, 4)")]
    [InlineData(-1.0, "outside [0, 4)")]
    [InlineData(1.5, "not a whole number")]
    [InlineData(double.NaN, "NaN")]
    public void Embedding_BadIndex_NamesTheLayerValueAndPosition(double bad, string problem)
    {
        var emb = Built(new Embedding<double>(4, 2, inputLength: 3, name: "words"), new Shape(3));
        var x = Tensor<double>.FromArray(new Shape(2, 3), [0, 1, 2, 3, 2, 1]);
        x.Span[5] = bad; // sample 1, step 2
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => emb.Forward(x, training: false));
        Assert.Contains("'words'", e.Message);
        Assert.Contains("(1, 2)", e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void Embedding_GradientCheck_WrtTheTable()
    {
        var emb = Built(new Embedding<double>(5, 3, inputLength: 4, embeddingsInitializer: new RandomUniform(-1, 1), name: "embedding", seed: 2), new Shape(4));
        GradientCheckResult r = GradientCheck.Layer(emb, Tensor<double>.FromArray(new Shape(2, 4), [1, 4, 1, 0, 3, 3, 1, 2]), seed: 9);
        Assert.True(r.Passed, r.ToString());
        Assert.Equal(15, r.ElementsChecked); // the table only; the indices are not variables
    }

    // ---- RepeatVector, TimeDistributed ---------------------------------------------------------

    [Fact]
    public void RepeatVector_CopiesAlongTime_AndSumsTheGradient()
    {
        var rv = Built(new RepeatVector<double>(3, name: "repeat_vector"), new Shape(2));
        Tensor<double> y = rv.Forward(Tensor<double>.FromArray(new Shape(2, 2), [1, 2, 3, 4]), training: false);
        Assert.Equal(new Shape(2, 3, 2), y.Shape);
        Assert.Equal([1.0, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4], y.ToArray());
        Tensor<double> dx = rv.Backward(Tensor<double>.FromArray(y.Shape, [.. Enumerable.Range(1, 12).Select(i => (double)i)]));
        Assert.Equal([1.0 + 3 + 5, 2 + 4 + 6, 7 + 9 + 11, 8 + 10 + 12], dx.ToArray());
        Assert.True(GradientCheck.Layer(new RepeatVector<double>(4, name: "rv"), new Shape(3, 2), seed: 4).Passed);
    }

    [Fact]
    public void TimeDistributed_Dense_IsTheDenseAtEveryStep_WithSharedWeights()
    {
        var td = Built(new TimeDistributed<double>(new Dense<double>(2, ActivationFunction.Tanh), name: "time_distributed"), new Shape(3, 4));
        Assert.Equal(new Shape(3, 2), td.OutputShape);
        Assert.Equal(["time_distributed/dense/kernel", "time_distributed/dense/bias"], td.Parameters.Select(p => p.Name));
        Assert.Equal(4 * 2 + 2, td.CountParameters());
        var random = new Random(3);
        double[] x = [.. Enumerable.Range(0, 2 * 3 * 4).Select(_ => random.NextDouble() - 0.5)];
        double[] y = td.Forward(Tensor<double>.FromArray(new Shape(2, 3, 4), x), training: false).ToArray();
        double[] w = td.Parameters[0].Value.ToArray(), b = td.Parameters[1].Value.ToArray();
        for (int row = 0; row < 6; row++)
        {
            for (int j = 0; j < 2; j++)
            {
                double z = b[j];
                for (int k = 0; k < 4; k++)
                {
                    z += x[row * 4 + k] * w[k * 2 + j];
                }
                Assert.Equal(Math.Tanh(z), y[row * 2 + j], 1e-14);
            }
        }
        GradientCheckResult r = GradientCheck.Layer(new TimeDistributed<double>(new Dense<double>(3, ActivationFunction.Sigmoid), name: "td"), new Shape(2, 4, 3), seed: 8);
        Assert.True(r.Passed, r.ToString());
    }

    [Fact]
    public void Network_EmbeddingLstmRepeatTimeDistributed_GradientCheck()
    {
        var net = new Sequential<double>(ReferenceBackend<double>.Instance, seed: 21);
        net.Add(new Embedding<double>(6, 3, inputLength: 4, embeddingsInitializer: new RandomUniform(-1, 1)));
        net.Add(new LSTM<double>(3, biasInitializer: new RandomUniform(-0.5, 0.5)));
        net.Add(new RepeatVector<double>(2));
        net.Add(new GRU<double>(2, returnSequences: true, resetAfter: true, biasInitializer: new RandomUniform(-0.5, 0.5)));
        net.Add(new TimeDistributed<double>(new Dense<double>(3, ActivationFunction.Softmax)));
        var x = Tensor<double>.FromArray(new Shape(2, 4), [0, 5, 2, 2, 1, 3, 4, 0]);
        var y = Tensor<double>.FromArray(new Shape(2, 2, 3), [1, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0]);
        GradientCheckResult r = GradientCheck.Network(net, new RefNet.Losses.CategoricalCrossentropy(), x, y);
        Assert.True(r.Passed, r.ToString());
    }

    // ---- configs ---------------------------------------------------------------------------------

    [Fact]
    public void Config_RoundTrip_KeepsEveryOption()
    {
        var net = new Sequential<float>(seed: 4);
        net.Add(new Embedding<float>(50, 8, inputLength: 6));
        net.Add(new GRU<float>(5, recurrentActivation: ActivationFunction.FromName("hard_sigmoid"), returnSequences: true, goBackwards: true, resetAfter: true));
        net.Add(new SimpleRNN<float>(4, ActivationFunction.Relu, returnSequences: true));
        net.Add(new LSTM<float>(3, unitForgetBias: false));
        net.Add(new RepeatVector<float>(2));
        net.Add(new TimeDistributed<float>(new Dense<float>(7, ActivationFunction.Softmax)));
        string json = ModelConfig.ToJson(net);
        Network<float> back = ModelConfig.FromJson<float>(json);
        Assert.Equal(json, ModelConfig.ToJson(back));
        Assert.Equal(net.Layers.Select(l => l.OutputShape), back.Layers.Select(l => l.OutputShape));
        Assert.Equal(net.CountParameters(), back.CountParameters());
        var gru = Assert.IsType<GRU<float>>(back.Layers[1]);
        Assert.True(gru.ResetAfter && gru.GoBackwards && gru.ReturnSequences);
        Assert.Equal("hard_sigmoid", gru.RecurrentActivation.Name);
        Assert.False(Assert.IsType<LSTM<float>>(back.Layers[3]).UnitForgetBias);
        // Same seeds, same initial weights.
        Assert.Equal(net.Parameters.SelectMany(p => p.Value.ToArray()), back.Parameters.SelectMany(p => p.Value.ToArray()));
    }

    [Theory]
    [InlineData("LSTM", "\"dropout\": 0.2", "dropout")]
    [InlineData("GRU", "\"recurrent_dropout\": 0.1", "recurrent_dropout")]
    [InlineData("SimpleRNN", "\"stateful\": true", "stateful")]
    [InlineData("LSTM", "\"return_state\": true", "return_state")]
    [InlineData("LSTM", "\"recurrent_constraint\": {\"class_name\": \"MaxNorm\"}", "recurrent_constraint")]
    public void Config_UnsupportedRecurrentOption_IsATypedErrorNamingTheField(string cls, string field, string name)
    {
        string json = $"{{\"class_name\": \"Sequential\", \"config\": {{\"layers\": [{{\"class_name\": \"{cls}\", \"config\": {{\"units\": 3, \"input_shape\": [4, 2], {field}}}}}]}}}}";
        var e = Assert.Throws<ModelConfigException>(() => ModelConfig.FromJson<float>(json));
        Assert.Equal(name, e.Field);
        Assert.Equal(0, e.LayerIndex);
    }

    [Fact]
    public void Config_Keras224LstmConfig_IsRead()
    {
        // The keys Keras 2.2.4 writes for LSTM(32, input_shape=(50, 2)) (LSTM.get_config), defaults as written.
        const string json = """
            {"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "LSTM", "config": {"name": "lstm_1",
              "trainable": true, "batch_input_shape": [null, 50, 2], "dtype": "float32", "return_sequences": false, "return_state": false,
              "go_backwards": false, "stateful": false, "unroll": false, "units": 32, "activation": "tanh", "recurrent_activation": "hard_sigmoid",
              "use_bias": true, "kernel_initializer": {"class_name": "VarianceScaling", "config": {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform", "seed": null}},
              "recurrent_initializer": {"class_name": "Orthogonal", "config": {"gain": 1.0, "seed": null}},
              "bias_initializer": {"class_name": "Zeros", "config": {}}, "unit_forget_bias": true, "kernel_regularizer": null,
              "recurrent_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null,
              "recurrent_constraint": null, "bias_constraint": null, "dropout": 0.0, "recurrent_dropout": 0.0, "implementation": 1}}]}}
            """;
        Network<float> net = ModelConfig.FromJson<float>(json);
        var lstm = Assert.IsType<LSTM<float>>(net.Layers[0]);
        Assert.Equal(4480, lstm.CountParameters());
        Assert.Equal("hard_sigmoid", lstm.RecurrentActivation.Name);
    }
}
