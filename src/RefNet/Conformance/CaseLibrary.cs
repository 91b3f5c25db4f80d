// The conformance cases RefNet exports: every activation, every layer (forward, input gradient, parameter gradients
// under L = Σ output ⊙ upstream), every loss (value and gradient, with clipped and extreme points), every optimizer
// (5-step trajectories from given gradients) and a whole-network training step per optimizer. Each case is a small
// function of (dtype, Keras profile, seed); the verifier calls it again under the other profiles to say which
// convention a failing implementation follows.
using RefNet.Activations;
using RefNet.Backends;
using RefNet.Conventions;
using RefNet.Engine;
using RefNet.Initializers;
using RefNet.Layers;
using RefNet.Losses;
using RefNet.Optimizers;
using RefNet.Tensors;

namespace RefNet.Conformance;

/// <summary>A case RefNet can generate: its id, kind and the function that fills a <see cref="CaseBuilder"/>.</summary>
/// <param name="Id">Case id, e.g. "layer/conv2d/same_even_kernel".</param>
/// <param name="Kind">activation · layer · loss · optimizer · network.</param>
/// <param name="Fill">Fills the builder (givens from its seed, results from the reference backend).</param>
/// <param name="Float64Only">Why the case exists in float64 only (its expected values depend on float32 constants such as
/// 1 − ε, which a float64 truth cannot stand for), or null.</param>
public sealed record CaseDefinition(string Id, string Kind, Action<CaseBuilder> Fill, string? Float64Only = null)
{
    /// <summary>Builds the case for a dtype, profile and seed.</summary>
    /// <exception cref="NotSupportedException">A float32 case of a float64-only definition, or a case the profile cannot build.</exception>
    public CaseBuilder Create(string dtype = "float64", KerasProfile? keras = null, int seed = 0)
    {
        if (dtype == "float32" && Float64Only is not null)
        {
            throw new NotSupportedException($"float64 only: {Float64Only}");
        }
        var b = new CaseBuilder(Id, Kind, dtype, keras ?? KerasProfile.Default, seed);
        Fill(b);
        return b;
    }
}

/// <summary>Every case RefNet exports, in a fixed order.</summary>
public static partial class CaseLibrary
{
    private static readonly Lazy<IReadOnlyList<CaseDefinition>> AllCases = new(CreateAll);

    /// <summary>The cases.</summary>
    public static IReadOnlyList<CaseDefinition> All => AllCases.Value;

    /// <summary>The case with <paramref name="id"/>, or null.</summary>
    public static CaseDefinition? Find(string id) => All.FirstOrDefault(c => c.Id == id);

    private static ReferenceBackend<double> Reference => ReferenceBackend<double>.Instance;

    private static List<CaseDefinition> CreateAll()
    {
        var list = new List<CaseDefinition>();
        AddActivations(list);
        AddLayers(list);
        AddLosses(list);
        AddOptimizers(list);
        AddNetworks(list);
        AddInitializers(list);
        AddGolden(list);
        return list;
    }

    // ---- activations: y = f(x) and dx = dy ⊙ f'(x) (softmax: the Jacobian-vector product), at edge points too ----

