// The registry of gradient checks that `refnet gradcheck` runs: one small float64 case per layer,
// activation, loss, regularizer and dropout, with inputs kept away from kinks and clip bounds.
using RefNet.Activations;
using RefNet.Backends;
using RefNet.Conventions;
using RefNet.Engine;
using RefNet.Initializers;
using RefNet.Layers;
using RefNet.Losses;
using RefNet.Regularizers;
using RefNet.Tensors;

namespace RefNet.Verification;

/// <summary>A named gradient check that builds its own data from a seed, on a given float64 backend.</summary>
/// <param name="Name">What is checked, e.g. "Dense(5, relu)".</param>
/// <param name="RunOn">Runs the check with a seed on a backend.</param>
public sealed record GradientCheckCase(string Name, Func<int, IBackend<double>, GradientCheckResult> RunOn)
{
    /// <summary>A check that does not depend on the backend (it builds its own).</summary>
    public GradientCheckCase(string name, Func<int, GradientCheckResult> run)
        : this(name, (seed, _) => run(seed))
    {
    }

    /// <summary>Runs the check on the reference backend.</summary>
    public GradientCheckResult Run(int seed) => RunOn(seed, ReferenceBackend<double>.Instance);

    /// <summary>Runs the check on <paramref name="backend"/>.</summary>
    public GradientCheckResult Run(int seed, IBackend<double> backend) => RunOn(seed, backend);
}

/// <summary>Every registered gradient check (built-ins first); new layers add theirs with <see cref="Register"/>.</summary>
public static class GradientCheckSuite
{
    private static readonly List<GradientCheckCase> Registered = CreateBuiltIns();

    /// <summary>The checks, in registration order.</summary>
    public static IReadOnlyList<GradientCheckCase> Cases
    {
        get
        {
            lock (Registered)
            {
                return Registered.ToArray();
            }
        }
    }

    /// <summary>Adds a check (e.g. for a new layer); it runs in <c>refnet gradcheck</c> from then on.</summary>
    public static void Register(GradientCheckCase check)
    {
        ArgumentNullException.ThrowIfNull(check);
        lock (Registered)
        {
            Registered.RemoveAll(c => c.Name == check.Name);
            Registered.Add(check);
        }
    }

    /// <summary>Removes the check named <paramref name="name"/>; returns whether one was registered.</summary>
    public static bool Unregister(string name)
    {
        lock (Registered)
        {
            return Registered.RemoveAll(c => c.Name == name) > 0;
        }
    }

    /// <summary>Runs every check with <paramref name="seed"/> on <paramref name="backend"/> (the reference backend when null).</summary>
    public static IReadOnlyList<GradientCheckResult> RunAll(int seed = 0, IBackend<double>? backend = null) =>
        Cases.Select(c => c.Run(seed, backend ?? ReferenceBackend<double>.Instance)).ToArray();

