// The Keras training API on Network: Compile, Fit, Evaluate, Predict.
// Keras 2 semantics: ceil(N/batch) batches with the last partial batch kept; epoch loss and metrics
// are batch-size-weighted means of the per-batch values seen during training.
using System.Numerics;
using RefNet.Backends;
using RefNet.Losses;
using RefNet.Optimizers;
using RefNet.Tensors;

namespace RefNet.Engine;

public partial class Network<T>
{
    private readonly Dictionary<int, BatchBuffers> _batchBuffers = new();
    private int[] _order = [];

    /// <summary>The optimizer set by <c>Compile</c>.</summary>
    public Optimizer? Optimizer { get; private set; }

    /// <summary>The loss set by <c>Compile</c>.</summary>
    public Loss? Loss { get; private set; }

    /// <summary>Metric names set by <c>Compile</c> (Keras names: "acc"/"accuracy").</summary>
    public IReadOnlyList<string> Metrics { get; private set; } = [];

    /// <summary>Set by callbacks (EarlyStopping, TerminateOnNaN) to end <see cref="Fit"/> after the current batch or epoch.</summary>
    public bool StopTraining { get; set; }

    /// <summary>Chooses the optimizer, loss and metrics (Keras <c>compile</c>).</summary>
    /// <param name="optimizer">e.g. <c>new RmsProp()</c>.</param>
    /// <param name="loss">e.g. <c>new CategoricalCrossentropy()</c>.</param>
    /// <param name="metrics">"accuracy" (or "acc") is supported.</param>
    public void Compile(Optimizer optimizer, Loss loss, IEnumerable<string>? metrics = null)
    {
        Optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        Loss = loss ?? throw new ArgumentNullException(nameof(loss));
        var list = new List<string>();
        foreach (string m in metrics ?? [])
        {
            list.Add(m.Trim().ToLowerInvariant() switch
            {
                "accuracy" or "acc" => "acc",
                _ => throw new ArgumentException($"Unknown metric '{m}' (supported: accuracy)", nameof(metrics)),
            });
        }
        Metrics = list;
    }

    /// <summary>Compiles from Keras names, e.g. ("sgd", "mse").</summary>
    public void Compile(string optimizer, string loss, IEnumerable<string>? metrics = null) =>
        Compile(optimizer.Trim().ToLowerInvariant() switch
        {
            "sgd" => new Sgd(),
            _ => throw new ArgumentException($"Unknown optimizer '{optimizer}'", nameof(optimizer)),
        }, Losses.Loss.FromName(loss), metrics);

    /// <summary>Keras' rule for "accuracy": binary when the output has one unit or the loss is binary cross-entropy.</summary>
    public AccuracyKind AccuracyKind =>
        OutputShape?[-1] == 1 || Loss is BinaryCrossentropy ? AccuracyKind.Binary : AccuracyKind.Categorical;

