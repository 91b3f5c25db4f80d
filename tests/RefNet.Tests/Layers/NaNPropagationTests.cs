// NaN cannot hide: for every layer, a NaN (or ±∞) injected into the input, a weight or the upstream gradient comes out
// as a non-finite value where that element enters, as in TensorFlow (ReLU(NaN) = NaN, max-pool windows holding a NaN are
// NaN, clips keep NaN) — and samples it does not enter stay finite. Every loss gives NaN for a NaN target or prediction,
// and every optimizer turns a NaN gradient into a NaN weight (which TerminateOnNaN and ModelCheckpoint then see).
using RefNet.Activations;
using RefNet.Backends;
using RefNet.Engine;
using RefNet.Layers;
using RefNet.Losses;
using RefNet.Optimizers;
using RefNet.Tensors;
using Xunit;

namespace RefNet.Tests.Layers;

public sealed class NaNPropagationTests
{
    private static readonly Dictionary<string, (Func<Layer<double>> Make, int[] Input, bool MixesSamples)> Layers = new()
    {
        ["dense_relu"] = (() => new Dense<double>(3, ActivationFunction.Relu), [2, 4], false),
        ["dense_softmax"] = (() => new Dense<double>(3, ActivationFunction.Softmax), [2, 4], false),
        ["conv2d_same_relu"] = (() => new Conv2D<double>(2, (3, 3), padding: "same", activation: ActivationFunction.Relu), [2, 4, 4, 2], false),
        ["max_pooling2d"] = (() => new MaxPooling2D<double>((2, 2)), [2, 4, 4, 2], false),
        ["average_pooling2d"] = (() => new AveragePooling2D<double>((2, 2)), [2, 4, 4, 2], false),
        ["global_max_pooling2d"] = (() => new GlobalMaxPooling2D<double>(), [2, 3, 3, 2], false),
        ["global_average_pooling2d"] = (() => new GlobalAveragePooling2D<double>(), [2, 3, 3, 2], false),
        ["flatten"] = (() => new Flatten<double>(), [2, 3, 2], false),
        ["reshape"] = (() => new Reshape<double>([3, 2]), [2, 6], false),
        ["dropout"] = (() => new Dropout<double>(0.0), [2, 5], false),
        ["repeat_vector"] = (() => new RepeatVector<double>(3), [2, 4], false),
        ["simple_rnn"] = (() => new SimpleRNN<double>(3, returnSequences: true), [2, 4, 2], false),
        ["lstm"] = (() => new LSTM<double>(3), [2, 4, 2], false),
        ["gru"] = (() => new GRU<double>(3, resetAfter: true), [2, 4, 2], false),
        ["time_distributed_dense"] = (() => new TimeDistributed<double>(new Dense<double>(2, ActivationFunction.Tanh)), [2, 3, 4], false),
        ["batch_normalization"] = (() => new BatchNormalization<double>(), [3, 4], true),
    };

    // tanh(+∞) = 1 and σ(+∞) = 1, as in TensorFlow: +∞ legitimately comes out finite through these (NaN never does).
    private static readonly HashSet<string> Saturating = ["simple_rnn", "lstm", "gru", "time_distributed_dense"];

    public static TheoryData<string, double> Cases()
    {
        var data = new TheoryData<string, double>();
        foreach (string name in Layers.Keys)
        {
            data.Add(name, double.NaN);
            if (!Saturating.Contains(name))
            {
                data.Add(name, double.PositiveInfinity);
            }
        }
        foreach (string activation in ActivationFunction.Names)
        {
            data.Add("activation:" + activation, double.NaN);
        }
        return data;
    }

    private static (Layer<double> Layer, Tensor<double> X) Build(string name)
    {
        Layer<double> layer;
        int[] input;
        if (name.StartsWith("activation:", StringComparison.Ordinal))
        {
            layer = new Activation<double>(name["activation:".Length..]);
            input = [2, 5];
        }
        else
        {
            (Func<Layer<double>> make, int[] shape, _) = Layers[name];
            layer = make();
            input = shape;
        }
        layer.UseBackend(ReferenceBackend<double>.Instance);
        layer.Build(new Shape(input[1..]));
        var random = new Random(7);
        var x = new Tensor<double>(input);
        for (int i = 0; i < x.Length; i++)
        {
            x.Span[i] = (random.NextDouble() * 2) - 1;
        }
        return (layer, x);
    }

    private static bool MixesSamples(string name) => !name.StartsWith("activation:", StringComparison.Ordinal) && Layers[name].MixesSamples;