    private static List<GradientCheckCase> CreateBuiltIns()
    {
        var list = new List<GradientCheckCase>();
        ActivationFunction[] activations = [.. ActivationFunction.Names.Select(ActivationFunction.FromName)];
        foreach (ActivationFunction kind in activations)
        {
            string name = kind.Name;
            list.Add(new($"Dense(5, {name})", (seed, backend) => DenseCheck(kind, useBias: true, seed, backend)));
        }
        list.Add(new("Dense(5, linear, use_bias=False)", (seed, backend) => DenseCheck(ActivationFunction.Linear, useBias: false, seed, backend)));
        foreach (ActivationFunction kind in activations)
        {
            string name = kind.Name;
            list.Add(new($"Activation({name})", (int seed, IBackend<double> backend) =>
            {
                var random = new Random(seed);
                var layer = new Activation<double>(kind, name: $"activation_{name}", inputShape: new Shape(6));
                layer.UseBackend(backend);
                return GradientCheck.Layer(layer, Fill(4, 6, () => AwayFromKinks(random, kind, 3.0)), seed);
            }));
        }
        list.Add(new("Dropout(0.3), frozen mask", (int seed, IBackend<double> backend) =>
        {
            var random = new Random(seed);
            var layer = new Dropout<double>(0.3, seed: seed, name: "dropout") { FixedMask = true };
            layer.UseBackend(backend);
            layer.Build(new Shape(7));
            return GradientCheck.Layer(layer, Fill(3, 7, () => Uniform(random, -1, 1)), seed);
        }));
        // Window layers on (batch, H, W, C) images; inputs in ±[0.05, 1] drawn independently (no ties for max pooling
        // at the stencil's step), parameters as initialised.
        (string Name, Func<Layer<double>> Create, Shape Input)[] windows =
        [
            ("Conv2D(3, 3x3, valid, tanh)", () => new Conv2D<double>(3, (3, 3), activation: ActivationFunction.Tanh, name: "conv2d"), new Shape(2, 5, 4, 2)),
            ("Conv2D(2, 2x3, same, strides 2)", () => new Conv2D<double>(2, (2, 3), (2, 2), "same", name: "conv2d_strided"), new Shape(2, 5, 6, 3)),
            ("Conv2D(2, 3x3, same, dilation 2, sigmoid)", () => new Conv2D<double>(2, (3, 3), padding: "same", dilationRate: (2, 2), activation: ActivationFunction.Sigmoid, name: "conv2d_dilated"), new Shape(1, 6, 5, 2)),
            ("MaxPooling2D(2x2)", () => new MaxPooling2D<double>((2, 2), name: "max_pooling2d"), new Shape(2, 4, 5, 2)),
            ("AveragePooling2D(3x3, strides 2, same)", () => new AveragePooling2D<double>((3, 3), (2, 2), "same", name: "average_pooling2d"), new Shape(2, 5, 5, 2)),
            ("GlobalMaxPooling2D", () => new GlobalMaxPooling2D<double>(name: "global_max_pooling2d"), new Shape(2, 3, 3, 2)),
            ("GlobalAveragePooling2D", () => new GlobalAveragePooling2D<double>(name: "global_average_pooling2d"), new Shape(2, 3, 4, 3)),
            ("Flatten", () => new Flatten<double>(name: "flatten"), new Shape(2, 3, 2, 2)),
            ("Dense(3, tanh) on (time, features)", () => new Dense<double>(3, ActivationFunction.Tanh, name: "dense_rank3"), new Shape(2, 4, 3)),
        ];
        foreach ((string name, Func<Layer<double>> create, Shape input) in windows)
        {
            list.Add(new(name, (int seed, IBackend<double> backend) =>
            {
                Layer<double> layer = create();
                layer.UseBackend(backend);
                return GradientCheck.Layer(layer, input, seed);
            }));
        }
        // Recurrent layers through time: weights uniform ±0.3 and inputs in ±[0.05, 1] keep hard_sigmoid's kinks (±2.5) far away.
        var small = new RandomUniform(-0.3, 0.3);
        (string Name, Func<Layer<double>> Create, Shape Input)[] recurrent =
        [
            ("SimpleRNN(3, return_sequences)", () => new SimpleRNN<double>(3, returnSequences: true, biasInitializer: small, name: "simple_rnn"), new Shape(2, 4, 2)),
            ("LSTM(3), sigmoid gates", () => new LSTM<double>(3, biasInitializer: small, name: "lstm"), new Shape(2, 5, 2)),
            ("LSTM(2, hard_sigmoid, go_backwards, return_sequences)", () => new LSTM<double>(2, ActivationFunction.Tanh, ActivationFunction.FromName("hard_sigmoid"),
                returnSequences: true, goBackwards: true, kernelInitializer: small, recurrentInitializer: small, biasInitializer: small, name: "lstm_hard"), new Shape(2, 3, 2)),
            ("GRU(3), reset_after=False", () => new GRU<double>(3, returnSequences: true, biasInitializer: small, name: "gru"), new Shape(2, 4, 2)),
            ("GRU(2), reset_after=True, go_backwards", () => new GRU<double>(2, goBackwards: true, resetAfter: true, biasInitializer: small, name: "gru_reset_after"), new Shape(2, 5, 3)),
            ("RepeatVector(3)", () => new RepeatVector<double>(3, name: "repeat_vector"), new Shape(2, 4)),
            ("TimeDistributed(Dense(3, softmax))", () => new TimeDistributed<double>(new Dense<double>(3, ActivationFunction.Softmax), name: "time_distributed"), new Shape(2, 3, 4)),
        ];
        foreach ((string name, Func<Layer<double>> create, Shape input) in recurrent)
        {
            list.Add(new(name, (int seed, IBackend<double> backend) =>
            {
                Layer<double> layer = create();
                layer.Seed = seed;
                layer.UseBackend(backend);
                return GradientCheck.Layer(layer, input, seed);
            }));
        }
        list.Add(new("Embedding(6, 3), repeated indices", (int seed, IBackend<double> backend) =>
        {
            var layer = new Embedding<double>(6, 3, inputLength: 5, embeddingsInitializer: new RandomUniform(-1, 1), seed: seed, name: "embedding");
            layer.UseBackend(backend);
            return GradientCheck.Layer(layer, Tensor<double>.FromArray(new Shape(2, 5), [1, 4, 1, 0, 5, 3, 3, 1, 2, 1]), seed);
        }));
        // BatchNormalization: γ and β drawn away from their initial 1 and 0; in training mode the batch mean and variance
        // depend on the input (the full Jacobian), in inference mode the moving statistics are constants.
        (string Name, Shape Input, bool Training)[] batchNorms =
        [
            ("BatchNormalization, training, (N, H, W, C)", new Shape(3, 2, 2, 3), true),
            ("BatchNormalization, training, (N, features)", new Shape(5, 4), true),
            ("BatchNormalization, inference, (N, H, W, C)", new Shape(2, 3, 2, 3), false),
        ];
        foreach ((string name, Shape input, bool training) in batchNorms)
        {
            list.Add(new(name, (int seed, IBackend<double> backend) =>
            {
                var random = new Random(seed);
                var layer = new BatchNormalization<double>(betaInitializer: new RandomUniform(-0.5, 0.5), gammaInitializer: new RandomUniform(0.5, 1.5),
                    movingMeanInitializer: new RandomUniform(-0.5, 0.5), movingVarianceInitializer: new RandomUniform(0.5, 2.0), name: "batch_normalization");
                layer.Seed = seed;
                layer.UseBackend(backend);
                return GradientCheck.Layer(layer, Fill(input, () => Uniform(random, -2, 2)), seed, training: training);
            }));
        }
        list.Add(new("MeanSquaredError", (int seed, IBackend<double> backend) =>
        {
            var random = new Random(seed);
            return GradientCheck.Loss(new MeanSquaredError(), Fill(3, 4, () => Uniform(random, -2, 2)), Fill(3, 4, () => Uniform(random, -2, 2)), backend: backend);
        }));
        list.Add(new("MeanAbsoluteError", (int seed, IBackend<double> backend) =>
        {
            var random = new Random(seed);
            Tensor<double> y = Fill(3, 4, () => Uniform(random, -2, 2));
            // ŷ = y + d with |d| ≥ 1e-2: away from the kink at ŷ = y.
            Tensor<double> p = Fill(3, 4, () => GradientCheck.AwayFromZero(random, 1e-2, 1.0));
            for (int i = 0; i < p.Length; i++)
            {
                p.Span[i] += y.Span[i];
            }
            return GradientCheck.Loss(new MeanAbsoluteError(), p, y, backend: backend);
        }));
        list.Add(new("BinaryCrossentropy", (int seed, IBackend<double> backend) =>
        {
            var random = new Random(seed);
            return GradientCheck.Loss(new BinaryCrossentropy(), Fill(3, 4, () => Uniform(random, 0.02, 0.98)), Fill(3, 4, () => random.Next(2)), backend: backend);
        }));
        list.Add(new("CategoricalCrossentropy (softmax rows)", (int seed, IBackend<double> backend) =>
        {
            var random = new Random(seed);
            Tensor<double> logits = Fill(3, 4, () => Uniform(random, -2, 2));
            var p = new Tensor<double>(3, 4);
            ActivationFunction.Softmax.Forward(ReferenceBackend<double>.Instance, logits, p);
            return GradientCheck.Loss(new CategoricalCrossentropy(), p, OneHot(random, 3, 4), backend: backend);
        }));
        list.Add(new("CategoricalCrossentropy (unnormalised rows)", (int seed, IBackend<double> backend) =>
        {
            var random = new Random(seed);
            return GradientCheck.Loss(new CategoricalCrossentropy(), Fill(3, 4, () => Uniform(random, 0.2, 2.0)), OneHot(random, 3, 4), backend: backend);
        }));
        list.Add(new("BinaryCrossentropy (from logits)", (int seed, IBackend<double> backend) =>
        {
            var random = new Random(seed);
            return GradientCheck.Loss(new BinaryCrossentropy(fromLogits: true), Fill(3, 4, () => Uniform(random, -4, 4)), Fill(3, 4, () => random.Next(2)), backend: backend);
        }));
        list.Add(new("CategoricalCrossentropy (from logits)", (int seed, IBackend<double> backend) =>
        {
            var random = new Random(seed);
            return GradientCheck.Loss(new CategoricalCrossentropy(fromLogits: true), Fill(3, 4, () => Uniform(random, -4, 4)), OneHot(random, 3, 4), backend: backend);
        }));
        list.Add(new("SparseCategoricalCrossentropy (unnormalised rows, labels (3,))", (int seed, IBackend<double> backend) =>
        {
            var random = new Random(seed);
            return GradientCheck.Loss(new SparseCategoricalCrossentropy(), Fill(3, 4, () => Uniform(random, 0.05, 0.9)),
                Fill(new Shape(3), () => random.Next(4)), backend: backend);
        }));
        list.Add(new("SparseCategoricalCrossentropy (from logits, sequences (2, 3, 4), labels (2, 3))", (int seed, IBackend<double> backend) =>
        {
            var random = new Random(seed);
            return GradientCheck.Loss(new SparseCategoricalCrossentropy(fromLogits: true), Fill(new Shape(2, 3, 4), () => Uniform(random, -4, 4)),
                Fill(new Shape(2, 3), () => random.Next(4)), backend: backend);
        }));
        // The profile-dependent formulas under each profile that differs from the default (Keras 2.3.1): LSTM/GRU with
        // the profile's gates and initializers, binary cross-entropy's tf.keras form, and tf.keras' cross-entropy from the
        // output layer's logits (a network check: the loss reads the last Dense's z and backpropagation skips its activation).
        foreach (KerasProfile profile in (KerasProfile[])[KerasProfile.Keras208, KerasProfile.TfKeras215, KerasProfile.TfJs422])
        {
            string tag = $"[keras {profile.Id}]";
            list.Add(new($"{tag} LSTM(2) defaults, return_sequences", (int seed, IBackend<double> backend) =>
            {
                var layer = new LSTM<double>(2, returnSequences: true, kernelInitializer: small, recurrentInitializer: small, biasInitializer: small,
                    seed: seed, name: "lstm_profile");
                layer.UseProfile(profile);
                layer.UseBackend(backend);
                return GradientCheck.Layer(layer, new Shape(2, 3, 2), seed);
            }));
            list.Add(new($"{tag} GRU(2) defaults", (int seed, IBackend<double> backend) =>
            {
                var layer = new GRU<double>(2, kernelInitializer: small, recurrentInitializer: small, biasInitializer: small, seed: seed, name: "gru_profile");
                layer.UseProfile(profile);
                layer.UseBackend(backend);
                return GradientCheck.Layer(layer, new Shape(2, 3, 3), seed);
            }));
            list.Add(new($"{tag} BinaryCrossentropy", (int seed, IBackend<double> backend) =>
            {
                var random = new Random(seed);
                var loss = new BinaryCrossentropy { Keras = profile };
                return GradientCheck.Loss(loss, Fill(3, 4, () => Uniform(random, 0.02, 0.98)), Fill(3, 4, () => random.Next(2)), backend: backend);
            }));
            list.Add(new($"{tag} Network Dense(tanh)-Dense(softmax) + CCE", (int seed, IBackend<double> backend) =>
            {
                var random = new Random(seed);
                var net = new Network<double>(backend, seed: seed, keras: profile);
                net.Add(new Dense<double>(5, ActivationFunction.Tanh, inputDim: 3));
                net.Add(new Dense<double>(4, ActivationFunction.Softmax));
                return GradientCheck.Network(net, new CategoricalCrossentropy(), Fill(4, 3, () => Uniform(random, -1, 1)), OneHot(random, 4, 4));
            }));
            list.Add(new($"{tag} Network Dense(tanh)-Dense(sigmoid) + BCE", (int seed, IBackend<double> backend) =>
            {
                var random = new Random(seed);
                var net = new Network<double>(backend, seed: seed, keras: profile);
                net.Add(new Dense<double>(4, ActivationFunction.Tanh, inputDim: 3));
                net.Add(new Dense<double>(2, ActivationFunction.Sigmoid));
                return GradientCheck.Network(net, new BinaryCrossentropy(), Fill(4, 3, () => Uniform(random, -1, 1)), Fill(4, 2, () => random.Next(2)));
            }));
        }
        list.Add(new("L1 regularizer (l1=0.5) through Dense", (seed, backend) => RegularizerCheck(new Regularizer(l1: 0.5), seed, backend)));
        list.Add(new("L2 regularizer (l2=0.4) through Dense", (seed, backend) => RegularizerCheck(new Regularizer(l2: 0.4), seed, backend)));
        list.Add(new("Network 2-4-3-1 sigmoid + BCE (sum), slides' data", (int seed, IBackend<double> backend) =>
        {
            var net = new Network<double>(2, [4, 3], 1, backend: backend, seed: seed);
            var x = Tensor<double>.FromRows(new double[,] { { 5, 2 }, { 1, 0 }, { 3, 1 } });
            var y = Tensor<double>.FromRows(new double[,] { { 0 }, { 1 }, { 1 } });
            return GradientCheck.Network(net, new BinaryCrossentropy(Reduction.Sum), x, y);
        }));
        list.Add(new("Network Conv2D-BatchNormalization-tanh-Flatten-Dense(softmax) + CCE", (int seed, IBackend<double> backend) =>
        {
            var random = new Random(seed);
            var net = new Network<double>(backend, seed: seed);
            net.Add(new Conv2D<double>(2, (2, 2), inputShape: new Shape(3, 3, 1)));
            net.Add(new BatchNormalization<double>(betaInitializer: new RandomUniform(-0.5, 0.5), gammaInitializer: new RandomUniform(0.5, 1.5)));
            net.Add(new Activation<double>(ActivationFunction.Tanh));
            net.Add(new Flatten<double>());
            net.Add(new Dense<double>(3, ActivationFunction.Softmax));
            return GradientCheck.Network(net, new CategoricalCrossentropy(), Fill(new Shape(3, 3, 3, 1), () => Uniform(random, -1, 1)), OneHot(random, 3, 3));
        }));
        list.Add(new("Network Dense(tanh)-Dropout-Dense(softmax) + CCE", (int seed, IBackend<double> backend) =>
        {
            var random = new Random(seed);
            var net = new Network<double>(backend, seed: seed);
            net.Add(new Dense<double>(5, ActivationFunction.Tanh, inputDim: 3));
            net.Add(new Dropout<double>(0.3, seed: seed) { FixedMask = true });
            net.Add(new Dense<double>(4, ActivationFunction.Softmax));
            return GradientCheck.Network(net, new CategoricalCrossentropy(), Fill(4, 3, () => Uniform(random, -1, 1)), OneHot(random, 4, 4));
        }));
        list.Add(new("Network LSTM(return sequences)-Dense(linear) + SparseCategoricalCrossentropy (from logits)", (int seed, IBackend<double> backend) =>
        {
            var random = new Random(seed);
            var net = new Network<double>(backend, seed: seed);
            net.Add(new LSTM<double>(3, returnSequences: true, inputShape: new Shape(4, 2)));
            net.Add(new Dense<double>(4));
            return GradientCheck.Network(net, new SparseCategoricalCrossentropy(fromLogits: true), Fill(new Shape(2, 4, 2), () => Uniform(random, -1, 1)),
                Fill(new Shape(2, 4), () => random.Next(4)));
        }));
        return list;
    }

