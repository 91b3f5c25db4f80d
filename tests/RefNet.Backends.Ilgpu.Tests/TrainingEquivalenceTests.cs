// Layers and whole training runs on ILGPU against the same network on ReferenceBackend: Dense forward/backward for
// every activation, Dropout with the same mask, two epochs of a tiny MLP (data stays on the device), and two steps of a
// small convnet and of a small recurrent network.
// On the CPU accelerator every tensor is bitwise equal to the reference; on CUDA within the tolerance model.
using RefNet.Tests;
using RefNet.Activations;
using System.Numerics;
using RefNet.Backends.Ilgpu;
using RefNet.Conventions;
using RefNet.Engine;
using RefNet.Layers;
using RefNet.Losses;
using RefNet.Optimizers;
using RefNet.Regularizers;
using RefNet.Tensors;
using Xunit;

namespace RefNet.Backends.Ilgpu.Tests;

public abstract class TrainingEquivalenceTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly IBackend<T>? _gpu;
    private readonly bool _cuda;

    protected TrainingEquivalenceTests(IlgpuFixture fixture, IlgpuDevice device, IlgpuGemm? gemm = null)
    {
        _gpu = fixture.Get<T>(device, gemm);
        _cuda = device == IlgpuDevice.Cuda;
    }

    private IBackend<T> Gpu
    {
        get
        {
            Skip.If(_gpu is null, "no CUDA device present");
            return _gpu!;
        }
    }

    /// <summary>
    /// Final-loss relative difference allowed after two epochs on CUDA (gradcheck.md §10.8): float 1e-4, double 1e-10.
    /// On the CPU accelerator the loss history is compared bitwise: the batch losses are whole-tensor Sums of at most
    /// 8 rows, and a 256-partial tree over at most 256 terms adds them in exactly the reference's left-to-right order.
    /// </summary>
    private static double LossTolerance => typeof(T) == typeof(float) ? 1e-4 : 1e-10;

    /// <summary>Weights' max relative difference after two epochs on CUDA: float 1e-3, double 1e-10 (composite drift of FMA and approximate transcendentals).</summary>
    private static double WeightTolerance => typeof(T) == typeof(float) ? 1e-3 : 1e-10;

    private static Tensor<T> RandomTensor(Random rng, int rows, int cols, double lo = -1, double hi = 1)
    {
        var data = new T[rows * cols];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = T.CreateChecked(lo + ((hi - lo) * rng.NextDouble()));
        }
        return Tensor<T>.FromArray(new Shape(rows, cols), data);
    }

    [SkippableTheory]
    [InlineData(ActivationKind.Linear)]
    [InlineData(ActivationKind.Relu)]
    [InlineData(ActivationKind.Sigmoid)]
    [InlineData(ActivationKind.Tanh)]
    [InlineData(ActivationKind.Softmax)]
    public void Dense_ForwardAndBackward_MatchCpu(ActivationKind activation)
    {
        IBackend<T> gpu = Gpu;
        for (int seed = 1; seed <= 3; seed++)
        {
            var rng = new Random(seed);
            int batch = rng.Next(1, 7);
            int inputs = rng.Next(1, 9);
            int units = rng.Next(1, 7);
            Tensor<T> x = RandomTensor(rng, batch, inputs);
            Tensor<T> g = RandomTensor(rng, batch, units);
            var onCpu = new Dense<T>(units, activation.Function(), inputDim: inputs, seed: seed);
            var onGpu = new Dense<T>(units, activation.Function(), inputDim: inputs, seed: seed);
            onCpu.UseBackend(ReferenceBackend<T>.Instance);
            onCpu.Build(new Shape(inputs));
            onGpu.UseBackend(gpu);
            onGpu.Build(new Shape(inputs));
            Tensor<T> yc = onCpu.Forward(x, training: true);
            Tensor<T> yg = onGpu.Forward(Upload(gpu, x), training: true);
            double relative = Equivalence.Relative<T>(inputs + 1, _cuda, transcendental: true);
            Same(yc, yg, Magnitude(yc, 1.0 + inputs), relative, $"Dense {activation} forward, seed {seed}");
            Tensor<T> dxc = onCpu.Backward(g);
            Tensor<T> dxg = onGpu.Backward(Upload(gpu, g));
            double backwardRelative = Equivalence.Relative<T>(batch + units + inputs, _cuda, transcendental: true);
            Same(dxc, dxg, Magnitude(dxc, units), backwardRelative, $"Dense {activation} dX, seed {seed}");
            for (int p = 0; p < onCpu.Parameters.Count; p++)
            {
                Tensor<T> gc = onCpu.Parameters[p].Gradient;
                Same(gc, onGpu.Parameters[p].Gradient, Magnitude(gc, batch),
                    backwardRelative, $"Dense {activation} {onCpu.Parameters[p].Name} gradient, seed {seed}");
            }
        }
    }

    [SkippableFact]
    public void Dropout_UsesTheSameMask_ForwardAndBackward()
    {
        IBackend<T> gpu = Gpu;
        var rng = new Random(4);
        Tensor<T> x = RandomTensor(rng, 5, 7);
        Tensor<T> g = RandomTensor(rng, 5, 7);
        var onCpu = new Dropout<T>(0.4, seed: 11);
        var onGpu = new Dropout<T>(0.4, seed: 11);
        onCpu.Build(new Shape(7));
        onGpu.UseBackend(gpu);
        onGpu.Build(new Shape(7));
        for (int step = 0; step < 3; step++)
        {
            Assert.Equal(onCpu.Forward(x, training: true).ToArray(), onGpu.Forward(Upload(gpu, x), training: true).ToArray());
            Assert.Equal(onCpu.Backward(g).ToArray(), onGpu.Backward(Upload(gpu, g)).ToArray());
        }
    }

    public static TheoryData<string> Setups() => ["adam-cce-dropout", "sgd-nesterov-bce-l2", "rmsprop-mse-l1", "adagrad-mae"];

    [SkippableTheory]
    [MemberData(nameof(Setups))]
    public void TinyMlp_TwoEpochs_MatchesCpu(string setup)
    {
        IBackend<T> gpu = Gpu;
        var rng = new Random(7);
        Tensor<T> x = RandomTensor(rng, 20, 8);
        var targets = new T[20 * 3];
        for (int r = 0; r < 20; r++)
        {
            targets[r * 3 + rng.Next(3)] = T.One;
        }
        Tensor<T> y = Tensor<T>.FromArray(new Shape(20, 3), targets);

        Network<T> cpuNet = Mlp(ReferenceBackend<T>.Instance, setup);
        Network<T> gpuNet = Mlp(gpu, setup);
        History hc = cpuNet.Fit(x, y, batchSize: 8, epochs: 2, seed: 3, verbose: 0);
        History hg = gpuNet.Fit(x, y, batchSize: 8, epochs: 2, seed: 3, verbose: 0);

        double lc = hc["loss"][^1];
        double lg = hg["loss"][^1];
        if (_cuda)
        {
            Assert.True(Math.Abs(lg - lc) <= LossTolerance * Math.Abs(lc), $"{setup}: final loss cpu {lc:R} vs ilgpu {lg:R}");
        }
        else
        {
            Assert.Equal(hc["loss"], hg["loss"]);
        }
        Assert.Equal(hc["acc"], hg["acc"]);
        var cpuParams = cpuNet.Parameters.ToList();
        var gpuParams = gpuNet.Parameters.ToList();
        Assert.All(gpuParams, p => Assert.True(gpu.Owns(p.Value), $"{p.Name} is not on {gpu.Name}"));
        for (int p = 0; p < cpuParams.Count; p++)
        {
            double scale = cpuParams[p].Value.ToDoubleArray().Max(Math.Abs) + 1e-30;
            double[] magnitude = Enumerable.Repeat(scale, cpuParams[p].Value.Length).ToArray();
            Same(cpuParams[p].Value, gpuParams[p].Value, magnitude, WeightTolerance, $"{setup}: {cpuParams[p].Name} after 2 epochs");
        }
    }

    /// <summary>Trains both networks one epoch of two batches of 8 and compares the loss and accuracy histories
    /// (bitwise on the CPU accelerator, within <see cref="LossTolerance"/> on CUDA) and every parameter afterwards.</summary>
    /// <returns>The reference network's parameters.</returns>
    private List<Parameter<T>> TwoStepsMatch(string what, Network<T> cpuNet, Network<T> gpuNet, Tensor<T> x, Tensor<T> y)
    {
        History hc = cpuNet.Fit(x, y, batchSize: 8, epochs: 1, seed: 5, verbose: 0);
        History hg = gpuNet.Fit(x, y, batchSize: 8, epochs: 1, seed: 5, verbose: 0);
        double lc = hc["loss"][^1], lg = hg["loss"][^1];
        if (_cuda)
        {
            Assert.True(Math.Abs(lg - lc) <= LossTolerance * Math.Abs(lc), $"{what}: loss cpu {lc:R} vs ilgpu {lg:R}");
        }
        else
        {
            Assert.Equal(hc["loss"], hg["loss"]);
            Assert.Equal(hc["acc"], hg["acc"]);
        }
        var cpuParams = cpuNet.Parameters.ToList();
        var gpuParams = gpuNet.Parameters.ToList();
        Assert.Equal(cpuParams.Count, gpuParams.Count);
        for (int p = 0; p < cpuParams.Count; p++)
        {
            double scale = cpuParams[p].Value.ToDoubleArray().Max(Math.Abs) + 1e-30;
            double[] magnitude = Enumerable.Repeat(scale, cpuParams[p].Value.Length).ToArray();
            Same(cpuParams[p].Value, gpuParams[p].Value, magnitude, WeightTolerance, $"{what}: {cpuParams[p].Name} after 2 steps");
        }
        return cpuParams;
    }

    // A small convnet with every window layer and BatchNormalization: Conv2D(same, relu) → BatchNormalization →
    // MaxPooling2D → Conv2D(valid) → AveragePooling2D(same) → Dropout → Flatten → Dense(softmax); Adadelta, CCE.
    private static Network<T> Cnn(IBackend<T> backend)
    {
        var net = new Sequential<T>(backend, seed: 11);
        net.Add(new Conv2D<T>(3, (3, 3), padding: "same", activation: ActivationFunction.Relu, inputShape: new Shape(6, 6, 2)));
        net.Add(new BatchNormalization<T>(momentum: 0.9));
        net.Add(new MaxPooling2D<T>((2, 2)));
        net.Add(new Conv2D<T>(4, (2, 2), activation: ActivationFunction.Tanh));
        net.Add(new AveragePooling2D<T>((2, 2), padding: "same"));
        net.Add(new Dropout<T>(0.25));
        net.Add(new Flatten<T>());
        net.Add(new Dense<T>(3, ActivationFunction.Softmax));
        net.Compile(new Adadelta(), new CategoricalCrossentropy(), ["accuracy"]);
        return net;
    }

    [SkippableFact]
    public void SmallCnn_TwoSteps_MatchesCpu()
    {
        IBackend<T> gpu = Gpu;
        var rng = new Random(9);
        Tensor<T> x = RandomTensor(rng, 16, 6 * 6 * 2).Reshape(new Shape(16, 6, 6, 2));
        var targets = new T[16 * 3];
        for (int r = 0; r < 16; r++)
        {
            targets[r * 3 + rng.Next(3)] = T.One;
        }
        Tensor<T> y = Tensor<T>.FromArray(new Shape(16, 3), targets);
        Network<T> cpuNet = Cnn(ReferenceBackend<T>.Instance);
        // Two steps of 8: both steps update the weights and the BatchNormalization moving statistics.
        List<Parameter<T>> cpuParams = TwoStepsMatch("cnn", cpuNet, Cnn(gpu), x, y);
        Assert.NotEqual(0.0, cpuParams.First(q => q.Name.EndsWith("moving_mean", StringComparison.Ordinal)).Value.ToDoubleArray().Max(Math.Abs));
    }

    // A small recurrent encoder-decoder with every recurrent layer: Embedding → LSTM(goBackwards) → RepeatVector(3) →
    // GRU(resetAfter, returnSequences) → SimpleRNN(returnSequences) → TimeDistributed(Dense(softmax)); Adam, sparse CCE
    // on (batch, 3) class indices.
    private static Network<T> Rnn(IBackend<T> backend)
    {
        var net = new Sequential<T>(backend, seed: 13);
        net.Add(new Embedding<T>(7, 3, inputLength: 4));
        net.Add(new LSTM<T>(4, goBackwards: true));
        net.Add(new RepeatVector<T>(3));
        net.Add(new GRU<T>(3, returnSequences: true, resetAfter: true));
        net.Add(new SimpleRNN<T>(3, returnSequences: true));
        net.Add(new TimeDistributed<T>(new Dense<T>(5, ActivationFunction.Softmax)));
        net.Compile(new Adam(0.01), new SparseCategoricalCrossentropy(), ["accuracy"]);
        return net;
    }

    // 16 sequences of 4 word indices in [0, 7) and their 3 class labels in [0, 5).
    private static (Tensor<T> X, Tensor<T> Y) Sequences(Random rng)
    {
        var indices = new T[16 * 4];
        var labels = new T[16 * 3];
        for (int i = 0; i < indices.Length; i++)
        {
            indices[i] = T.CreateChecked(rng.Next(7));
        }
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = T.CreateChecked(rng.Next(5));
        }
        return (Tensor<T>.FromArray(new Shape(16, 4), indices), Tensor<T>.FromArray(new Shape(16, 3), labels));
    }

    [SkippableFact]
    public void SmallRecurrentNet_TwoSteps_MatchesCpu()
    {
        IBackend<T> gpu = Gpu;
        var rng = new Random(10);
        (Tensor<T> x, Tensor<T> y) = Sequences(rng);
        // Two steps of 8: backpropagation through time into every kernel, recurrent kernel, bias and the embeddings.
        List<Parameter<T>> cpuParams = TwoStepsMatch("rnn", Rnn(ReferenceBackend<T>.Instance), Rnn(gpu), x, y);
        // The steps moved every parameter (a backend that skipped one would still agree with itself).
        Network<T> untrained = Rnn(ReferenceBackend<T>.Instance);
        var initial = untrained.Parameters.ToList();
        for (int p = 0; p < cpuParams.Count; p++)
        {
            Assert.NotEqual(initial[p].Value.ToDoubleArray(), cpuParams[p].Value.ToDoubleArray());
        }
    }

    // The same kinds of network with every default left to a Keras profile: under tf.keras 2.15 the GRU is reset_after
    // and both losses are read from the output layer's logits (sparse CCE after TimeDistributed softmax, BCE after
    // sigmoid); under TensorFlow.js 4.22 the gates are hard_sigmoid, the RNN kernels glorot_normal, LSTM has no forget
    // bias, Adam takes the paper's ε form and RMSprop puts ε inside the root.
    private static Network<T> ProfileRnn(IBackend<T> backend, KerasProfile keras)
    {
        var net = new Sequential<T>(backend, seed: 17, keras: keras);
        net.Add(new Embedding<T>(7, 3, inputLength: 4));
        net.Add(new LSTM<T>(4));
        net.Add(new RepeatVector<T>(3));
        net.Add(new GRU<T>(3, returnSequences: true));
        net.Add(new TimeDistributed<T>(new Dense<T>(5, ActivationFunction.Softmax)));
        net.Compile(new Adam(0.01), new SparseCategoricalCrossentropy(), ["accuracy"]);
        return net;
    }

    private static Network<T> ProfileMlp(IBackend<T> backend, KerasProfile keras)
    {
        var net = new Sequential<T>(backend, seed: 19, keras: keras);
        net.Add(new Dense<T>(6, ActivationFunction.Tanh, inputDim: 5));
        net.Add(new BatchNormalization<T>());
        net.Add(new Dense<T>(2, ActivationFunction.Sigmoid));
        net.Compile(new RmsProp(0.01), new BinaryCrossentropy(), ["accuracy"]);
        return net;
    }

    [SkippableTheory]
    [InlineData("tf-2.15")]
    [InlineData("tfjs-4.22")]
    public void ProfileNetworks_TwoSteps_MatchCpu(string profile)
    {
        IBackend<T> gpu = Gpu;
        KerasProfile keras = KerasProfile.FromName(profile);
        var rng = new Random(12);
        (Tensor<T> sequences, Tensor<T> labels) = Sequences(rng);
        Network<T> cpuRnn = ProfileRnn(ReferenceBackend<T>.Instance, keras);
        TwoStepsMatch($"rnn {profile}", cpuRnn, ProfileRnn(gpu, keras), sequences, labels);
        // The profile was applied: the same network and data under the default profile end elsewhere.
        Network<T> defaults = ProfileRnn(ReferenceBackend<T>.Instance, KerasProfile.Default);
        defaults.Fit(sequences, labels, batchSize: 8, epochs: 1, seed: 5, verbose: 0);
        Assert.NotEqual(defaults.WeightsHash(), cpuRnn.WeightsHash());
        Tensor<T> x = RandomTensor(rng, 16, 5);
        var bits = new T[16 * 2];
        for (int i = 0; i < bits.Length; i++)
        {
            bits[i] = T.CreateChecked(rng.Next(2));
        }
        TwoStepsMatch($"mlp {profile}", ProfileMlp(ReferenceBackend<T>.Instance, keras), ProfileMlp(gpu, keras), x, Tensor<T>.FromArray(new Shape(16, 2), bits));
    }

    [SkippableFact]
    public void SaveLoadResume_OnTheDevice_GivesTheWeightsOfTheUninterruptedRun_AndNonFiniteWeightsAreFound()
    {
        // Adam's moments and iteration count and the dropout step travel through the file; the resumed device run ends
        // where two straight epochs on the device end (bitwise on the CPU accelerator, within the tolerance on CUDA).
        IBackend<T> gpu = Gpu;
        var rng = new Random(9);
        Tensor<T> x = RandomTensor(rng, 20, 8);
        var targets = new T[20 * 3];
        for (int r = 0; r < 20; r++)
        {
            targets[r * 3 + rng.Next(3)] = T.One;
        }
        Tensor<T> y = Tensor<T>.FromArray(new Shape(20, 3), targets);
        Network<T> straight = Mlp(gpu, "adam-cce-dropout");
        straight.Fit(x, y, batchSize: 8, epochs: 2, seed: 3, verbose: 0);
        Network<T> first = Mlp(gpu, "adam-cce-dropout");
        first.Fit(x, y, batchSize: 8, epochs: 1, seed: 3, verbose: 0);
        string file = Path.Combine(Path.GetTempPath(), $"refnet-ilgpu-resume-{Guid.NewGuid():N}.rfn");
        try
        {
            first.Save(file);
            Network<T> resumed = Network<T>.Load(file, gpu);
            Assert.Equal(3, resumed.Optimizer!.Iterations);
            resumed.Fit(x, y, batchSize: 8, epochs: 2, seed: 3, verbose: 0, initialEpoch: resumed.CompletedEpochs);
            for (int p = 0; p < straight.Parameters.Count; p++)
            {
                Tensor<T> expected = straight.Parameters[p].Value;
                double scale = expected.ToDoubleArray().Max(Math.Abs) + 1e-30;
                Same(expected, resumed.Parameters[p].Value, Enumerable.Repeat(scale, expected.Length).ToArray(), WeightTolerance,
                    $"resumed {straight.Parameters[p].Name}");
            }
            Assert.Null(resumed.FirstNonFiniteWeight());
            double[][] w = resumed.GetWeights();
            w[2][5] = double.PositiveInfinity;
            resumed.SetWeights(w);
            Assert.Equal($"'{resumed.Parameters[2].Name}' element 5 is Infinity", resumed.FirstNonFiniteWeight());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [SkippableFact]
    public void Fit_KeepsDataOnTheDevice_OnlyTheLossSumAndCountComeBack()
    {
        var gpu = (IlgpuBackend<T>)Gpu;
        var rng = new Random(8);
        Tensor<T> x = RandomTensor(rng, 20, 8);
        var targets = new T[20 * 3];
        for (int r = 0; r < 20; r++)
        {
            targets[r * 3 + rng.Next(3)] = T.One;
        }
        Network<T> net = Mlp(gpu, "adam-cce-dropout");
        Tensor<T> xd = net.ToBackend(x);
        Tensor<T> yd = net.ToBackend(Tensor<T>.FromArray(new Shape(20, 3), targets));
        long toHost = gpu.BytesToHost;
        long toDevice = gpu.BytesToDevice;
        net.Fit(xd, yd, batchSize: 8, epochs: 2, seed: 3, verbose: 0);
        int steps = 2 * 3;
        // Per step: one loss sum (a T) and one correct count (an int) down; the batch's row indices up.
        Assert.Equal(steps * (System.Runtime.CompilerServices.Unsafe.SizeOf<T>() + sizeof(int)), gpu.BytesToHost - toHost);
        Assert.Equal(2 * 2 * 20 * sizeof(int), gpu.BytesToDevice - toDevice);
    }

    /// <summary>The 8-6-4-3 MLP, with the loss, optimizer and regularizer the setup names.</summary>
    private static Network<T> Mlp(IBackend<T> backend, string setup)
    {
        Regularizer? reg = setup.EndsWith("-l2", StringComparison.Ordinal) ? Regularizer.LTwo(0.01)
            : setup.EndsWith("-l1", StringComparison.Ordinal) ? Regularizer.LOne(0.01) : null;
        ActivationFunction output = setup.Contains("cce") ? ActivationFunction.Softmax : ActivationFunction.Sigmoid;
        var net = new Sequential<T>(backend, seed: 5);
        net.Add(new Dense<T>(6, ActivationFunction.Relu, inputDim: 8, kernelRegularizer: reg));
        if (setup.Contains("dropout"))
        {
            net.Add(new Dropout<T>(0.25));
        }
        net.Add(new Dense<T>(4, ActivationFunction.Tanh));
        net.Add(new Dense<T>(3, output));
        Optimizer optimizer = setup.Split('-')[0] switch
        {
            "adam" => new Adam(learningRate: 0.01),
            "sgd" => new Sgd(learningRate: 0.1, momentum: 0.9, nesterov: true),
            "rmsprop" => new RmsProp(learningRate: 0.01),
            _ => new AdaGrad(learningRate: 0.1),
        };
        Loss loss = setup.Split('-')[1] switch
        {
            "cce" => new CategoricalCrossentropy(),
            "bce" => new BinaryCrossentropy(),
            "mse" => new MeanSquaredError(),
            _ => new MeanAbsoluteError(),
        };
        net.Compile(optimizer, loss, ["accuracy"]);
        return net;
    }

    /// <summary>Bitwise equal on the CPU accelerator; within <paramref name="relative"/>·M on CUDA.</summary>
    private void Same(Tensor<T> expected, Tensor<T> actual, double[] magnitude, double relative, string what)
    {
        if (_cuda)
        {
            Equivalence.AssertClose(expected.ToDoubleArray(), actual.ToDoubleArray(), magnitude, relative, what);
        }
        else
        {
            Equivalence.AssertBitwise<T>(expected.ToArray(), actual.ToArray(), what);
        }
    }

    private static Tensor<T> Upload(IBackend<T> backend, Tensor<T> host)
    {
        Tensor<T> t = backend.Allocate(host.Shape);
        backend.CopyFromHost(host.ToArray(), t);
        return t;
    }

    /// <summary>A coarse magnitude for a layer output: (largest |value| + 1)·terms, per element.</summary>
    private static double[] Magnitude(Tensor<T> t, double terms)
    {
        double scale = (t.ToDoubleArray().Max(Math.Abs) + 1.0) * terms;
        return Enumerable.Repeat(scale, t.Length).ToArray();
    }
}

[Collection("Ilgpu")]
public sealed class CpuAcceleratorFloatTrainingTests(IlgpuFixture fixture) : TrainingEquivalenceTests<float>(fixture, IlgpuDevice.Cpu);

[Collection("Ilgpu")]
public sealed class CpuAcceleratorDoubleTrainingTests(IlgpuFixture fixture) : TrainingEquivalenceTests<double>(fixture, IlgpuDevice.Cpu);

[Collection("Ilgpu")]
public sealed class CudaFloatTrainingTests(IlgpuFixture fixture) : TrainingEquivalenceTests<float>(fixture, IlgpuDevice.Cuda);

[Collection("Ilgpu")]
public sealed class CudaDoubleTrainingTests(IlgpuFixture fixture) : TrainingEquivalenceTests<double>(fixture, IlgpuDevice.Cuda);

/// <summary>The CUDA GEMM kernel (shared-memory tiles, 4 × 4 here) on the CPU accelerator, which honours its barriers.</summary>
[Collection("Ilgpu")]
public sealed class CpuAcceleratorTiledGemmFloatTrainingTests(IlgpuFixture fixture) : TrainingEquivalenceTests<float>(fixture, IlgpuDevice.Cpu, IlgpuGemm.Tiled);

[Collection("Ilgpu")]
public sealed class CpuAcceleratorTiledGemmDoubleTrainingTests(IlgpuFixture fixture) : TrainingEquivalenceTests<double>(fixture, IlgpuDevice.Cpu, IlgpuGemm.Tiled);