    private static (bool First, bool Others) NonFinite(Tensor<double> t)
    {
        double[] v = t.ToArray();
        int perSample = v.Length / t.Rows;
        return (v.Take(perSample).Any(d => !double.IsFinite(d)), v.Skip(perSample).Any(d => !double.IsFinite(d)));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ABadInputElement_ComesOutNonFinite_InItsOwnSample(string name, double bad)
    {
        (Layer<double> layer, Tensor<double> x) = Build(name);
        x.Span[0] = bad;
        foreach (bool training in (bool[])[false, true])
        {
            (bool first, bool rest) = NonFinite(layer.Forward(x, training));
            Assert.True(first, $"{name} ({(training ? "training" : "inference")}): {bad} in sample 0's input gave a finite output");
            if (!MixesSamples(name) || !training)
            {
                Assert.False(rest, $"{name}: {bad} in sample 0 reached another sample");
            }
        }
    }

    public static TheoryData<string> LayerNames() => [.. Layers.Keys];

    [Theory]
    [MemberData(nameof(LayerNames))]
    public void ANaNUpstreamGradient_ComesOutInTheInputGradient(string name)
    {
        // Layers only: each activation's gradient follows its TensorFlow op (ReLU's is a product and keeps NaN; a clip's
        // gradient is a select), which the activation edge-point tests pin.
        (Layer<double> layer, Tensor<double> x) = Build(name);
        Tensor<double> y = layer.Forward(x, training: true);
        var dy = new Tensor<double>(y.Shape.ToArray());
        dy.Span.Fill(0.5);
        dy.Span[0] = double.NaN;
        Tensor<double> dx = layer.Backward(dy);
        Assert.True(dx.ToArray().Any(double.IsNaN), $"{name}: a NaN in ∂J/∂y vanished from ∂J/∂x");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ANaNWeight_ComesOutInTheOutput(string name, double bad)
    {
        _ = bad;
        (Layer<double> layer, Tensor<double> x) = Build(name);
        if (layer.Parameters.Count == 0)
        {
            Assert.Empty(layer.GetWeights()); // nothing to poison
            return;
        }
        foreach (Parameter<double> p in layer.Parameters)
        {
            double[] saved = p.Value.ToArray();
            p.Value.Span[0] = double.NaN;
            // BatchNormalization's moving statistics act in inference, γ/β in both; every weight must show somewhere.
            bool seen = (bool[])[false, true] is var modes && modes.Any(training => layer.Forward(x, training).ToArray().Any(double.IsNaN));
            Assert.True(seen, $"{name}: NaN in weight '{p.Name}' gave a finite output");
            saved.CopyTo(p.Value.Span);
        }
    }

    public static TheoryData<string> LossNames() => ["mean_squared_error", "mean_absolute_error", "binary_crossentropy", "categorical_crossentropy"];

    [Theory]
    [MemberData(nameof(LossNames))]
    public void EveryLoss_IsNaN_ForANaNPrediction_OrTarget_AndItsGradientToo(string name)
    {
        Loss loss = Loss.FromName(name);
        IBackend<double> backend = ReferenceBackend<double>.Instance;
        var p = Tensor<double>.FromArray(new Shape(2, 3), [0.2, 0.3, 0.5, 0.1, 0.8, 0.1]);
        var y = Tensor<double>.FromArray(new Shape(2, 3), [0, 0, 1, 0, 1, 0]);
        var perSample = new Tensor<double>(2);
        var grad = new Tensor<double>(2, 3);
        p.Span[1] = double.NaN;
        Assert.True(double.IsNaN(loss.Value(backend, p, y, perSample)), $"{name}: NaN prediction");
        loss.Gradient(backend, p, y, grad);
        Assert.True(double.IsNaN(grad.Span[1]), $"{name}: NaN prediction's gradient");
        p.Span[1] = 0.3;
        y.Span[2] = double.NaN;
        Assert.True(double.IsNaN(loss.Value(backend, p, y, perSample)), $"{name}: NaN target");
    }

    public static TheoryData<string> OptimizerNames() => ["sgd", "rmsprop", "adam", "adagrad", "adadelta", "adamax", "nadam"];

    [Theory]
    [MemberData(nameof(OptimizerNames))]
    public void EveryOptimizer_TurnsANaNGradientIntoANaNWeight_AndLeavesTheOthers(string name)
    {
        Optimizer optimizer = Optimizer.FromName(name);
        IBackend<double> backend = ReferenceBackend<double>.Instance;
        var value = Tensor<double>.FromArray(new Shape(3), [0.1, 0.2, 0.3]);
        var gradient = Tensor<double>.FromArray(new Shape(3), [double.NaN, 0.5, -0.5]);
        var p = new Parameter<double>("w", value, gradient);
        optimizer.Step(backend, [p]);
        double[] after = value.ToArray();
        Assert.True(double.IsNaN(after[0]), $"{name}: a NaN gradient left a finite weight");
        Assert.True(double.IsFinite(after[1]) && double.IsFinite(after[2]), $"{name}: a NaN gradient reached other weights");
    }
}