    private static GradientCheckResult DenseCheck(ActivationFunction kind, bool useBias, int seed, IBackend<double> backend)
    {
        var random = new Random(seed);
        var dense = new Dense<double>(5, kind, inputDim: 4, useBias: useBias, name: $"dense_{kind.Name}");
        dense.UseBackend(backend);
        dense.Build(new Shape(4));
        RandomizeParameters(dense, random);
        return GradientCheck.Layer(dense, InputAwayFromKink(dense, 3, random), seed);
    }

    /// <summary>A value in ±[1e-2, max] at least 1e-2 away from each of the activation's kinks.</summary>
    private static double AwayFromKinks(Random random, ActivationFunction activation, double max)
    {
        while (true)
        {
            double v = GradientCheck.AwayFromZero(random, 1e-2, max);
            if (activation.Kinks.All(k => Math.Abs(v - k) >= 1e-2))
            {
                return v;
            }
        }
    }

    private static GradientCheckResult RegularizerCheck(Regularizer regularizer, int seed, IBackend<double> backend)
    {
        var random = new Random(seed);
        var net = new Network<double>(backend, seed: seed);
        net.Add(new Dense<double>(3, ActivationFunction.Tanh, inputDim: 4, kernelRegularizer: regularizer, biasRegularizer: regularizer));
        net.Add(new Dense<double>(1, ActivationFunction.Linear, kernelRegularizer: regularizer));
        foreach (Layer<double> layer in net.Layers)
        {
            RandomizeParameters(layer, random);
        }
        return GradientCheck.Network(net, new MeanSquaredError(), Fill(3, 4, () => Uniform(random, -1, 1)), Fill(3, 1, () => Uniform(random, -1, 1)));
    }

