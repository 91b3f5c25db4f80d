// The Keras training API on Network: Compile, Fit, Evaluate, Predict.
// Keras 2 semantics: ceil(N/batch) batches with the last partial batch kept; epoch loss and metrics
// are batch-size-weighted means of the per-batch values seen during training.
using System.Numerics;
using RefNet.Backends;
using RefNet.Callbacks;
using RefNet.Conventions;
using RefNet.Losses;
using RefNet.Metrics;
using RefNet.Optimizers;
using RefNet.Tensors;

namespace RefNet.Engine;

public partial class Network<T> : INetwork
{
    private int[] _order = [];

    private readonly Dictionary<int, BatchBuffers> _batchBuffers = new();
    private Metric[] _metrics = [];
    private int[] _identity = [];

    /// <summary>The optimizer set by <c>Compile</c>.</summary>
    public Optimizer? Optimizer { get; private set; }

    /// <summary>The loss set by <c>Compile</c>.</summary>
    public Loss? Loss { get; private set; }

    /// <summary>Keys of the compiled metrics in order, as Keras 2 reports them ("acc", "mean_squared_error", ...).</summary>
    public IReadOnlyList<string> Metrics { get; private set; } = [];

    /// <summary>The compiled metrics.</summary>
    public IReadOnlyList<Metric> CompiledMetrics => _metrics;

    /// <summary>Set by callbacks (EarlyStopping, TerminateOnNaN) to end <see cref="Fit"/> after the current batch.</summary>
    public bool StopTraining { get; set; }