    private static void AddActivations(List<CaseDefinition> list)
    {
        foreach (string name in ActivationFunction.Names)
        {
            list.Add(new($"activation/{name}", "activation", b =>
            {
                ActivationFunction f = ActivationFunction.FromName(name);
                bool softmax = name == "softmax";
                // Edge points: 0 (ReLU's and the ELUs' kink: Keras/TensorFlow give f'(0) from the x ≤ 0 side), ±2.5 (hard_sigmoid's
                // clip bounds: the slope passes there, TensorFlow's clip_by_value), ±20 and ±40 (saturation), then random points.
                double[] edges = [0.0, 2.5, -2.5, 20.0, -20.0, 40.0, -40.0, 1e-6, -1e-6, 0.5, -0.5, 3.0];
                int[] shape = softmax ? [4, 5] : [4, 6];
                int n = shape[0] * shape[1];
                double[] x = [.. edges.Take(softmax ? 0 : edges.Length).Concat(b.Uniform(n, -3, 3)).Take(n).Select(b.Round)];
                if (softmax)
                {
                    x[0] = x[1] = 1.5; // a tie
                    x[5] = 40;         // a saturated row: exp(40) overflows nothing but dominates
                }
                b.Description = $"Keras activation '{name}': y = {name}(x) elementwise{(softmax ? " over the last axis" : "")}, and dx = dy ⊙ ∂y/∂x for a given upstream dy.";
                b.Op("Activation", new Dictionary<string, object?> { ["activation"] = name });
                b.Convention("derivative_at_kinks", "Keras/TensorFlow: relu'(0) = 0, elu'(0) = 1 (from the negative side: α·eˣ), hard_sigmoid'(±2.5) = 0.2 (the clip passes the gradient at its bounds)");
                if (f is LeakyRelu leaky)
                {
                    b.Convention("alpha", leaky.Alpha.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
                }
                else if (f is Elu elu)
                {
                    b.Convention("alpha", elu.Alpha.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
                }
                var layer = new Activation<double>(f, name: "activation");
                LayerCase(b, layer, shape, x, shape[^1], softmax ? ToleranceClass.Chain : ToleranceClass.Transcendental);
                b.Tag(name);
            }));
        }
    }

    // ---- layers ----

    private static void AddLayers(List<CaseDefinition> list)
    {
        void Add(string id, Func<CaseBuilder, Layer<double>> create, int[] input, int k, ToleranceClass kind, string description,
            string? notes = null, bool training = true, Func<CaseBuilder, int, double[]>? inputs = null, string[]? tags = null)
        {
            list.Add(new($"layer/{id}", "layer", b =>
            {
                int n = input.Aggregate(1, (a, d) => a * d);
                double[] x = inputs?.Invoke(b, n) ?? b.AwayFromZero(n, 0.05, 1.0);
                b.Description = description;
                b.Notes = notes;
                LayerCase(b, create(b), input, x, k, kind, training);
                b.Tag(id.Split('/')[0]);
                b.Tag(tags ?? []);
            }));
        }

        foreach (string act in new[] { "linear", "relu", "sigmoid", "tanh", "softmax" })
        {
            Add($"dense/{act}", _ => new Dense<double>(4, ActivationFunction.FromName(act), name: "dense"), [3, 5], 5,
                act is "linear" or "relu" ? ToleranceClass.Arithmetic : ToleranceClass.Chain,
                $"Dense(4, activation='{act}') on (3, 5): y = act(x·W + b), W is inputs × units (Keras layout).");
        }
        Add("dense/no_bias", _ => new Dense<double>(3, useBias: false, name: "dense"), [2, 4], 4, ToleranceClass.Arithmetic,
            "Dense(3, use_bias=False): y = x·W.");
        Add("dense/rank3", _ => new Dense<double>(3, ActivationFunction.Tanh, name: "dense"), [2, 4, 3], 8, ToleranceClass.Chain,
            "Dense(3, tanh) on (batch, time, features): the kernel applies to the last axis of every position.");

        Add("conv2d/valid_3x3_tanh", _ => new Conv2D<double>(3, (3, 3), activation: ActivationFunction.Tanh, name: "conv2d"), [2, 5, 4, 2], 18,
            ToleranceClass.Chain, "Conv2D(3, (3, 3), padding='valid', tanh) on NHWC (2, 5, 4, 2); kernel HWIO (3, 3, 2, 3); cross-correlation (no flip).");
        Add("conv2d/same_2x3_strides2", _ => new Conv2D<double>(2, (2, 3), (2, 2), "same", name: "conv2d"), [2, 5, 6, 3], 18,
            ToleranceClass.Arithmetic, "Conv2D(2, (2, 3), strides=2, padding='same') on (2, 5, 6, 3).",
            "TensorFlow's 'same': out = ceil(in/stride), pad_total = max(0, (out−1)·stride + k − in), pad_before = pad_total // 2, the odd pixel after (bottom/right).");
        Add("conv2d/same_even_kernel", _ => new Conv2D<double>(2, (2, 2), padding: "same", name: "conv2d"), [1, 4, 4, 2], 8,
            ToleranceClass.Arithmetic, "Conv2D(2, (2, 2), padding='same'), stride 1: an even kernel pads 0 before and 1 after.",
            "PyTorch's padding='same' also pads the extra pixel after; Theano-backend Keras padded before.", tags: ["edge"]);
        Add("conv2d/same_stride2_pad_after", _ => new Conv2D<double>(2, (3, 3), (2, 2), "same", name: "conv2d"), [1, 4, 4, 1], 9,
            ToleranceClass.Arithmetic, "Conv2D(2, (3, 3), strides=2, padding='same') on 4×4: out 2×2, pad_total 1 → 0 before, 1 after.", tags: ["edge"]);
        Add("conv2d/dilation2_sigmoid", _ => new Conv2D<double>(2, (3, 3), padding: "same", dilationRate: (2, 2), activation: ActivationFunction.Sigmoid, name: "conv2d"),
            [1, 6, 5, 2], 18, ToleranceClass.Chain, "Conv2D(2, (3, 3), dilation_rate=2, padding='same', sigmoid).");

        Add("max_pooling2d/2x2", _ => new MaxPooling2D<double>((2, 2), name: "max_pooling2d"), [2, 4, 5, 2], 4, ToleranceClass.Exact,
            "MaxPooling2D((2, 2)) on (2, 4, 5, 2), 'valid': the last column is dropped.");
        Add("max_pooling2d/ties", _ => new MaxPooling2D<double>((2, 2), name: "max_pooling2d"), [1, 4, 4, 1], 4, ToleranceClass.Exact,
            "MaxPooling2D((2, 2)) with repeated values, so that some windows hold their maximum twice.",
            "Ties: the whole gradient goes to the first maximum in row-major window order (TensorFlow's MaxPoolGrad; PyTorch does the same).",
            inputs: (b, n) => [.. Enumerable.Range(0, n).Select(i => b.Round((i % 3 == 0 ? 0.5 : 0.25) * ((i / 8) + 1)))], tags: ["edge"]);
        Add("max_pooling2d/same_3x3_strides2", _ => new MaxPooling2D<double>((3, 3), (2, 2), "same", name: "max_pooling2d"), [2, 5, 5, 2], 9,
            ToleranceClass.Exact, "MaxPooling2D((3, 3), strides=2, padding='same'): padding never wins a max.");
        Add("average_pooling2d/valid_2x2", _ => new AveragePooling2D<double>((2, 2), name: "average_pooling2d"), [2, 4, 4, 2], 4,
            ToleranceClass.Arithmetic, "AveragePooling2D((2, 2)).");
        Add("average_pooling2d/same_3x3_strides2", _ => new AveragePooling2D<double>((3, 3), (2, 2), "same", name: "average_pooling2d"), [2, 5, 5, 2], 9,
            ToleranceClass.Arithmetic, "AveragePooling2D((3, 3), strides=2, padding='same').",
            "Keras/TensorFlow divide by the number of real (unpadded) pixels in each window (PyTorch: count_include_pad=False).", tags: ["edge"]);
        Add("global_max_pooling2d", _ => new GlobalMaxPooling2D<double>(name: "global_max_pooling2d"), [2, 3, 3, 2], 9, ToleranceClass.Exact,
            "GlobalMaxPooling2D: the maximum over H and W per channel.");
        Add("global_average_pooling2d", _ => new GlobalAveragePooling2D<double>(name: "global_average_pooling2d"), [2, 3, 4, 3], 12,
            ToleranceClass.Arithmetic, "GlobalAveragePooling2D: the mean over H and W per channel.");
        Add("flatten", _ => new Flatten<double>(name: "flatten"), [2, 3, 2, 2], 1, ToleranceClass.Exact,
            "Flatten of NHWC (2, 3, 2, 2) to (2, 12): C-order, channels fastest.",
            "A port from NCHW (PyTorch) must permute to NHWC before flattening, or the next Dense's kernel rows are scrambled.");
        Add("reshape", _ => new Reshape<double>([3, 4], name: "reshape"), [2, 2, 6], 1, ToleranceClass.Exact,
            "Reshape((3, 4)) of (2, 2, 6): C order, the batch axis kept.");
        Add("dropout/inference", _ => new Dropout<double>(0.5, name: "dropout"), [3, 4], 1, ToleranceClass.Exact,
            "Dropout(0.5) outside training: the identity (Keras scales at training time, by 1/(1 − rate)).",
            "In training the mask is random, so no case can fix it; RefNet's gradient check covers it with a frozen mask.", training: false);
        Add("repeat_vector", _ => new RepeatVector<double>(3, name: "repeat_vector"), [2, 4], 3, ToleranceClass.Exact,
            "RepeatVector(3): (batch, features) → (batch, 3, features).");

        var small = new RandomUniform(-0.3, 0.3);
        Add("simple_rnn/return_sequences", _ => new SimpleRNN<double>(3, returnSequences: true, biasInitializer: small, name: "simple_rnn"), [2, 4, 2], 12,
            ToleranceClass.Chain, "SimpleRNN(3, return_sequences=True): h_t = tanh(x_t·W + h_{t−1}·U + b), h_0 = 0.");
        Add("lstm/default", _ => new LSTM<double>(3, biasInitializer: small, name: "lstm"), [2, 5, 2], 15,
            ToleranceClass.Chain, "LSTM(3) with the profile's defaults (recurrent_activation, unit_forget_bias), last output only.",
            "Keras gate order in kernel, recurrent_kernel and bias: i, f, c, o. PyTorch's is i, f, g, o (same), but PyTorch has two biases.");
        Add("lstm/hard_sigmoid_go_backwards", _ => new LSTM<double>(2, ActivationFunction.Tanh, ActivationFunction.FromName("hard_sigmoid"),
                returnSequences: true, goBackwards: true, kernelInitializer: small, recurrentInitializer: small, biasInitializer: small, name: "lstm"),
            [2, 3, 2], 8, ToleranceClass.Chain, "LSTM(2, recurrent_activation='hard_sigmoid', go_backwards=True, return_sequences=True).",
            "go_backwards: the sequence is read from the last step; the returned sequence stays in that reversed order (Keras 2).");
        Add("gru/reset_before", _ => new GRU<double>(3, returnSequences: true, resetAfter: false, biasInitializer: small, name: "gru"), [2, 4, 2], 12,
            ToleranceClass.Chain, "GRU(3, reset_after=False): h̃ = tanh(x·W_h + (r ⊙ h)·U_h + b_h).",
            "Keras gate order: z, r, h. PyTorch's GRU is r, z, n and resets after the matmul (reset_after=True form).");
        Add("gru/reset_after_go_backwards", _ => new GRU<double>(2, goBackwards: true, resetAfter: true, biasInitializer: small, name: "gru"), [2, 5, 3], 8,
            ToleranceClass.Chain, "GRU(2, reset_after=True, go_backwards=True): h̃ = tanh(x·W_h + b_h + r ⊙ (h·U_h + b_rh)); bias shape (2, 3·units).");
        Add("time_distributed_dense", _ => new TimeDistributed<double>(new Dense<double>(3, ActivationFunction.Softmax), name: "time_distributed"), [2, 3, 4], 4,
            ToleranceClass.Chain, "TimeDistributed(Dense(3, softmax)) on (batch, time, features).");
        Add("batch_normalization/training", _ => new BatchNormalization<double>(momentum: 0.9, epsilon: 1e-3,
                gammaInitializer: new RandomUniform(0.5, 1.5), betaInitializer: new RandomUniform(-0.5, 0.5), name: "batch_normalization"),
            [6, 4], 6, ToleranceClass.Chain, "BatchNormalization(momentum=0.9, epsilon=1e-3) in training: batch statistics; moving_mean and moving_variance after one step.",
            "The moving variance rule is the profile's (the config's moving_variance_rule; refnet conventions: batchnorm.moving_variance): Keras 2.3.1 feeds σ²·m/(m − (1 + ε)), m the values per channel.");
        Add("batch_normalization/inference", _ => new BatchNormalization<double>(epsilon: 1e-3, gammaInitializer: new RandomUniform(0.5, 1.5),
                betaInitializer: new RandomUniform(-0.5, 0.5), movingMeanInitializer: new RandomUniform(-0.5, 0.5), movingVarianceInitializer: new RandomUniform(0.5, 2.0),
                name: "batch_normalization"),
            [3, 2, 2, 3], 1, ToleranceClass.Transcendental, "BatchNormalization in inference on NHWC: y = γ·(x − moving_mean)/√(moving_variance + ε) + β, per channel.",
            training: false);
        Add("embedding/repeated_indices", _ => new Embedding<double>(5, 3, name: "embedding"), [2, 4], 2, ToleranceClass.Arithmetic,
            "Embedding(5, 3): rows of the table by index; repeated indices sum their gradients.",
            inputs: (b, n) => [1, 3, 1, 0, 4, 1, 3, 3], tags: ["edge"]);
    }

    /// <summary>Runs one layer forward and backward on the reference backend and records givens and results.</summary>
    private static void LayerCase(CaseBuilder b, Layer<double> layer, int[] inputShape, double[] x, int reduction, ToleranceClass kind, bool training = true)
    {
        layer.UseBackend(Reference);
        layer.UseProfile(b.Keras);
        layer.Seed ??= b.Seed;
        layer.Build(new Shape(inputShape[1..]));
        foreach (Parameter<double> p in layer.Parameters)
        {
            double[] rounded = [.. p.Value.ToArray().Select(b.Round)];
            rounded.CopyTo(p.Value.Span);
        }
        if (b.OpJson is null)
        {
            b.Op(layer.TypeName, layer.GetConfig().Where(kv => kv.Key != "input_shape" || kv.Value is not null).ToDictionary());
        }
        bool integerInput = layer is Embedding<double>;
        b.Given("x", "input", inputShape, x, dtype: integerInput ? "int64" : null);
        if (inputShape.Length == 4)
        {
            b.Layout("x", "NHWC");
        }
        else if (inputShape.Length == 3)
        {
            b.Layout("x", "NTC (batch, time, features)");
        }
        if (layer is Conv2D<double>)
        {
            b.Layout("kernel", "HWIO (kh, kw, in, out)");
        }
        foreach (Parameter<double> p in layer.Parameters)
        {
            string weight = WeightName(p);
            b.Given(weight, p.Trainable ? "param" : "buffer", p.Value.Shape.ToArray(), p.Value.ToArray(), weight);
        }
        Tensor<double> y = layer.Forward(Tensor<double>.FromArray(new Shape(inputShape), x), training);
        double[] dy = b.Uniform(y.Length, -1, 1);
        b.Given("dy", "cotangent", y.Shape.ToArray(), dy);
        b.Result("y", "output", y.Shape.ToArray(), y.ToArray(), kind, reduction);
        foreach (Parameter<double> p in layer.NonTrainableParameters)
        {
            string weight = WeightName(p);
            b.Result($"{weight}_after", "state", p.Value.Shape.ToArray(), p.Value.ToArray(), ToleranceClass.Arithmetic, inputShape[0], weight);
        }
        Tensor<double> dx = layer.Backward(Tensor<double>.FromArray(y.Shape, dy));
        if (layer.HasInputGradient)
        {
            b.Result("grad_x", "grad", inputShape, dx.ToArray(), kind, reduction);
        }
        foreach (Parameter<double> p in layer.TrainableParameters)
        {
            string weight = WeightName(p);
            b.Result($"grad_{weight}", "grad", p.Value.Shape.ToArray(), p.Gradient.ToArray(), kind, Math.Max(reduction, y.Length / Math.Max(1, p.Value.Shape[-1])), weight);
        }
        b.Convention("objective", "L = Σ y ⊙ dy; grad_* = ∂L/∂*");
        b.Convention("training", training ? "true" : "false");
    }

    private static string WeightName(Parameter<double> p) => p.Name[(p.Name.LastIndexOf('/') + 1)..];

    // ---- losses: J(ŷ, y) with Keras' mean over the batch, and ∂J/∂ŷ ----

    private static void AddLosses(List<CaseDefinition> list)
    {
        void Add(string id, Func<Loss> create, string description, Func<CaseBuilder, (int[] Shape, double[] Pred, double[] True, bool Sparse)> data,
            ToleranceClass kind, string? notes = null, string? float64Only = null)
        {
            list.Add(new($"loss/{id}", "loss", b =>
            {
                Loss loss = create();
                loss.Keras = b.Keras;
                (int[] shape, double[] pred, double[] target, bool sparse) = data(b);
                b.Description = description;
                b.Notes = notes;
                b.Op(loss.Name, new Dictionary<string, object?> { ["reduction"] = "mean over the batch", ["epsilon"] = loss.Epsilon });
                if (loss is BinaryCrossentropy)
                {
                    b.Convention("bce_form", b.Keras.BinaryCrossentropyEpsilonInLog
                        ? "tf.keras: −[y·log(ŷ + ε) + (1 − y)·log(1 − ŷ + ε)] with ŷ clipped to [ε, 1 − ε]"
                        : "Keras 2: ŷ clipped to [ε, 1 − ε], then −[y·log ŷ + (1 − y)·log(1 − ŷ)]");
                }
                else if (loss is CategoricalCrossentropy or SparseCategoricalCrossentropy)
                {
                    b.Convention("cce_form", "ŷ divided by its row sum, clipped to [ε, 1 − ε], then −Σ y·log ŷ; the clip's gradient is 0 outside the bounds");
                }
                int rows = shape[0];
                int[] targetShape = sparse ? [rows] : shape;
                b.Given("y_pred", "input", shape, pred);
                b.Given("y_true", "target", targetShape, target, dtype: sparse ? "int64" : null);
                var p = Tensor<double>.FromArray(new Shape(shape), pred);
                var t = Tensor<double>.FromArray(new Shape(targetShape), target);
                double value = loss.Value(Reference, p, t);
                var g = new Tensor<double>(shape);
                loss.Gradient(Reference, p, t, g);
                b.Result("loss", "loss", [], [value], kind, pred.Length);
                b.Result("grad_y_pred", "grad", shape, g.ToArray(), kind, shape[^1]);
                b.Convention("loss_argument_order", "Keras: loss(y_true, y_pred)");
                b.Tag(loss.Name);
            }, float64Only));
        }

        (int[], double[], double[], bool) Probabilities(CaseBuilder b, int rows, int classes, bool extremes)
        {
            var pred = new double[rows * classes];
            var target = new double[rows * classes];
            for (int r = 0; r < rows; r++)
            {
                double[] raw = b.Uniform(classes, 0.05, 1);
                double sum = raw.Sum();
                for (int c = 0; c < classes; c++)
                {
                    pred[(r * classes) + c] = b.Round(raw[c] / sum);
                }
                target[(r * classes) + b.Random.Next(classes)] = 1;
            }
            if (extremes)
            {
                // Row 0: the true class at exactly 0 (clipped to ε); row 1: a one-hot prediction (1 and exact zeros).
                Array.Clear(pred, 0, classes);
                Array.Clear(target, 0, classes);
                pred[1] = 1;
                target[0] = 1;
                Array.Clear(pred, classes, classes);
                pred[classes + 2] = 1;
                Array.Clear(target, classes, classes);
                target[classes + 2] = 1;
            }
            return ([rows, classes], pred, target, false);
        }

        Add("categorical_crossentropy/probabilities", () => new CategoricalCrossentropy(), "categorical_crossentropy on softmax-like rows.",
            b => Probabilities(b, 4, 5, extremes: false), ToleranceClass.Transcendental);
        Add("categorical_crossentropy/clipped", () => new CategoricalCrossentropy(), "categorical_crossentropy with ŷ = 0 for the true class and an exact one-hot ŷ.",
            b => Probabilities(b, 3, 4, extremes: true), ToleranceClass.Transcendental,
            "ŷ = 0 is clipped to ε = 1e-7: the loss is −log ε ≈ 16.118 and the clip's gradient there is 0; ŷ = 1 clips to 1 − ε.");
        Add("categorical_crossentropy/unnormalised", () => new CategoricalCrossentropy(), "categorical_crossentropy with rows that do not sum to 1: Keras divides by the row sum first.",
            b => ([3, 4], b.Uniform(12, 0.1, 2.0), [0, 1, 0, 0, 1, 0, 0, 0, 0.25, 0.25, 0.5, 0], false), ToleranceClass.Transcendental);
        Add("sparse_categorical_crossentropy", () => new SparseCategoricalCrossentropy(), "sparse_categorical_crossentropy: integer class labels.",
            b =>
            {
                (int[] s, double[] p, _, _) = Probabilities(b, 4, 3, extremes: false);
                return (s, p, [2, 0, 1, 1], true);
            }, ToleranceClass.Transcendental);
        Add("binary_crossentropy/probabilities", () => new BinaryCrossentropy(), "binary_crossentropy, mean over the last axis, then over the batch.",
            b => ([4, 3], b.Uniform(12, 0.02, 0.98), [.. Enumerable.Range(0, 12).Select(i => (double)((i * 7) % 3 == 0 ? 1 : 0))], false), ToleranceClass.Transcendental);
        Add("binary_crossentropy/clipped", () => new BinaryCrossentropy(), "binary_crossentropy at ŷ ∈ {0, 1, ε, 1 − ε} and beyond: the clipping boundaries.",
            b => ([2, 4], [0, 1, 1e-7, 1 - 1e-7, 1, 0, 0.5, 1e-9], [1, 0, 1, 0, 1, 0, 1, 0], false), ToleranceClass.Transcendental,
            "Points on or beyond the clip bounds: TensorFlow's clip_by_value passes the gradient where ŷ equals a bound and blocks it beyond.",
            "a float32 program clips at float32(1 − 1e-7) = 1 − 2⁻²³, whose log differs from the float64 bound's by 0.17");
        Add("mean_squared_error", () => new MeanSquaredError(), "mean_squared_error: mean over the last axis, then over the batch.",
            b => ([3, 4], b.Uniform(12, -2, 2), b.Uniform(12, -2, 2), false), ToleranceClass.Arithmetic);
        Add("mean_absolute_error", () => new MeanAbsoluteError(), "mean_absolute_error, with ŷ = y at two points (TensorFlow: sign(0) = 0, no gradient).",
            b =>
            {
                double[] p = b.Uniform(12, -2, 2);
                double[] t = b.Uniform(12, -2, 2);
                t[0] = p[0];
                t[5] = p[5];
                return ([3, 4], p, t, false);
            }, ToleranceClass.Arithmetic);
    }

    // ---- optimizers: 5 steps from given gradients ----

    private static void AddOptimizers(List<CaseDefinition> list)
    {
        (string Id, string KerasClass, Func<Optimizer> Create)[] optimizers =
        [
            ("sgd", "SGD", () => new Sgd(0.1)),
            ("sgd_momentum", "SGD", () => new Sgd(0.1, momentum: 0.9)),
            ("sgd_nesterov", "SGD", () => new Sgd(0.1, momentum: 0.9, nesterov: true)),
            ("sgd_decay", "SGD", () => new Sgd(0.1, decay: 0.5)),
            ("rmsprop", "RMSprop", () => new RmsProp(0.01)),
            ("adam", "Adam", () => new Adam(0.01)),
            ("adagrad", "Adagrad", () => new AdaGrad()),
            ("adadelta", "Adadelta", () => new Adadelta()),
            ("adamax", "Adamax", () => new Adamax(0.01)),
            ("nadam", "Nadam", () => new Nadam(0.01)),
        ];
        foreach ((string id, string kerasClass, Func<Optimizer> create) in optimizers)
        {
            list.Add(new($"optimizer/{id}", "optimizer", b =>
            {
                Optimizer opt = create();
                opt.Keras = b.Keras;
                const int Steps = 5;
                int[] shape = [3, 4];
                double[] p0 = b.Uniform(12, -1, 1);
                // Gradients of several scales, including one tiny (ε matters there) and one zero element.
                double[] grads = b.Uniform(Steps * 12, -1, 1);
                for (int s = 0; s < Steps; s++)
                {
                    grads[(s * 12) + 3] = b.Round(grads[(s * 12) + 3] * 1e-6);
                    grads[(s * 12) + 7] = 0;
                }
                b.Description = $"{kerasClass}({Describe(opt)}): the parameter after each of {Steps} steps, from the given gradient of each step.";
                b.Op(kerasClass, opt.GetConfig());
                OptimizerConventions(b, opt);
                b.Given("param", "param", shape, p0);
                b.Given("gradients", "gradients", [Steps, .. shape], grads);
                var value = Tensor<double>.FromArray(new Shape(shape), p0);
                var gradient = new Tensor<double>(shape);
                var parameter = new Parameter<double>("param", value, gradient);
                var trajectory = new List<double>();
                for (int s = 0; s < Steps; s++)
                {
                    grads.AsSpan(s * 12, 12).CopyTo(gradient.Span);
                    opt.Step(Reference, [parameter]);
                    trajectory.AddRange(value.ToArray());
                }
                b.Result("params", "param_after", [Steps, .. shape], [.. trajectory], ToleranceClass.Chain, Steps);
                b.Notes = "params[s] is the parameter after step s + 1 (iterations = s + 1 inside the step, Keras' t).";
                b.Tag(kerasClass.ToLowerInvariant());
            }));
        }
    }

    private static string Describe(Optimizer opt) =>
        string.Join(", ", opt.GetConfig().Where(kv => kv.Key != "name").Select(kv => $"{kv.Key}={kv.Value}"));

    private static void OptimizerConventions(CaseBuilder b, Optimizer opt)
    {
        b.Convention("decay", "Keras 2 time decay: lr_t = lr / (1 + decay·iterations), iterations counted before the step");
        switch (opt)
        {
            case Sgd:
                b.Convention("momentum", "Keras: v = momentum·v − lr·g; p += v (nesterov: p += momentum·v − lr·g)");
                break;
            case RmsProp r:
                b.Convention("epsilon_placement", r.EpsilonPlacement == EpsilonPlacement.InsideRoot ? "inside: p −= lr·g/√(a + ε)" : "outside: p −= lr·g/(√a + ε)");
                break;
            case AdaGrad a:
                b.Convention("epsilon_placement", a.EpsilonPlacement == EpsilonPlacement.InsideRoot ? "inside: p −= lr·g/√(a + ε)" : "outside: p −= lr·g/(√a + ε)");
                b.Convention("initial_accumulator", a.InitialAccumulator.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
                break;
            case Adam adam:
                b.Convention("adam_epsilon", adam.EpsilonForm == AdamEpsilonForm.EpsilonHat
                    ? "epsilon-hat: lr_t = lr·√(1−β₂ᵗ)/(1−β₁ᵗ); p −= lr_t·m/(√v + ε)"
                    : "bias-corrected: p −= lr·m̂/(√v̂ + ε)");
                break;
            case Adadelta:
                b.Convention("adadelta", "a = ρa + (1−ρ)g²; Δ = g·√(d + ε)/√(a + ε); p −= lr·Δ; d = ρd + (1−ρ)Δ²");
                break;
            case Adamax:
                b.Convention("adamax", "Keras 2: lr_t = lr/(1 − β₁ᵗ); m = β₁m + (1−β₁)g; u = max(β₂u, |g|); p −= lr_t·m/(u + ε) (ε outside the max)");
                break;
            case Nadam:
                b.Convention("nadam", "Keras 2: μ_t = β₁(1 − ½·0.96^(t·sd)), S_t = μ_1⋯μ_t; p −= lr·((1−μ_t)·g/(1−S_t) + μ_{t+1}·m/(1−S_t·μ_{t+1}))/(√(v/(1−β₂ᵗ)) + ε)");
                break;
        }
    }

    // ---- a whole-network training step per optimizer ----

    private static void AddNetworks(List<CaseDefinition> list)
    {
        (string Id, string KerasClass, Func<Optimizer> Create)[] optimizers =
        [
            ("sgd", "SGD", () => new Sgd(0.5)),
            ("sgd_momentum", "SGD", () => new Sgd(0.5, momentum: 0.9)),
            ("rmsprop", "RMSprop", () => new RmsProp(0.01)),
            ("adam", "Adam", () => new Adam(0.01)),
            ("adagrad", "Adagrad", () => new AdaGrad(0.1)),
            ("adadelta", "Adadelta", () => new Adadelta()),
        ];
        foreach ((string id, string kerasClass, Func<Optimizer> create) in optimizers)
        {
            list.Add(new($"network/mlp_step/{id}", "network", b =>
            {
                var net = new Sequential<double>(Reference, seed: b.Seed, keras: b.Keras);
                net.Add(new Dense<double>(4, ActivationFunction.Sigmoid, inputDim: 3, name: "dense_1"));
                net.Add(new Dense<double>(3, ActivationFunction.Softmax, name: "dense_2"));
                Optimizer opt = create();
                net.Compile(opt, new CategoricalCrossentropy());
                foreach (Parameter<double> p in net.Parameters)
                {
                    double[] rounded = [.. p.Value.ToArray().Select(b.Round)];
                    rounded.CopyTo(p.Value.Span);
                }
                const int Rows = 5;
                double[] x = b.Uniform(Rows * 3, -1, 1);
                var y = new double[Rows * 3];
                for (int r = 0; r < Rows; r++)
                {
                    y[(r * 3) + (r % 3)] = 1;
                }
                b.Description = $"One training step of Dense(4, sigmoid) → Dense(3, softmax) with categorical_crossentropy and {kerasClass}({Describe(opt)}) on one batch of {Rows}.";
                string model = Serialization.ModelConfig.ToJson(net).TrimEnd();
                b.Op("Sequential", new Dictionary<string, object?>
                {
                    ["layers"] = "dense_1: Dense(4, sigmoid, input 3); dense_2: Dense(3, softmax)",
                    ["loss"] = "categorical_crossentropy",
                    ["optimizer_config"] = new Dictionary<string, object?> { ["class_name"] = kerasClass, ["config"] = opt.GetConfig() },
                });
                b.Convention("model_json", model.Replace('\n', ' '));
                OptimizerConventions(b, opt);
                b.Given("x", "input", [Rows, 3], x);
                b.Given("y", "target", [Rows, 3], y);
                foreach (Parameter<double> p in net.Parameters)
                {
                    b.Given(p.Name.Replace('/', '.'), "param", p.Value.Shape.ToArray(), p.Value.ToArray(), WeightName(p));
                }
                // The forward pass before the step, layer by layer (what --trace compares first).
                Tensor<double> a = Tensor<double>.FromArray(new Shape(Rows, 3), x);
                var trace = new List<string>();
                foreach (Layer<double> layer in net.Layers)
                {
                    a = layer.Forward(a, training: true);
                    b.Result($"{layer.Name}.output", "output", a.Shape.ToArray(), a.ToArray(), ToleranceClass.Chain, 4);
                    trace.Add($"{layer.Name}.output");
                }
                // The gradients of that pass, backpropagated layer by layer: ∂J/∂ŷ, then δ through each layer from the last.
                var target = Tensor<double>.FromArray(new Shape(Rows, 3), y);
                var upstream = new Tensor<double>(Rows, 3);
                new CategoricalCrossentropy().Gradient(Reference, a, target, upstream);
                foreach (Layer<double> layer in net.Layers.Reverse())
                {
                    upstream = layer.Backward(upstream);
                }
                var gradients = net.Parameters.Reverse().Select(p => (Name: "grad_" + p.Name.Replace('/', '.'), p.Value.Shape, Values: p.Gradient.ToArray(), Weight: WeightName(p))).ToList();
                History h = net.Fit(Tensor<double>.FromArray(new Shape(Rows, 3), x), target, batchSize: Rows, epochs: 1, shuffle: false, verbose: 0);
                b.Result("loss", "loss", [], [h["loss"][0]], ToleranceClass.Chain, Rows * 3);
                trace.Add("loss");
                foreach (var g in gradients)
                {
                    b.Result(g.Name, "grad", g.Shape.ToArray(), g.Values, ToleranceClass.Chain, Rows, g.Weight);
                    trace.Add(g.Name);
                }
                foreach (Parameter<double> p in net.Parameters.Reverse())
                {
                    string name = p.Name.Replace('/', '.') + "_after";
                    b.Result(name, "param_after", p.Value.Shape.ToArray(), p.Value.ToArray(), ToleranceClass.Chain, Rows, WeightName(p));
                    trace.Add(name);
                }
                b.Convention("trace_order", string.Join(",", trace));
                b.Notes = "Per-layer outputs are the forward pass before the step; loss is that pass's mean loss; grad_* its gradients (∂J/∂W of each layer, last layer first); *_after the weights after the step. trace_order is forward, then backward, then the update.";
                b.Tag(kerasClass.ToLowerInvariant());
            }));
        }
    }
}