    // Weights in ±[0.1, 1]: away from the L1 kink at 0.
    private static void RandomizeParameters(Layer<double> layer, Random random)
    {
        foreach (Parameter<double> p in layer.Parameters)
        {
            var values = new double[p.Count];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = GradientCheck.AwayFromZero(random, 0.1, 1.0);
            }
            layer.Backend.CopyFromHost(values, p.Value);
        }
    }

    // An input whose pre-activations z = xW + b all lie ≥ 1e-2 from 0 and from the activation's kinks, by rejection.
    private static Tensor<double> InputAwayFromKink(Dense<double> dense, int batch, Random random)
    {
        int inputs = dense.InputShape![0];
        double[] w = dense.Kernel.Value.ToArray();
        double[] b = dense.Bias?.Value.ToArray() ?? new double[dense.Units];
        for (int attempt = 0; attempt < 10_000; attempt++)
        {
            Tensor<double> x = Fill(batch, inputs, () => GradientCheck.AwayFromZero(random, 0.05, 1.0));
            bool clear = true;
            for (int i = 0; i < batch && clear; i++)
            {
                for (int j = 0; j < dense.Units && clear; j++)
                {
                    double z = b[j];
                    for (int k = 0; k < inputs; k++)
                    {
                        z += x[i, k] * w[(k * dense.Units) + j];
                    }
                    clear = Math.Abs(z) >= 1e-2 && dense.Activation.Kinks.All(k => Math.Abs(z - k) >= 1e-2);
                }
            }
            if (clear)
            {
                return x;
            }
        }
        throw new InvalidOperationException($"could not draw an input keeping every pre-activation of '{dense.Name}' away from the ReLU kink");
    }

    private static double Uniform(Random random, double lo, double hi) => lo + (random.NextDouble() * (hi - lo));

    private static Tensor<double> Fill(int rows, int cols, Func<double> next) => Fill(new Shape(rows, cols), next);

    private static Tensor<double> Fill(Shape shape, Func<double> next)
    {
        var t = new Tensor<double>(shape.ToArray());
        for (int i = 0; i < t.Length; i++)
        {
            t.Span[i] = next();
        }
        return t;
    }

    private static Tensor<double> OneHot(Random random, int rows, int cols)
    {
        var t = new Tensor<double>(rows, cols);
        for (int i = 0; i < rows; i++)
        {
            t[i, random.Next(cols)] = 1;
        }
        return t;
    }
}