    /// <summary>Chooses the optimizer, loss and metrics (Keras <c>compile</c>).</summary>
    /// <param name="optimizer">e.g. <c>new RmsProp()</c>.</param>
    /// <param name="loss">e.g. <c>new CategoricalCrossentropy()</c>.</param>
    /// <param name="metrics">Any of "accuracy" (or "acc"), "mse", "mae", "log_loss" (see <see cref="Metric.FromName"/>).</param>
    /// <param name="keras">A Keras profile for the network (see <see cref="Network{T}.Keras"/>); null keeps the network's.</param>
    /// <exception cref="ArgumentException">An unknown or repeated metric.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="keras"/> differs from the profile the layers were built under.</exception>
    /// <remarks>The optimizer and the loss take the network's Keras profile: it fills their unspecified defaults. Under a
    /// profile whose cross-entropy uses the logits after a softmax/sigmoid output (tf.keras 2.x), a probability
    /// cross-entropy after such a last layer is computed from that layer's logits, unclipped, as tf.keras does.</remarks>
    public void Compile(Optimizer optimizer, Loss loss, IEnumerable<string>? metrics = null, KerasProfile? keras = null)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(loss);
        var list = new List<Metric>();
        foreach (string name in metrics ?? [])
        {
            Metric m = Metric.FromName(name);
            if (list.Exists(existing => existing.Key == m.Key))
            {
                throw new ArgumentException($"Metric '{name}' is listed twice", nameof(metrics));
            }
            list.Add(m);
        }
        if (loss is SparseCategoricalCrossentropy && list.Find(m => m.Kind is MetricKind.MeanSquaredError or MetricKind.MeanAbsoluteError) is { } elementwise)
        {
            throw new ArgumentException($"Metric '{elementwise.Key}' compares targets and outputs element by element, but {loss.Name} takes class indices, " +
                "not rows of the output's shape; use categorical_crossentropy with one-hot targets for it", nameof(metrics));
        }
        bool logits = loss is BinaryCrossentropy { FromLogits: true } or CategoricalCrossentropy { FromLogits: true }
            or SparseCategoricalCrossentropy { FromLogits: true };
        if (logits && list.Exists(m => m.Kind == MetricKind.LogLoss))
        {
            throw new ArgumentException($"Metric 'log_loss' is the cross-entropy of probabilities, but this {loss.Name} takes logits (fromLogits); " +
                "use the loss itself, which History reports as 'loss'", nameof(metrics));
        }
        if (keras is not null)
        {
            Keras = keras; // after every argument check: a refused Compile changes nothing
        }
        optimizer.Keras = Keras;
        loss.Keras = Keras;
        Optimizer = optimizer;
        Loss = loss;
        _metrics = list.ToArray();
        Metrics = Array.ConvertAll(_metrics, m => m.Key);
    }

    /// <summary>Compiles from Keras names, e.g. ("rmsprop", "categorical_crossentropy", ["accuracy"]).</summary>
    /// <remarks>The optimizer gets its Keras defaults (<see cref="Optimizer.FromName"/>) under the network's profile.</remarks>
    public void Compile(string optimizer, string loss, IEnumerable<string>? metrics = null, KerasProfile? keras = null) =>
        Compile(Optimizer.FromName(optimizer), Losses.Loss.FromName(loss), metrics, keras);

    // tf.keras' _keras_logits: the from-logits twin of the last loss asked about (null for a loss without one).
    private (Loss Of, Loss? Twin)? _logitsTwin;

    private static Loss? LogitsTwin(Loss loss)
    {
        Loss? twin = loss switch
        {
            CategoricalCrossentropy { FromLogits: false } c => new CategoricalCrossentropy(c.Reduction, c.Epsilon, fromLogits: true),
            SparseCategoricalCrossentropy { FromLogits: false } c => new SparseCategoricalCrossentropy(c.Reduction, c.Epsilon, fromLogits: true),
            BinaryCrossentropy { FromLogits: false } c => new BinaryCrossentropy(c.Reduction, c.Epsilon, fromLogits: true),
            _ => null,
        };
        if (twin is not null)
        {
            twin.Keras = loss.Keras;
        }
        return twin;
    }

    /// <summary>What <paramref name="loss"/> reads for the latest forward pass under this network's profile: where the profile's
    /// cross-entropy uses the logits after a softmax/sigmoid output (tf.keras 2.x) and the last layer ends in softmax or
    /// sigmoid, the from-logits form of the loss and that layer's logits (<see cref="Layer{T}.OutputLogits"/>); otherwise
    /// <paramref name="loss"/> and <paramref name="prediction"/>.</summary>
    /// <remarks>As tf.keras 2.15's <c>_get_logits</c> (keras/backend.py l.5490–5522): the cached logits are used whichever of
    /// the two activations produced them, so categorical cross-entropy after a sigmoid output is computed as the softmax
    /// cross-entropy of its logits there too.</remarks>
    /// <returns>The loss to evaluate, its input, and whether that input is the logits (then backpropagate with
    /// <c>ofLogits: true</c>).</returns>
    public (Loss Loss, Tensor<T> Input, bool OfLogits) LossInput(Loss loss, Tensor<T> prediction)
    {
        ArgumentNullException.ThrowIfNull(loss);
        if (!Keras.CrossEntropyUsesLogitsAfterActivation || _layers.Count == 0)
        {
            return (loss, prediction, false);
        }
        if (_logitsTwin is not { } cached || !ReferenceEquals(cached.Of, loss))
        {
            _logitsTwin = cached = (loss, LogitsTwin(loss));
        }
        return cached.Twin is { } twin && _layers[^1].OutputLogits is { } logits
            ? (twin, logits.Logits, true)
            : (loss, prediction, false);
    }

    /// <summary>Keras' rule for "accuracy": sparse categorical with sparse_categorical_crossentropy (its targets are class
    /// indices), else binary when the output has one unit or the loss is binary cross-entropy, else categorical.</summary>
    /// <remarks>Keras 2.0.8 tests one unit before the sparse loss; a one-unit softmax is degenerate (always class 0),
    /// and its class-index targets cannot be compared element by element, so RefNet keeps them sparse.</remarks>
    public AccuracyKind AccuracyKind =>
        Loss is SparseCategoricalCrossentropy ? AccuracyKind.SparseCategorical
        : OutputShape?[-1] == 1 || Loss is BinaryCrossentropy ? AccuracyKind.Binary : AccuracyKind.Categorical;

    /// <summary>Trains the network (Keras 2 <c>fit</c>).</summary>
    /// <param name="x">Inputs, shape (N, ...InputShape).</param>
    /// <param name="y">Targets, shape (N, ...OutputShape).</param>
    /// <param name="batchSize">Samples per gradient step: N for batch, 1 for stochastic, in between for mini-batch.
    /// An epoch has ceil(N/batchSize) steps; the last, partial batch is kept.</param>
    /// <param name="epochs">Passes over the data.</param>
    /// <param name="validationData">Optional (x, y) evaluated (inference mode) at the end of each epoch.</param>
    /// <param name="shuffle">Reshuffle the sample order every epoch.</param>
    /// <param name="seed">Seed of the shuffling.</param>
    /// <param name="verbose">0 silent; 1 "Epoch i/N" and a Keras progress bar (redrawn in place on a terminal, one line per
    /// epoch otherwise); 2 one line per epoch even on a terminal. With validation data Keras' "Train on N samples,
    /// validate on M samples" comes first.</param>
    /// <param name="log">Where progress goes (Console.Out when null).</param>
    /// <param name="validationSplit">Fraction in [0, 1) of the data held out for validation: the <b>last</b> rows, taken before shuffling (as Keras).</param>
    /// <param name="callbacks">Callbacks, called in order (Keras <c>callbacks</c>).</param>
    /// <param name="initialEpoch">Keras <c>initial_epoch</c>: the epoch to start at (0-based); epochs initialEpoch … epochs − 1
    /// run. The shuffles of the skipped epochs are replayed from <paramref name="seed"/>, so a network saved after epoch k
    /// (<see cref="Save"/>, with its training state) and loaded again continues with
    /// <c>Fit(…, epochs, seed: same, initialEpoch: k)</c> to bitwise the same weights as one uninterrupted <c>Fit</c>.</param>
    /// <returns>Per-epoch loss and metrics ("val_" prefixed for validation).</returns>
    /// <exception cref="InvalidOperationException">Not compiled.</exception>
    /// <exception cref="ShapeMismatchException">Data shapes do not fit the network.</exception>
    /// <remarks>Epoch loss/metrics are the sample-weighted means of the per-batch values computed during training
    /// (dropout active, each batch at the weights it saw), as Keras 2's BaseLogger. The loss includes
    /// regularization penalties. Host data is uploaded to <see cref="Network{T}.Backend"/> once; batch buffers are reused.</remarks>
    public History Fit(Tensor<T> x, Tensor<T> y, int batchSize = 32, int epochs = 1,
        (Tensor<T> X, Tensor<T> Y)? validationData = null, bool shuffle = true, int seed = 0, int verbose = 1,
        TextWriter? log = null, double validationSplit = 0, IEnumerable<Callback>? callbacks = null, int initialEpoch = 0)
    {
        if (Optimizer is null || Loss is null)
        {
            throw new InvalidOperationException("Call Compile(optimizer, loss) before Fit");
        }
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        CheckData(x, y, "training");
        if (batchSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), $"batchSize must be positive, got {batchSize}");
        }
        if (epochs < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(epochs), $"epochs must be non-negative, got {epochs}");
        }
        if (initialEpoch < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(initialEpoch), $"initialEpoch must be non-negative, got {initialEpoch}");
        }
        if (!(validationSplit >= 0 && validationSplit < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(validationSplit), $"validationSplit must be in [0, 1), got {validationSplit}");
        }
        if (validationSplit > 0 && validationData is not null)
        {
            throw new ArgumentException("Pass either validationData or validationSplit, not both", nameof(validationSplit));
        }
        if (validationData is { } v)
        {
            CheckData(v.X, v.Y, "validation");
        }
        log ??= Console.Out;
        Callback[] cbs = callbacks?.ToArray() ?? [];
        // Copies made here of the caller's data (host → device, validation split) are freed when Fit returns.
        using var temporaries = new TemporaryTensors();
        x = temporaries.Keep(ToBackend(x), x);
        y = AsLossTargets(temporaries.Keep(ToBackend(y), y));
        if (validationSplit > 0)
        {
            // Keras: split_at = int(len(x) * (1 - validation_split)); validation = the rows from split_at on.
            int splitAt = (int)(x.Rows * (1.0 - validationSplit));
            if (splitAt <= 0 || splitAt >= x.Rows)
            {
                throw new ArgumentOutOfRangeException(nameof(validationSplit),
                    $"validationSplit {validationSplit} of {x.Rows} samples leaves {splitAt} for training and {x.Rows - splitAt} for validation; both must be non-empty");
            }
            validationData = (temporaries.Keep(SliceRows(x, splitAt, x.Rows)), temporaries.Keep(SliceRows(y, splitAt, y.Rows)));
            x = temporaries.Keep(SliceRows(x, 0, splitAt));
            y = temporaries.Keep(SliceRows(y, 0, splitAt));
        }
        else if (validationData is { } vd)
        {
            validationData = (temporaries.Keep(ToBackend(vd.X), vd.X), AsLossTargets(temporaries.Keep(ToBackend(vd.Y), vd.Y)));
        }

        int n = x.Rows;
        // The index array is reused across Fit calls (reset to the identity order here), so calling Fit once per
        // epoch allocates nothing in proportion to the data set.
        int[] order = _order.Length == n ? _order : (_order = new int[n]);
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
        }
        var random = new Random(seed);
        for (int skipped = 0; shuffle && skipped < Math.Min(initialEpoch, epochs); skipped++)
        {
            random.Shuffle(order); // the orders the epochs before initialEpoch drew, so the next one is theirs
        }
        List<Parameter<T>> parameters = [.. Parameters];
        string[] keys = LogKeys();
        var sums = new double[keys.Length];
        var batchValues = new double[keys.Length];
        var batchLogs = new Dictionary<string, double>(keys.Length + 2);
        var history = new History();
        bool inPlace = verbose == 1 && ProgressBar.IsTerminal(log);
        if (verbose > 0 && validationData is { } shown)
        {
            log.WriteLine($"Train on {n} samples, validate on {shown.X.Rows} samples");
        }

        StopTraining = false;
        foreach (Callback cb in cbs)
        {
            cb.SetModel(this);
        }
        foreach (Callback cb in cbs)
        {
            cb.OnTrainBegin();
        }
        for (int epoch = initialEpoch; epoch < epochs && !StopTraining; epoch++)
        {
            foreach (Callback cb in cbs)
            {
                cb.OnEpochBegin(epoch);
            }
            if (verbose > 0)
            {
                log.WriteLine($"Epoch {epoch + 1}/{epochs}");
            }
            ProgressBar? progress = verbose > 0 ? new ProgressBar(log, n, inPlace) : null;
            if (shuffle)
            {
                random.Shuffle(order);
            }
            Array.Clear(sums);
            int seen = 0;
            int batchIndex = 0;
            for (int start = 0; start < n; start += batchSize, batchIndex++)
            {
                int size = Math.Min(batchSize, n - start);
                BatchBuffers b = GetBatchBuffers(size);
                Backend.GatherRows(x, order.AsSpan(start, size), b.X);
                Backend.GatherRows(y, order.AsSpan(start, size), b.Y);
                TrainOnBatch(b, parameters, batchValues);
                for (int k = 0; k < keys.Length; k++)
                {
                    sums[k] += batchValues[k];
                }
                seen += size;
                if (cbs.Length > 0)
                {
                    batchLogs["batch"] = batchIndex;
                    batchLogs["size"] = size;
                    for (int k = 0; k < keys.Length; k++)
                    {
                        batchLogs[keys[k]] = batchValues[k] / size;
                    }
                    foreach (Callback cb in cbs)
                    {
                        cb.OnBatchEnd(batchIndex, batchLogs);
                    }
                }
                progress?.Update(seen, keys, sums, keys.Length);
                if (StopTraining)
                {
                    break;
                }
            }
            var logs = new Dictionary<string, double>();
            for (int k = 0; k < keys.Length; k++)
            {
                logs[keys[k]] = sums[k] / seen;
            }
            // Keras 2 validates only after a complete epoch (not when a callback stopped it mid-way).
            if (validationData is { } val && seen == n)
            {
                foreach ((string key, double value) in EvaluateCore(val.X, val.Y, batchSize, parameters))
                {
                    logs["val_" + key] = value;
                }
            }
            if (seen == n)
            {
                CompletedEpochs = epoch + 1; // before the callbacks, so that a checkpoint records this epoch as done
            }
            foreach (Callback cb in cbs)
            {
                cb.OnEpochEnd(epoch, logs);
            }
            history.Add(epoch, logs);
            progress?.Finish(seen, ProgressValues(logs, keys));
        }
        foreach (Callback cb in cbs)
        {
            cb.OnTrainEnd();
        }
        return history;
    }

    /// <summary>One gradient step: forward (training mode), batch loss and metrics, backward, penalties, update.</summary>
    /// <remarks>Slides: a = forward(x); J = loss(a, y); δ = ∂J/∂a; backpropagate δ; W ← W − η·∂J/∂W (here any optimizer).
    /// Loss and metrics are taken before the update, at the weights this batch saw (Keras 2).</remarks>
    private void TrainOnBatch(BatchBuffers b, List<Parameter<T>> parameters, double[] batchSums)
    {
        Tensor<T> prediction = Forward(b.X, training: true);
        BatchSums(prediction, b, parameters, batchSums);
        (Loss loss, Tensor<T> lossInput, bool ofLogits) = LossInput(Loss!, prediction);
        loss.Gradient(Backend, lossInput, b.Y, b.LossGradient);
        BackwardForTraining(b.LossGradient, ofLogits);
        AddRegularizationGradients(parameters);
        Optimizer!.Step(Backend, parameters);
    }

    /// <summary>What the finished progress line shows: the compiled values and their val_ twins, not extras such as
    /// "lr" that callbacks add (as Keras' ProgbarLogger).</summary>
    private static List<KeyValuePair<string, double>> ProgressValues(Dictionary<string, double> logs, string[] keys)
    {
        var displayed = new List<KeyValuePair<string, double>>();
        foreach (string prefix in (string[])["", "val_"])
        {
            foreach (string key in keys)
            {
                if (logs.TryGetValue(prefix + key, out double value))
                {
                    displayed.Add(new(prefix + key, value));
                }
            }
        }
        return displayed;
    }

    /// <summary>"loss" then the metric keys.</summary>
    private string[] LogKeys()
    {
        var keys = new string[_metrics.Length + 1];
        keys[0] = "loss";
        for (int i = 0; i < _metrics.Length; i++)
        {
            keys[i + 1] = _metrics[i].Key;
        }
        return keys;
    }

    /// <summary>Per-batch sums (value × batch size) of the loss (with penalties) and each metric.</summary>
    /// <remarks>Keras' batch loss is mean(per-sample loss) + penalty, so its batch-weighted sum is
    /// Σ per-sample + penalty·size. Accuracy sums are correct counts (divided by the columns for binary accuracy,
    /// which Keras averages per element).</remarks>
    private void BatchSums(Tensor<T> prediction, BatchBuffers b, List<Parameter<T>> parameters, double[] sums)
    {
        int size = prediction.Rows;
        (Loss loss, Tensor<T> lossInput, _) = LossInput(Loss!, prediction);
        double meanLoss = loss.Value(Backend, lossInput, b.Y, b.PerSample);
        sums[0] = (meanLoss + RegularizationPenalty(parameters)) * size;
        AccuracyKind accuracyKind = AccuracyKind;
        for (int i = 0; i < _metrics.Length; i++)
        {
            switch (_metrics[i].Kind)
            {
                case MetricKind.Accuracy:
                    int correct = Accuracy.CountCorrect(Backend, accuracyKind, prediction, b.Y, b.PredictedClass, b.TrueClass);
                    // Keras averages binary accuracy per element and categorical accuracy per position (T positions of a sequence).
                    sums[i + 1] = accuracyKind == AccuracyKind.Binary ? (double)correct / prediction.Columns
                        : (double)correct * prediction.Shape[prediction.Shape.Rank - 1] * prediction.Rows / prediction.Length;
                    break;
                case MetricKind.MeanSquaredError:
                    sums[i + 1] = PerSampleSum(MseMetric, prediction, b);
                    break;
                case MetricKind.MeanAbsoluteError:
                    sums[i + 1] = PerSampleSum(MaeMetric, prediction, b);
                    break;
                case MetricKind.LogLoss:
                    Loss ce = accuracyKind switch
                    {
                        AccuracyKind.Binary => BceMetric,
                        AccuracyKind.SparseCategorical => SparseCceMetric,
                        _ => CceMetric,
                    };
                    sums[i + 1] = PerSampleSum(ce, prediction, b);
                    break;
                default:
                    throw new InvalidOperationException($"Unhandled metric {_metrics[i].Kind}");
            }
        }
    }

    private static readonly Loss MseMetric = new MeanSquaredError();
    private static readonly Loss MaeMetric = new MeanAbsoluteError();
    private static readonly Loss BceMetric = new BinaryCrossentropy();
    private static readonly Loss CceMetric = new CategoricalCrossentropy();
    private static readonly Loss SparseCceMetric = new SparseCategoricalCrossentropy();

    private double PerSampleSum(Loss metric, Tensor<T> prediction, BatchBuffers b)
    {
        metric.PerSample(Backend, prediction, b.Y, b.PerSample);
        return double.CreateChecked(Backend.Sum(b.PerSample));
    }

    /// <summary>Σ over parameters of their regularizer penalties (added to the reported loss, as Keras does).</summary>
    public double RegularizationPenalty() => RegularizationPenalty([.. Parameters]);

    private double RegularizationPenalty(List<Parameter<T>> parameters)
    {
        double total = 0;
        foreach (Parameter<T> p in parameters)
        {
            if (p.Regularizer is not null)
            {
                total += p.Regularizer.Penalty(Backend, p.Value);
            }
        }
        return total;
    }

    /// <summary>Adds each regularizer's gradient to its parameter's gradient.</summary>
    public void AddRegularizationGradients() => AddRegularizationGradients([.. Parameters]);

    private void AddRegularizationGradients(List<Parameter<T>> parameters)
    {
        foreach (Parameter<T> p in parameters)
        {
            p.Regularizer?.AddGradient(Backend, p.Value, p.Gradient);
        }
    }

    /// <summary>Loss (with penalties) and every compiled metric in inference mode (Keras <c>evaluate</c>).</summary>
    /// <returns>The values; <c>var (loss, acc) = Evaluate(x, y)</c> gives loss and accuracy (NaN when "accuracy" was not compiled).</returns>
    /// <remarks>Batch-size-weighted means over ceil(N/batchSize) batches, dropout off.</remarks>
    public Evaluation Evaluate(Tensor<T> x, Tensor<T> y, int batchSize = 32)
    {
        if (Loss is null)
        {
            throw new InvalidOperationException("Call Compile(optimizer, loss) before Evaluate");
        }
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (batchSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), $"batchSize must be positive, got {batchSize}");
        }
        CheckData(x, y, "evaluation");
        using var temporaries = new TemporaryTensors();
        return new Evaluation(EvaluateCore(temporaries.Keep(ToBackend(x), x), AsLossTargets(temporaries.Keep(ToBackend(y), y)), batchSize, [.. Parameters]));
    }

    private Dictionary<string, double> EvaluateCore(Tensor<T> x, Tensor<T> y, int batchSize, List<Parameter<T>> parameters)
    {
        int n = x.Rows;
        string[] keys = LogKeys();
        var sums = new double[keys.Length];
        var batchValues = new double[keys.Length];
        ReadOnlySpan<int> identity = Identity(n);
        for (int start = 0; start < n; start += batchSize)
        {
            int size = Math.Min(batchSize, n - start);
            BatchBuffers b = GetBatchBuffers(size);
            Backend.GatherRows(x, identity.Slice(start, size), b.X);
            Backend.GatherRows(y, identity.Slice(start, size), b.Y);
            Tensor<T> prediction = Forward(b.X, training: false);
            BatchSums(prediction, b, parameters, batchValues);
            for (int k = 0; k < keys.Length; k++)
            {
                sums[k] += batchValues[k];
            }
        }
        var result = new Dictionary<string, double>();
        for (int k = 0; k < keys.Length; k++)
        {
            result[keys[k]] = sums[k] / n;
        }
        return result;
    }

    /// <summary>One gradient step on exactly this batch (Keras <c>train_on_batch</c>): forward in training mode (dropout on),
    /// loss and metrics, backward, penalties, one optimizer update. Calling it once per batch of a shuffled epoch gives the
    /// weights <see cref="Fit"/> gives for the same batches.</summary>
    /// <returns>The batch's loss (with penalties) and metrics, computed before the update, at the weights the batch saw (Keras 2).</returns>
    /// <exception cref="InvalidOperationException">Not compiled.</exception>
    /// <exception cref="ShapeMismatchException">The data does not fit the network (naming the layer and both shapes).</exception>
    public Evaluation TrainOnBatch(Tensor<T> x, Tensor<T> y)
    {
        if (Optimizer is null || Loss is null)
        {
            throw new InvalidOperationException("Call Compile(optimizer, loss) before TrainOnBatch");
        }
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        CheckData(x, y, "training");
        using var temporaries = new TemporaryTensors();
        Tensor<T> xb = temporaries.Keep(ToBackend(x), x);
        Tensor<T> yb = AsLossTargets(temporaries.Keep(ToBackend(y), y));
        int size = xb.Rows;
        BatchBuffers b = GetBatchBuffers(size);
        ReadOnlySpan<int> identity = Identity(size);
        Backend.GatherRows(xb, identity, b.X);
        Backend.GatherRows(yb, identity, b.Y);
        string[] keys = LogKeys();
        var sums = new double[keys.Length];
        TrainOnBatch(b, [.. Parameters], sums);
        var values = new Dictionary<string, double>(keys.Length);
        for (int k = 0; k < keys.Length; k++)
        {
            values[keys[k]] = sums[k] / size;
        }
        return new Evaluation(values);
    }

    /// <summary>Loss and metrics of exactly this batch in inference mode (Keras <c>test_on_batch</c>).</summary>
    public Evaluation TestOnBatch(Tensor<T> x, Tensor<T> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Evaluate(x, y, batchSize: Math.Max(1, x.Rows));
    }

    /// <summary>Outputs for exactly this batch in inference mode (Keras <c>predict_on_batch</c>).</summary>
    public Tensor<T> PredictOnBatch(Tensor<T> x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Predict(x, batchSize: Math.Max(1, x.Rows));
    }

    /// <summary>Outputs for every row of <paramref name="x"/> in inference mode (Keras <c>predict</c>).</summary>
    public Tensor<T> Predict(Tensor<T> x, int batchSize = 32)
    {
        if (InputShape is null)
        {
            throw new InvalidOperationException("The network has no layers");
        }
        ArgumentNullException.ThrowIfNull(x);
        if (batchSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), $"batchSize must be positive, got {batchSize}");
        }
        if (x.Shape.Rank != InputShape.Rank + 1 || !x.Shape.WithoutBatch().Equals(InputShape))
        {
            throw new ShapeMismatchException($"prediction inputs (the input of the first layer, {_layers[0].TypeName} '{_layers[0].Name}')",
                "(*, " + string.Join(", ", InputShape.ToArray()) + ")", x.Shape);
        }
        using var temporaries = new TemporaryTensors();
        x = temporaries.Keep(ToBackend(x), x);
        int n = x.Rows;
        int outCols = OutputShape!.Length;
        var result = new T[n * outCols];
        ReadOnlySpan<int> identity = Identity(n);
        for (int start = 0; start < n; start += batchSize)
        {
            int size = Math.Min(batchSize, n - start);
            BatchBuffers b = GetBatchBuffers(size);
            Backend.GatherRows(x, identity.Slice(start, size), b.X);
            Tensor<T> output = Forward(b.X, training: false);
            output.Storage.CopyTo(result.AsSpan(start * outCols, size * outCols));
        }
        return Tensor<T>.FromArray(OutputShape.WithBatch(n), result);
    }

    /// <summary>The tensor itself if it lives on <see cref="Backend"/>, else a copy uploaded there once.</summary>
    public Tensor<T> ToBackend(Tensor<T> tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (Backend.Owns(tensor))
        {
            return tensor;
        }
        Tensor<T> copy = Backend.Allocate(tensor.Shape);
        Backend.CopyFromHost(tensor.ToArray(), copy);
        return copy;
    }

    /// <summary>Rows [from, to) of a backend tensor as a new backend tensor.</summary>
    private Tensor<T> SliceRows(Tensor<T> source, int from, int to)
    {
        Tensor<T> part = Backend.Allocate(source.Shape.WithoutBatch().WithBatch(to - from));
        int[] rows = new int[to - from];
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i] = from + i;
        }
        Backend.GatherRows(source, rows, part);
        return part;
    }

    /// <summary>0, 1, ..., n−1 (cached).</summary>
    private ReadOnlySpan<int> Identity(int n)
    {
        if (_identity.Length < n)
        {
            _identity = new int[n];
            for (int i = 0; i < n; i++)
            {
                _identity[i] = i;
            }
        }
        return _identity.AsSpan(0, n);
    }

    private void CheckData(Tensor<T> x, Tensor<T> y, string what)
    {
        if (InputShape is null)
        {
            throw new InvalidOperationException("The network has no layers");
        }
        if (x.Shape.Rank != InputShape.Rank + 1 || !x.Shape.WithoutBatch().Equals(InputShape))
        {
            throw new ShapeMismatchException($"{what} inputs (the input of the first layer, {_layers[0].TypeName} '{_layers[0].Name}')",
                "(*, " + string.Join(", ", InputShape.ToArray()) + ")", x.Shape);
        }
        Shape targets = TargetShape;
        if (y.Shape.Rank == 0 || y.Rows != x.Rows || !(Loss?.AcceptsTargets(OutputShape!, y.Shape.WithoutBatch()) ?? y.Shape.WithoutBatch() == OutputShape))
        {
            string expected = $"({string.Join(", ", (int[])[x.Rows, .. targets.Dims])})";
            if (Loss is SparseCategoricalCrossentropy)
            {
                expected += $" of class indices, or ({string.Join(", ", (int[])[x.Rows, .. targets.Dims, 1])}), for {Loss.Name}";
            }
            throw new ShapeMismatchException($"{what} targets (compared with the output of the last layer, {_layers[^1].TypeName} '{_layers[^1].Name}', by {Loss?.Name ?? "the loss"})",
                expected, y.Shape);
        }
        if (x.Rows == 0)
        {
            throw new ArgumentException($"The {what} data has no samples", nameof(x));
        }
    }

    /// <summary>The per-sample shape of the targets the compiled loss reads (the output shape; without the class axis for
    /// sparse_categorical_crossentropy).</summary>
    private Shape TargetShape => Loss?.TargetShape(OutputShape!) ?? OutputShape!;

    /// <summary>Targets viewed in <see cref="TargetShape"/> (the sparse loss's (N, …, 1) form read as (N, …)); no copy.</summary>
    private Tensor<T> AsLossTargets(Tensor<T> y)
    {
        Shape shape = TargetShape.WithBatch(y.Rows);
        return y.Shape == shape ? y : y.Reshape(shape);
    }

    private BatchBuffers GetBatchBuffers(int size)
    {
        Shape perSample = TargetShape;
        // Compared without building a Shape: a training step allocates nothing.
        if (!_batchBuffers.TryGetValue(size, out BatchBuffers? b)
            || b.Y.Shape.Rank != perSample.Rank + 1 || !b.Y.Shape.Dims[1..].SequenceEqual(perSample.Dims))
        {
            b = new BatchBuffers(
                Backend.Allocate(InputShape!.WithBatch(size)),
                Backend.Allocate(perSample.WithBatch(size)),
                Backend.Allocate(OutputShape!.WithBatch(size)),
                Backend.Allocate(new Shape(size)),
                Backend.Allocate(new Shape(size)),
                Backend.Allocate(new Shape(size)));
            _batchBuffers[size] = b;
        }
        return b;
    }

    /// <summary>Tensors a training call allocated for itself (device copies, split slices); disposed when the call ends.</summary>
    /// <remarks>On the CPU this frees nothing; on a device it returns e.g. MNIST's 188 MB training copy at once,
    /// instead of whenever the garbage collector gets to it.</remarks>
    private sealed class TemporaryTensors : IDisposable
    {
        private readonly List<Tensor<T>> _made = [];

        /// <summary>Keeps <paramref name="made"/> for disposal unless it is the caller's own <paramref name="original"/>.</summary>
        public Tensor<T> Keep(Tensor<T> made, Tensor<T>? original = null)
        {
            if (!ReferenceEquals(made, original))
            {
                _made.Add(made);
            }
            return made;
        }

        /// <summary>Disposes every kept tensor's storage.</summary>
        public void Dispose()
        {
            foreach (Tensor<T> t in _made)
            {
                t.Storage.Dispose();
            }
            _made.Clear();
        }
    }

    private sealed record BatchBuffers(Tensor<T> X, Tensor<T> Y, Tensor<T> LossGradient, Tensor<T> PerSample,
        Tensor<T> PredictedClass, Tensor<T> TrueClass);
}