    /// <summary>Trains the network (Keras <c>fit</c>).</summary>
    /// <param name="x">Inputs, shape (N, ...InputShape).</param>
    /// <param name="y">Targets, shape (N, ...OutputShape).</param>
    /// <param name="batchSize">Samples per gradient step: N for batch, 1 for stochastic, in between for mini-batch.</param>
    /// <param name="epochs">Passes over the data.</param>
    /// <param name="validationData">Optional (x, y) evaluated at the end of each epoch.</param>
    /// <param name="shuffle">Reshuffle the samples every epoch.</param>
    /// <param name="seed">Seed of the shuffling.</param>
    /// <param name="verbose">0 silent, 1 one line per epoch.</param>
    /// <param name="log">Where progress lines go (Console.Out when null).</param>
    /// <returns>Per-epoch loss and metrics.</returns>
    public History Fit(Tensor<T> x, Tensor<T> y, int batchSize = 32, int epochs = 1,
        (Tensor<T> X, Tensor<T> Y)? validationData = null, bool shuffle = true, int seed = 0, int verbose = 1,
        TextWriter? log = null)
    {
        if (Optimizer is null || Loss is null)
        {
            throw new InvalidOperationException("Call Compile(optimizer, loss) before Fit");
        }
        CheckData(x, y, "training");
        if (validationData is { } v)
        {
            CheckData(v.X, v.Y, "validation");
        }
        if (batchSize <= 0 || epochs < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), $"batchSize must be positive and epochs non-negative (got {batchSize}, {epochs})");
        }
        log ??= Console.Out;
        x = ToBackend(x);
        y = ToBackend(y);
        if (validationData is { } vd)
        {
            validationData = (ToBackend(vd.X), ToBackend(vd.Y));
        }
        int n = x.Rows;
        int[] order = IdentityOrder(n);
        var random = new Random(seed);
        var history = new History();
        StopTraining = false;
        for (int epoch = 0; epoch < epochs && !StopTraining; epoch++)
        {
            if (shuffle)
            {
                random.Shuffle(order);
            }
            double lossSum = 0;
            long correct = 0;
            long seen = 0;
            for (int start = 0; start < n; start += batchSize)
            {
                int size = Math.Min(batchSize, n - start);
                BatchBuffers b = GetBatchBuffers(size);
                Backend.GatherRows(x, order.AsSpan(start, size), b.X);
                Backend.GatherRows(y, order.AsSpan(start, size), b.Y);
                (double batchLoss, int batchCorrect) = TrainOnBatch(b);
                lossSum += batchLoss * size;
                correct += batchCorrect;
                seen += size;
            }
            var logs = new Dictionary<string, double> { ["loss"] = lossSum / seen };
            if (Metrics.Contains("acc"))
            {
                logs["acc"] = (double)correct / (seen * (AccuracyKind == AccuracyKind.Binary ? y.Columns : 1));
            }
            if (validationData is { } val)
            {
                var (valLoss, valAcc) = Evaluate(val.X, val.Y, batchSize);
                logs["val_loss"] = valLoss;
                if (Metrics.Contains("acc"))
                {
                    logs["val_acc"] = valAcc;
                }
            }
            history.Add(epoch, logs);
            if (verbose > 0)
            {
                log.WriteLine($"Epoch {epoch + 1}/{epochs} - " + string.Join(" - ", logs.Select(kv => $"{kv.Key}: {kv.Value:F4}")));
            }
        }
        return history;
    }

    /// <summary>One gradient step on one batch; returns (loss including penalties, correct count).</summary>
    private (double Loss, int Correct) TrainOnBatch(BatchBuffers b)
    {
        Tensor<T> prediction = Forward(b.X, training: true);
        double loss = Loss!.Value(Backend, prediction, b.Y, b.PerSample) + RegularizationPenalty();
        int correct = Metrics.Count > 0 ? Backend.CountCorrect(AccuracyKind, prediction, b.Y) : 0;
        Loss.Gradient(Backend, prediction, b.Y, b.LossGradient);
        BackwardForTraining(b.LossGradient);
        AddRegularizationGradients();
        Optimizer!.Step(Backend, Parameters);
        return (loss, correct);
    }

    /// <summary>Σ over parameters of their regularizer penalties (added to the reported loss, as Keras does).</summary>
    public double RegularizationPenalty()
    {
        double total = 0;
        IReadOnlyList<Parameter<T>> parameters = Parameters;
        for (int i = 0; i < parameters.Count; i++)
        {
            Parameter<T> p = parameters[i];
            if (p.Regularizer is not null)
            {
                total += p.Regularizer.Penalty(Backend, p.Value);
            }
        }
        return total;
    }

    /// <summary>Adds each regularizer's gradient to its parameter's gradient.</summary>
    public void AddRegularizationGradients()
    {
        IReadOnlyList<Parameter<T>> parameters = Parameters;
        for (int i = 0; i < parameters.Count; i++)
        {
            Parameter<T> p = parameters[i];
            p.Regularizer?.AddGradient(Backend, p.Value, p.Gradient);
        }
    }

    /// <summary>Loss (with penalties) and accuracy in inference mode (Keras <c>evaluate</c>).</summary>
    /// <returns>(loss, accuracy); accuracy is NaN when "accuracy" was not compiled.</returns>
    public (double Loss, double Accuracy) Evaluate(Tensor<T> x, Tensor<T> y, int batchSize = 32)
    {
        if (Loss is null)
        {
            throw new InvalidOperationException("Call Compile(optimizer, loss) before Evaluate");
        }
        CheckData(x, y, "evaluation");
        x = ToBackend(x);
        y = ToBackend(y);
        int n = x.Rows;
        int[] order = Enumerable.Range(0, n).ToArray();
        double lossSum = 0;
        long correct = 0;
        double penalty = RegularizationPenalty();
        for (int start = 0; start < n; start += batchSize)
        {
            int size = Math.Min(batchSize, n - start);
            BatchBuffers b = GetBatchBuffers(size);
            Backend.GatherRows(x, order.AsSpan(start, size), b.X);
            Backend.GatherRows(y, order.AsSpan(start, size), b.Y);
            Tensor<T> prediction = Forward(b.X, training: false);
            lossSum += (Loss.Value(Backend, prediction, b.Y, b.PerSample) + penalty) * size;
            correct += Backend.CountCorrect(AccuracyKind, prediction, b.Y);
        }
        double acc = Metrics.Contains("acc") ? (double)correct / (n * (AccuracyKind == AccuracyKind.Binary ? y.Columns : 1)) : double.NaN;
        return (lossSum / n, acc);
    }

    /// <summary>Outputs for every row of <paramref name="x"/> in inference mode (Keras <c>predict</c>).</summary>
    public Tensor<T> Predict(Tensor<T> x, int batchSize = 32)
    {
        if (InputShape is null)
        {
            throw new InvalidOperationException("The network has no layers");
        }
        x = ToBackend(x);
        int n = x.Rows;
        int outCols = OutputShape!.Length;
        var result = new T[n * outCols];
        int[] order = Enumerable.Range(0, n).ToArray();
        var xb = new Dictionary<int, Tensor<T>>();
        for (int start = 0; start < n; start += batchSize)
        {
            int size = Math.Min(batchSize, n - start);
            if (!xb.TryGetValue(size, out Tensor<T>? batch))
            {
                xb[size] = batch = Backend.Allocate(InputShape.WithBatch(size));
            }
            Backend.GatherRows(x, order.AsSpan(start, size), batch);
            Tensor<T> output = Forward(batch, training: false);
            output.Storage.CopyTo(result.AsSpan(start * outCols, size * outCols));
        }
        return Tensor<T>.FromArray(OutputShape.WithBatch(n), result);
    }

    // 0, 1, ..., n−1 in an array reused across Fit calls (Fit shuffles it from this identity order each call).
    private int[] IdentityOrder(int n)
    {
        if (_order.Length != n)
        {
            _order = new int[n];
        }
        for (int i = 0; i < n; i++)
        {
            _order[i] = i;
        }
        return _order;
    }

    /// <summary>The tensor itself if it lives on <see cref="Backend"/>, else a copy uploaded there once.</summary>
    public Tensor<T> ToBackend(Tensor<T> tensor)
    {
        if (Backend.Owns(tensor))
        {
            return tensor;
        }
        Tensor<T> copy = Backend.Allocate(tensor.Shape);
        Backend.CopyFromHost(tensor.ToArray(), copy);
        return copy;
    }

    private void CheckData(Tensor<T> x, Tensor<T> y, string what)
    {
        if (InputShape is null)
        {
            throw new InvalidOperationException("The network has no layers");
        }
        if (!x.Shape.WithoutBatch().Equals(InputShape) || x.Shape.Rank != InputShape.Rank + 1)
        {
            throw new ShapeMismatchException($"{what} inputs", "(*, " + string.Join(", ", InputShape.ToArray()) + ")", x.Shape);
        }
        if (!y.Shape.WithoutBatch().Equals(OutputShape) || y.Rows != x.Rows)
        {
            throw new ShapeMismatchException($"{what} targets", $"({x.Rows}, " + string.Join(", ", OutputShape!.ToArray()) + ")", y.Shape);
        }
    }

    private BatchBuffers GetBatchBuffers(int size)
    {
        if (!_batchBuffers.TryGetValue(size, out BatchBuffers? b))
        {
            b = new BatchBuffers(
                Backend.Allocate(InputShape!.WithBatch(size)),
                Backend.Allocate(OutputShape!.WithBatch(size)),
                Backend.Allocate(OutputShape!.WithBatch(size)),
                Backend.Allocate(new Shape(size)));
            _batchBuffers[size] = b;
        }
        return b;
    }

    private sealed record BatchBuffers(Tensor<T> X, Tensor<T> Y, Tensor<T> LossGradient, Tensor<T> PerSample);
}
