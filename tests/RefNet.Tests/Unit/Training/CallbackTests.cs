// Callbacks: hook order and counts, EarlyStopping (patience, min_delta, restore), LearningRateScheduler,
// ModelCheckpoint (path formatting, save-best-only), CsvLogger and TerminateOnNaN.
using RefNet.Activations;
using System.Globalization;
using RefNet.Backends;
using RefNet.Callbacks;
using RefNet.Engine;
using RefNet.Layers;
using RefNet.Losses;
using RefNet.Optimizers;
using RefNet.Tensors;
using Xunit;

namespace RefNet.Tests.Unit.Training;

public sealed class CallbackTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("refnet-callbacks-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly Tensor<double> X = Tensor<double>.FromRows(new double[,] { { 0.5, -1 }, { 1.5, 0.25 }, { -0.75, 2 }, { 0.1, 0.3 }, { 2, -0.5 } });
    private static readonly Tensor<double> Y = Tensor<double>.FromRows(new double[,] { { 0.3 }, { 1.2 }, { -0.4 }, { 0.05 }, { 1.7 } });

    private static Network<double> Linear(double lr)
    {
        var net = new Network<double>();
        net.Add(new Dense<double>(1, ActivationFunction.Linear, inputDim: 2));
        net.SetWeights([[0.2, -0.1], [0.05]]);
        net.Compile(new Sgd(learningRate: lr), new MeanSquaredError());
        return net;
    }

    /// <summary>Records every hook call and the weights at each epoch end.</summary>
    private sealed class Recorder : Callback
    {
        public List<string> Calls { get; } = [];

        public List<double[][]> EpochWeights { get; } = [];

        public List<Dictionary<string, double>> BatchLogs { get; } = [];

        public override void OnTrainBegin() => Calls.Add("train_begin");

        public override void OnTrainEnd() => Calls.Add("train_end");

        public override void OnEpochBegin(int epoch) => Calls.Add($"epoch_begin {epoch}");

        public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
        {
            Calls.Add($"epoch_end {epoch}");
            EpochWeights.Add(RequireModel().GetWeights());
        }

        public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, double> logs)
        {
            Calls.Add($"batch_end {batch}");
            BatchLogs.Add(new Dictionary<string, double>(logs));
        }
    }

    [Fact]
    public void Hooks_AreCalledInKerasOrder()
    {
        var rec = new Recorder();
        Linear(0.01).Fit(X, Y, batchSize: 2, epochs: 2, shuffle: false, verbose: 0, callbacks: [rec]);
        string[] expected =
        [
            "train_begin",
            "epoch_begin 0", "batch_end 0", "batch_end 1", "batch_end 2", "epoch_end 0",
            "epoch_begin 1", "batch_end 0", "batch_end 1", "batch_end 2", "epoch_end 1",
            "train_end",
        ];
        Assert.Equal(expected, rec.Calls);
        Assert.Equal([2.0, 2.0, 1.0], rec.BatchLogs.Take(3).Select(l => l["size"]));
        Assert.Equal(2.0, rec.BatchLogs[2]["batch"]);
        Assert.True(rec.BatchLogs.All(l => l.ContainsKey("loss")));
    }

    [Fact]
    public void BatchLosses_AverageToTheEpochLoss_WeightedBySize()
    {
        var rec = new Recorder();
        History h = Linear(0.01).Fit(X, Y, batchSize: 2, epochs: 1, shuffle: false, verbose: 0, callbacks: [rec]);
        double weighted = rec.BatchLogs.Sum(l => l["loss"] * l["size"]) / 5;
        Assert.Equal(weighted, h["loss"][0], 14);
    }

    [Fact]
    public void EarlyStopping_StopsAfterPatienceEpochsWithoutImprovement()
    {
        // lr = 0: the loss never changes, so only epoch 0 improves (on +∞).
        var stop = new EarlyStopping(monitor: "loss", patience: 2);
        History h = Linear(0).Fit(X, Y, batchSize: 5, epochs: 10, verbose: 0, callbacks: [stop]);
        Assert.Equal(3, h["loss"].Count);
        Assert.Equal(2, stop.StoppedEpoch);
    }

    [Fact]
    public void EarlyStopping_Baseline_MustBeBeaten()
    {
        // lr = 0 keeps the loss constant; a baseline below it means no epoch ever improves.
        Network<double> net = Linear(0);
        double loss = net.Evaluate(X, Y).Loss;
        var stop = new EarlyStopping(monitor: "loss", patience: 2, baseline: loss / 2);
        History h = Linear(0).Fit(X, Y, batchSize: 5, epochs: 10, verbose: 0, callbacks: [stop]);
        Assert.Equal(2, h["loss"].Count);
    }

    [Fact]
    public void EarlyStopping_MinDelta_IgnoresSmallImprovements()
    {
        // A tiny learning rate improves the loss by far less than minDelta each epoch.
        var stop = new EarlyStopping(monitor: "loss", minDelta: 0.5, patience: 1);
        History h = Linear(1e-4).Fit(X, Y, batchSize: 5, epochs: 10, verbose: 0, callbacks: [stop]);
        Assert.True(h["loss"][1] < h["loss"][0]);
        Assert.Equal(2, h["loss"].Count);

        var patient = new EarlyStopping(monitor: "loss", minDelta: 0, patience: 1);
        History all = Linear(1e-4).Fit(X, Y, batchSize: 5, epochs: 4, verbose: 0, callbacks: [patient]);
        Assert.Equal(4, all["loss"].Count);
        Assert.Equal(-1, patient.StoppedEpoch);
    }

    [Fact]
    public void EarlyStopping_RestoreBestWeights_PutsBackTheBestEpoch()
    {
        // lr = 1.5 diverges: epoch 0 reports the lowest loss, later epochs grow.
        var rec = new Recorder();
        var stop = new EarlyStopping(monitor: "loss", patience: 2, restoreBestWeights: true);
        Network<double> net = Linear(1.5);
        History h = net.Fit(X, Y, batchSize: 5, epochs: 10, verbose: 0, callbacks: [rec, stop]);
        Assert.True(h["loss"][1] > h["loss"][0] && h["loss"][2] > h["loss"][0]);
        Assert.Equal(3, h["loss"].Count);
        Assert.Equal(rec.EpochWeights[0], net.GetWeights());
        Assert.NotEqual(rec.EpochWeights[2], net.GetWeights());
    }

    [Fact]
    public void EarlyStopping_AutoMode_MaximisesAccuracy()
    {
        Assert.True(Callback.ResolveMaximise("auto", "val_acc"));
        Assert.False(Callback.ResolveMaximise("auto", "val_loss"));
        Assert.False(Callback.ResolveMaximise("min", "acc"));
        Assert.Throws<ArgumentException>(() => new EarlyStopping(mode: "sideways"));
    }

    [Fact]
    public void LearningRateScheduler_SetsTheRateEachEpoch_AndLogsIt()
    {
        var rec = new Recorder();
        var schedule = new LearningRateScheduler((epoch, lr) => epoch == 1 ? 0 : 0.05);
        Network<double> net = Linear(0.3);
        History h = net.Fit(X, Y, batchSize: 2, epochs: 3, verbose: 0, callbacks: [schedule, rec]);
        Assert.Equal([0.05, 0.0, 0.05], h["lr"]);
        Assert.Equal(rec.EpochWeights[0], rec.EpochWeights[1]); // lr 0 in epoch 1: no change
        Assert.NotEqual(rec.EpochWeights[1], rec.EpochWeights[2]);

        var halving = new LearningRateScheduler((_, lr) => lr / 2);
        History hh = Linear(0.4).Fit(X, Y, epochs: 3, verbose: 0, callbacks: [halving]);
        Assert.Equal([0.2, 0.1, 0.05], hh["lr"]);
    }

    [Fact]
    public void ModelCheckpoint_FormatsPathsLikePython()
    {
        var logs = new Dictionary<string, double> { ["val_loss"] = 0.123456, ["acc"] = 0.9 };
        Assert.Equal("w-03-0.1235.bin", ModelCheckpoint.FormatPath("w-{epoch:02d}-{val_loss:.4f}.bin", 3, logs));
        Assert.Equal("e12.bin", ModelCheckpoint.FormatPath("e{epoch}.bin", 12, logs));
        Assert.Equal("e  7-1.2346e-01", ModelCheckpoint.FormatPath("e{epoch:3d}-{val_loss:.4e}", 7, logs));
        Assert.Throws<ArgumentException>(() => ModelCheckpoint.FormatPath("{val_loss:4f}", 1, logs));
        var ex = Assert.Throws<ArgumentException>(() => ModelCheckpoint.FormatPath("{val_acc:.2f}", 1, logs));
        Assert.Contains("val_acc", ex.Message);
    }

    [Fact]
    public void ModelCheckpoint_SavesEveryEpoch_OrOnlyImprovements()
    {
        var every = new ModelCheckpoint(Path.Combine(_dir, "all-{epoch:02d}.bin"), saveWeightsOnly: true);
        var rec = new Recorder();
        Network<double> net = Linear(0.05);
        net.Fit(X, Y, batchSize: 5, epochs: 3, verbose: 0, callbacks: [every, rec]);
        Assert.Equal(["all-01.bin", "all-02.bin", "all-03.bin"], every.SavedPaths.Select(Path.GetFileName));
        Network<double> restored = Linear(0);
        restored.LoadWeights(every.SavedPaths[1]);
        Assert.Equal(rec.EpochWeights[1], restored.GetWeights());

        // Diverging run: only epoch 1 (the best loss) is saved, as a whole model.
        var best = new ModelCheckpoint(Path.Combine(_dir, "best.bin"), monitor: "loss", saveBestOnly: true);
        var rec2 = new Recorder();
        Linear(1.5).Fit(X, Y, batchSize: 5, epochs: 3, verbose: 0, callbacks: [best, rec2]);
        Assert.Single(best.SavedPaths);
        Assert.Equal(rec2.EpochWeights[0], Network<double>.Load(best.SavedPaths[0]).GetWeights());
    }

    [Fact]
    public void CsvLogger_WritesEpochAndSortedKeys_AndAppends()
    {
        string path = Path.Combine(_dir, "log.csv");
        Network<double> net = Linear(0.05);
        net.Compile(new Sgd(0.05), new MeanSquaredError(), ["mae"]);
        History h = net.Fit(X, Y, batchSize: 2, epochs: 2, verbose: 0, validationData: (X, Y), callbacks: [new CsvLogger(path)]);
        string[] lines = File.ReadAllLines(path);
        Assert.Equal("epoch,loss,mean_absolute_error,val_loss,val_mean_absolute_error", lines[0]);
        Assert.Equal(3, lines.Length);
        string[] row = lines[2].Split(',');
        Assert.Equal("1", row[0]);
        Assert.Equal(h["loss"][1], double.Parse(row[1], CultureInfo.InvariantCulture));
        Assert.Equal(h["val_mae"][1], double.Parse(row[4], CultureInfo.InvariantCulture));

        net.Fit(X, Y, batchSize: 2, epochs: 1, verbose: 0, validationData: (X, Y), callbacks: [new CsvLogger(path, append: true)]);
        string[] appended = File.ReadAllLines(path);
        Assert.Equal(4, appended.Length);
        Assert.StartsWith("0,", appended[3]);
    }

    [Fact]
    public void CsvLogger_UsesTheSeparator()
    {
        string path = Path.Combine(_dir, "log.tsv");
        Linear(0.05).Fit(X, Y, epochs: 1, verbose: 0, callbacks: [new CsvLogger(path, separator: '\t')]);
        Assert.Equal("epoch\tloss", File.ReadAllLines(path)[0]);
    }

    [Fact]
    public void TerminateOnNaN_StopsAfterTheFirstInvalidBatch()
    {
        var x = Tensor<double>.FromRows(new double[,] { { 0.5, double.NaN }, { 1, 2 }, { 3, 4 }, { 5, 6 } });
        var y = Tensor<double>.FromRows(new double[,] { { 1 }, { 2 }, { 3 }, { 4 } });
        Network<double> net = Linear(0.01);
        var log = new StringWriter();
        var nan = new TerminateOnNaN(log);
        History h = net.Fit(x, y, batchSize: 1, epochs: 5, shuffle: false, verbose: 0, callbacks: [nan]);
        Assert.Equal(0, nan.TerminatedAtBatch);
        Assert.Equal(1, net.Optimizer!.Iterations);
        Assert.Single(h["loss"]);
        Assert.True(double.IsNaN(h["loss"][0]));
        Assert.Contains("Batch 0: Invalid loss, terminating training", log.ToString());
    }
}
