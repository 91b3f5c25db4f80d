// Exact resume and the NaN policy of training: 2 + 2 epochs, and save → load → 2 more, give bitwise the weights of 4
// straight epochs (optimizer slots, iteration count, dropout steps and the replayed shuffles all saved or derived);
// Optimizer.FromConfig round trips; ModelCheckpoint never writes a non-finite model; TerminateOnNaN checks the weights.
using RefNet.Activations;
using RefNet.Callbacks;
using RefNet.Engine;
using RefNet.Layers;
using RefNet.Losses;
using RefNet.Optimizers;
using RefNet.Serialization;
using RefNet.Tensors;
using Xunit;

namespace RefNet.Tests.Unit.Training;

public sealed class ResumeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("refnet-resume-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (Tensor<double> X, Tensor<double> Y) Data()
    {
        // 23 samples, 3 features, 3 classes (one-hot), from a fixed generator: batches of 5 leave a partial one.
        var random = new Random(42);
        var x = new Tensor<double>(23, 3);
        var y = new Tensor<double>(23, 3);
        for (int i = 0; i < 23; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                x.Span[(i * 3) + j] = (random.NextDouble() * 2) - 1;
            }
            y.Span[(i * 3) + random.Next(3)] = 1;
        }
        return (x, y);
    }

    private static Optimizer MakeOptimizer(string name) => name switch
    {
        "sgd" => new Sgd(0.1, momentum: 0.9, nesterov: true, decay: 0.01),
        "rmsprop" => new RmsProp(0.01),
        "adam" => new Adam(0.01, decay: 0.001),
        "adagrad" => new AdaGrad(0.1),
        _ => new Adadelta(1.0),
    };

    private static Network<double> Model(string optimizer)
    {
        var net = new Sequential<double>(seed: 7);
        net.Add(new Dense<double>(6, ActivationFunction.Relu, inputDim: 3));
        net.Add(new Dropout<double>(0.3));
        net.Add(new Dense<double>(3, ActivationFunction.Softmax));
        net.Compile(MakeOptimizer(optimizer), new CategoricalCrossentropy(), ["accuracy"]);
        return net;
    }

    private static History Fit(Network<double> net, int epochs, int initialEpoch = 0, IEnumerable<Callback>? callbacks = null)
    {
        (Tensor<double> x, Tensor<double> y) = Data();
        return net.Fit(x, y, batchSize: 5, epochs: epochs, shuffle: true, seed: 11, verbose: 0, initialEpoch: initialEpoch, callbacks: callbacks);
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("rmsprop")]
    [InlineData("adam")]
    [InlineData("adagrad")]
    [InlineData("adadelta")]
    public void TwoPlusTwoEpochs_AndSaveLoadResume_GiveBitwiseTheWeightsOfFourStraight(string optimizer)
    {
        Network<double> straight = Model(optimizer);
        History full = Fit(straight, 4);

        Network<double> split = Model(optimizer);
        Fit(split, 2);
        History rest = Fit(split, 4, initialEpoch: 2);
        Assert.Equal(straight.WeightsHash(), split.WeightsHash());
        Assert.Equal([2, 3], rest.Epochs);
        Assert.Equal(full["loss"].Skip(2), rest["loss"]); // the same batches, masks and steps: the same losses

        string file = Path.Combine(_dir, $"{optimizer}.rfn");
        Network<double> first = Model(optimizer);
        Fit(first, 2);
        first.Save(file);
        Network<double> loaded = Network<double>.Load(file);
        Assert.Equal(2, loaded.CompletedEpochs);
        Assert.Equal(first.Optimizer!.Iterations, loaded.Optimizer!.Iterations);
        Assert.Equal(first.Optimizer.GetConfig(), loaded.Optimizer.GetConfig());
        Assert.Equal(["acc"], loaded.Metrics);
        Assert.IsType<CategoricalCrossentropy>(loaded.Loss);
        Fit(loaded, 4, initialEpoch: loaded.CompletedEpochs);
        Assert.Equal(straight.WeightsHash(), loaded.WeightsHash());

        // Without the training state (Keras include_optimizer=False, then compile again) the run differs: the test can fail.
        first.Save(file, includeOptimizer: false);
        Network<double> bare = Network<double>.Load(file);
        Assert.Null(bare.Optimizer);
        bare.Compile(MakeOptimizer(optimizer), new CategoricalCrossentropy(), ["accuracy"]);
        Fit(bare, 4, initialEpoch: 2);
        Assert.NotEqual(straight.WeightsHash(), bare.WeightsHash());
    }

    private static Network<double> BatchNormModel(bool frozen)
    {
        // Keras 2.2.5's BatchNormalization zero-debiases its moving statistics: shadows and a step count outside the
        // parameters; a Dropout inside TimeDistributed keeps its own mask step; one kernel frozen (Trainable = false).
        var net = new Sequential<double>(seed: 5, keras: RefNet.Conventions.KerasProfile.FromName("2.2.5"));
        net.Add(new Dense<double>(6, ActivationFunction.Tanh, inputDim: 3));
        net.Add(new BatchNormalization<double>(momentum: 0.8));
        net.Add(new Reshape<double>([2, 3]));
        net.Add(new TimeDistributed<double>(new Dropout<double>(0.25)));
        net.Add(new Flatten<double>());
        net.Add(new Dense<double>(3, ActivationFunction.Softmax));
        if (frozen)
        {
            net.Parameters[0].Trainable = false;
        }
        net.Compile(new Adam(0.01), new CategoricalCrossentropy(), ["accuracy"]);
        return net;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ZeroDebiasedBatchNorm_NestedDropout_AndFrozenWeights_ResumeBitwise(bool frozen)
    {
        Network<double> straight = BatchNormModel(frozen);
        Fit(straight, 4);
        Network<double> first = BatchNormModel(frozen);
        Fit(first, 2);
        string file = Path.Combine(_dir, "bn.rfn");
        first.Save(file);
        Network<double> loaded = Network<double>.Load(file);
        Assert.Equal(!frozen, loaded.Parameters[0].Trainable);
        Assert.NotNull(loaded.Layers[1].GetTrainingState());
        Assert.Equal(10ul, ((Dropout<double>)((TimeDistributed<double>)loaded.Layers[3]).Inner).Step);
        Fit(loaded, 4, initialEpoch: 2);
        Assert.Equal(straight.WeightsHash(), loaded.WeightsHash());
        if (frozen)
        {
            Assert.Equal(BatchNormModel(frozen).Parameters[0].Value.ToArray(), loaded.Parameters[0].Value.ToArray()); // never moved
        }
    }

    [Fact]
    public void WithoutTheBatchNormShadows_TheResumedRunDiffers()
    {
        // The layer state is what makes the previous test pass: dropping it (a fresh layer state) changes the weights.
        Network<double> straight = BatchNormModel(frozen: false);
        Fit(straight, 4);
        Network<double> first = BatchNormModel(frozen: false);
        Fit(first, 2);
        string file = Path.Combine(_dir, "bn2.rfn");
        first.Save(file);
        Network<double> loaded = Network<double>.Load(file);
        loaded.Layers[1].RestoreTrainingState(new LayerState<double>(new Dictionary<string, ulong> { ["debias_steps"] = 0 }, new Dictionary<string, double[]>()));
        Fit(loaded, 4, initialEpoch: 2);
        Assert.NotEqual(straight.WeightsHash(), loaded.WeightsHash());
    }

    /// <summary>Stops training after a given batch of a given epoch.</summary>
    private sealed class StopAt(int epoch, int batch) : Callback
    {
        private int _epoch;

        public override void OnEpochBegin(int e) => _epoch = e;

        public override void OnBatchEnd(int b, IReadOnlyDictionary<string, double> logs)
        {
            if (_epoch == epoch && b == batch)
            {
                RequireModel().StopTraining = true;
            }
        }
    }

    [Fact]
    public void ModelCheckpoint_SkipsAnEpochThatACallbackCutShort_AndKeepsTheLastCompleteOne()
    {
        string file = Path.Combine(_dir, "e-{epoch:02d}.rfn");
        var log = new StringWriter();
        var checkpoint = new ModelCheckpoint(file, log: log);
        Network<double> net = Model("rmsprop");
        Fit(net, 4, callbacks: [new StopAt(epoch: 1, batch: 2), checkpoint]);
        Assert.Equal([Path.Combine(_dir, "e-01.rfn")], checkpoint.SavedPaths);
        Assert.Equal([2], checkpoint.SkippedIncomplete);
        Assert.Contains("Epoch 2: not saving", log.ToString());
        Assert.Contains("training stopped inside the epoch", log.ToString());
        Assert.Equal(1, net.CompletedEpochs);
    }

    private sealed class HalfMse() : Loss(Reduction.SumOverBatchSize, 1e-7)
    {
        private readonly MeanSquaredError _mse = new();

        public override string Name => "half_mse";

        protected override void PerSampleCore<T>(RefNet.Backends.IBackend<T> backend, Tensor<T> predictions, Tensor<T> targets, Tensor<T> perSample, T epsilon, T columns) =>
            _mse.PerSample(backend, predictions, targets, perSample);

        protected override void ScaledGradientCore<T>(RefNet.Backends.IBackend<T> backend, Tensor<T> predictions, Tensor<T> targets, T scale, Tensor<T> gradient) =>
            _mse.ScaledGradient(backend, predictions, targets, scale, gradient);
    }

    [Fact]
    public void ACustomLoss_CannotBeSavedWithTheState_SaveSaysSo_AndModelCheckpointSavesWithoutIt()
    {
        var net = new Sequential<double>(seed: 2);
        net.Add(new Dense<double>(1, ActivationFunction.Linear, inputDim: 3));
        net.Compile(new Sgd(0.1), new HalfMse());
        Assert.Contains("the loss is a custom class (HalfMse)", net.TrainingStateUnsupported);
        string file = Path.Combine(_dir, "custom.rfn");
        var e = Assert.Throws<NotSupportedException>(() => net.Save(file));
        Assert.Contains("includeOptimizer: false", e.Message);
        var log = new StringWriter();
        (Tensor<double> x, _) = Data();
        net.Fit(x, Tensor<double>.FromArray(new Shape(23, 1), new double[23]), batchSize: 5, epochs: 2, verbose: 0, callbacks: [new ModelCheckpoint(file, log: log)]);
        Assert.Single(log.ToString().Split('\n'), l => l.Contains("saving without the training state", StringComparison.Ordinal));
        Assert.Null(Network<double>.Load(file).Optimizer);
    }

    [Theory]
    [InlineData("wrong slot count", "adam keeps 2 state tensor(s) per parameter, got 1 for 'dense_1/kernel'")]
    [InlineData("huge slot count", "does not fit the")]
    [InlineData("negative epochs", "completed_epochs is -1")]
    [InlineData("duplicate key", "training state is not valid")]
    [InlineData("unknown layer", "layer_states names 'nope'")]
    public void HostileTrainingStates_AreModelFileExceptions(string kind, string expected)
    {
        Network<double> net = Model("adam");
        Fit(net, 1);
        string good = Path.Combine(_dir, "good.rfn");
        net.Save(good);
        WeightsFile.Contents c = WeightsFile.Read(good);
        string state = c.StateJson!;
        List<WeightsFile.Entry> entries = [.. c.Entries];
        List<double[]> values = [.. Enumerable.Range(0, entries.Count).Select(i => c.Values<double>(i).ToArray())];
        switch (kind)
        {
            case "wrong slot count":
                // Parameter 0 gets one Adam slot instead of two: its second moment's entry is dropped.
                int at = state.IndexOf("\"count\":2", StringComparison.Ordinal);
                state = string.Concat(state.AsSpan(0, at), "\"count\":1", state.AsSpan(at + 9));
                int drop = entries.FindIndex(e => e.Name == $"optimizer/{net.Parameters[0].Name}/1");
                entries.RemoveAt(drop);
                values.RemoveAt(drop);
                break;
            case "huge slot count":
                state = state.Replace("\"count\":2", $"\"count\":{int.MaxValue}", StringComparison.Ordinal);
                break;
            case "negative epochs":
                state = state.Replace("\"completed_epochs\":1", "\"completed_epochs\":-1", StringComparison.Ordinal);
                break;
            case "duplicate key":
                state = state.Replace("\"iterations\":", "\"iterations\":1,\"iterations\":", StringComparison.Ordinal);
                break;
            default:
                state = state.Replace("\"layer_states\":{", "\"layer_states\":{\"nope\":{\"counters\":{},\"tensors\":[]},", StringComparison.Ordinal);
                break;
        }
        Assert.NotEqual(c.StateJson, state);
        string bad = Path.Combine(_dir, "bad.rfn");
        WeightsFile.Write(bad, c.ConfigJson, entries, values, state);
        var e = Assert.Throws<ModelFileException>(() => Network<double>.Load(bad));
        Assert.True(e.Message.Contains(expected, StringComparison.Ordinal), e.Message);
        Assert.Contains("bad.rfn", e.Message);
    }

    [Fact]
    public void ResumeWithoutReplayingTheShuffles_OrTheDropoutSteps_Differs()
    {
        // What each saved piece is for: a fresh Fit (initialEpoch 0) of the loaded network reshuffles from the start,
        // and resetting the dropout step draws the first masks again; either gives other weights than 4 straight epochs.
        Network<double> straight = Model("adam");
        Fit(straight, 4);
        string file = Path.Combine(_dir, "adam.rfn");
        Network<double> first = Model("adam");
        Fit(first, 2);
        first.Save(file);

        Network<double> noReplay = Network<double>.Load(file);
        Fit(noReplay, 2);
        Assert.NotEqual(straight.WeightsHash(), noReplay.WeightsHash());

        Network<double> freshMasks = Network<double>.Load(file);
        var dropout = (Dropout<double>)freshMasks.Layers[1];
        Assert.Equal(10ul, dropout.Step); // 2 epochs × ⌈23/5⌉ batches
        dropout.Step = 0;
        Fit(freshMasks, 4, initialEpoch: 2);
        Assert.NotEqual(straight.WeightsHash(), freshMasks.WeightsHash());
    }

    [Fact]
    public void FileVersions_StayOneWithoutState_AndTwoWithIt_AndLoadWeightsReadsBoth()
    {
        Network<double> net = Model("rmsprop");
        Fit(net, 1);
        string model = Path.Combine(_dir, "m.rfn"), weights = Path.Combine(_dir, "w.rfn"), bare = Path.Combine(_dir, "b.rfn");
        net.Save(model);
        net.SaveWeights(weights);
        net.Save(bare, includeOptimizer: false);
        Assert.Equal(2, BitConverter.ToInt32(File.ReadAllBytes(model), 4));
        Assert.Equal(1, BitConverter.ToInt32(File.ReadAllBytes(weights), 4));
        Assert.Equal(1, BitConverter.ToInt32(File.ReadAllBytes(bare), 4));
        Assert.Null(WeightsFile.Read(bare).StateJson);
        // The state file holds 4 parameters and one RMSprop accumulator per parameter.
        WeightsFile.Contents contents = WeightsFile.Read(model);
        Assert.Equal(8, contents.Entries.Count);
        Assert.Equal("optimizer/" + net.Parameters[0].Name + "/0", contents.Entries[4].Name);
        Network<double> other = Model("rmsprop");
        other.LoadWeights(model);
        Assert.Equal(net.WeightsHash(), other.WeightsHash());
    }

    [Fact]
    public void AnInconsistentTrainingState_IsAModelFileException_NamingIt()
    {
        Network<double> net = Model("adam");
        Fit(net, 1);
        string path = Path.Combine(_dir, "bad.rfn");
        var entries = net.Parameters.Select(p => new WeightsFile.Entry(p.Name, p.Value.Shape.ToArray())).ToList();
        var values = net.Parameters.Select(p => p.Value.ToArray()).ToList();
        WeightsFile.Write(path, ModelConfig.ToJson(net), entries, values, "{\"format\": \"refnet-training-state/1\", \"parameter_entries\": 9}");
        var e = Assert.Throws<ModelFileException>(() => Network<double>.Load(path));
        Assert.Contains("bad.rfn", e.Message);
        Assert.Contains("9 parameter entries", e.Message);
        WeightsFile.Write(path, ModelConfig.ToJson(net), entries, values, "{\"format\": \"refnet-training-state/1\", \"parameter_entries\": 4}");
        var e2 = Assert.Throws<ModelFileException>(() => Network<double>.Load(path));
        Assert.Contains("training state is not valid", e2.Message);
    }

    [Fact]
    public void InitialEpoch_Negative_IsRefused_AndAtOrBeyondEpochs_TrainsNothing()
    {
        Network<double> net = Model("sgd");
        Assert.Throws<ArgumentOutOfRangeException>(() => Fit(net, 2, initialEpoch: -1));
        string before = net.WeightsHash();
        History h = Fit(net, 2, initialEpoch: 2);
        Assert.Empty(h.Epochs);
        Assert.Equal(before, net.WeightsHash());
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("rmsprop")]
    [InlineData("adam")]
    [InlineData("adagrad")]
    [InlineData("adadelta")]
    public void Optimizer_FromConfig_RebuildsTheSameConfig(string name)
    {
        Optimizer o = MakeOptimizer(name);
        o.Keras = RefNet.Conventions.KerasProfile.FromName("tfjs-4.22"); // ε placement and Adam's form come from the profile here
        Optimizer again = Optimizer.FromConfig(o.GetConfig());
        Assert.Equal(o.GetConfig(), again.GetConfig());
        Assert.Equal(o.GetType(), again.GetType());
        var config = o.GetConfig();
        config["momentun"] = 0.5;
        Assert.Contains("unknown key 'momentun'", Assert.Throws<ArgumentException>(() => Optimizer.FromConfig(config)).Message);
        Assert.Contains("Unknown optimizer 'nadamx'", Assert.Throws<ArgumentException>(() => Optimizer.FromConfig(new Dictionary<string, object?> { ["name"] = "nadamx", ["learning_rate"] = 0.1 })).Message);
    }

    // ---- NaN policy ----------------------------------------------------------------------------

    /// <summary>Writes NaN into the first kernel at a chosen epoch end or batch end.</summary>
    private sealed class Poison(int? epoch = null, int? batch = null) : Callback
    {
        private void Spoil()
        {
            double[][] w = RequireModel().GetWeights();
            w[0][0] = double.NaN;
            RequireModel().SetWeights(w);
        }

        public override void OnEpochEnd(int e, IDictionary<string, double> logs)
        {
            if (e == epoch)
            {
                Spoil();
            }
        }

        public override void OnBatchEnd(int b, IReadOnlyDictionary<string, double> logs)
        {
            if (b == batch)
            {
                Spoil();
                batch = null;
            }
        }
    }

    [Fact]
    public void ModelCheckpoint_NeverWritesANonFiniteModel_AndKeepsTheLastGoodFile()
    {
        string file = Path.Combine(_dir, "ckpt.rfn");
        var log = new StringWriter();
        var checkpoint = new ModelCheckpoint(file, log: log);
        Network<double> net = Model("adam");
        Fit(net, 3, callbacks: [new Poison(epoch: 1), checkpoint]);
        Assert.Equal([file], checkpoint.SavedPaths); // epoch 1 only
        Assert.Equal(2, checkpoint.SkippedNonFinite.Count);
        Assert.Equal(2, checkpoint.SkippedNonFinite[0].Epoch);
        Assert.Contains($"'{net.Parameters[0].Name}' element", checkpoint.SkippedNonFinite[0].Weight);
        Assert.Contains($"Epoch 2: not saving {file}: weight '{net.Parameters[0].Name}' element", log.ToString());
        Assert.Contains($"{file} is kept", log.ToString());
        Network<double> kept = Network<double>.Load(file);
        Assert.Null(kept.FirstNonFiniteWeight());
        Assert.Equal(1, kept.CompletedEpochs);
    }

    [Fact]
    public void TerminateOnNaN_StopsOnANonFiniteWeight_EvenWhileTheLossIsFinite()
    {
        var log = new StringWriter();
        var nan = new TerminateOnNaN(log);
        Network<double> net = Model("sgd");
        History h = Fit(net, 3, callbacks: [new Poison(batch: 0), nan]);
        Assert.Equal(0, nan.TerminatedAtBatch);
        Assert.True(double.IsFinite(h["loss"][0])); // the batch's loss was computed before the weight went bad
        Assert.StartsWith($"weight '{net.Parameters[0].Name}' element 0 is NaN", nan.Reason);
        Assert.Contains("Batch 0: Invalid weight", log.ToString());
        Assert.Equal(1, net.Optimizer!.Iterations);

        // Checking only the loss (Keras' rule), training goes on until a loss is NaN: one batch later.
        var lossOnly = new TerminateOnNaN(TextWriter.Null, checkWeights: false);
        Network<double> other = Model("sgd");
        Fit(other, 3, callbacks: [new Poison(batch: 0), lossOnly]);
        Assert.Equal(1, lossOnly.TerminatedAtBatch);
        Assert.StartsWith("loss NaN", lossOnly.Reason);
    }

    [Fact]
    public void ANaNInTheData_OfAReluNetwork_StopsTraining_AndTheGoodCheckpointSurvives()
    {
        // The reliability report's case: one NaN input cell. ReLU propagates NaN (as TensorFlow), so the batch loss is
        // NaN, TerminateOnNaN stops, and the checkpoint of the last good epoch is not overwritten.
        string file = Path.Combine(_dir, "good.rfn");
        Network<double> net = Model("adam");
        (Tensor<double> x, Tensor<double> y) = Data();
        net.Fit(x, y, batchSize: 5, epochs: 2, seed: 11, verbose: 0, callbacks: [new ModelCheckpoint(file, log: TextWriter.Null)]);
        string good = net.WeightsHash();
        x.Span[10] = double.NaN;
        var nan = new TerminateOnNaN(TextWriter.Null);
        var checkpoint = new ModelCheckpoint(file, log: TextWriter.Null);
        net.Fit(x, y, batchSize: 5, epochs: 4, seed: 11, verbose: 0, initialEpoch: 2, callbacks: [nan, checkpoint]);
        Assert.NotEqual(-1, nan.TerminatedAtBatch);
        Assert.StartsWith("loss NaN", nan.Reason);
        Assert.NotNull(net.FirstNonFiniteWeight());
        Assert.Empty(checkpoint.SavedPaths);
        Assert.Single(checkpoint.SkippedIncomplete); // the epoch was cut short (and its weights are NaN): not saved
        Assert.Equal(good, Network<double>.Load(file).WeightsHash());
    }
}
