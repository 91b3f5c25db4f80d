// refnet bench: timing runs for the CPU path — `bench gemm` (GFLOP/s at the MLP's shapes) and
// `bench mnist-mlp` (seconds per epoch of Keras' mnist_mlp, bytes allocated per step, peak memory).
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Numerics;
using RefNet.Backends;
using RefNet.Backends.Cpu;
using RefNet.Engine;
using RefNet.Layers;
using RefNet.Losses;
using RefNet.Optimizers;
using RefNet.Tensors;

namespace RefNet.Cli.Commands;

/// <summary><c>refnet bench mnist-mlp|mnist-cnn|addition-rnn|gemm [--threads N] [--precision f32|f64] [--epochs 3] [--gemm openblas|managed] [--device cpu|ilgpu-cpu|cuda] [--profile]</c>.</summary>
/// <remarks><c>--profile</c> adds one more epoch of a second, identical network on a <see cref="ProfilingBackend{T}"/>
/// and prints the time spent in each primitive, and how much of the epoch's wall time lies outside them.
/// <c>--device cuda</c> times mnist-mlp epochs on the ILGPU CUDA backend (target ≤ 0.15 s/epoch on an H100).</remarks>
public sealed class BenchCommand : ICommand
{
    /// <summary>(name, m, n, k, transA, transB): the GEMMs of one mnist_mlp step with batch 128.</summary>
    public static readonly (string Name, int M, int N, int K, bool TransA, bool TransB)[] MlpShapes =
    [
        ("fwd 128x784 * 784x512", 128, 512, 784, false, false),
        ("fwd 128x512 * 512x512", 128, 512, 512, false, false),
        ("fwd 128x512 * 512x10", 128, 10, 512, false, false),
        ("dW  784x128 * 128x512 (At)", 784, 512, 128, true, false),
        ("dW  512x128 * 128x512 (At)", 512, 512, 128, true, false),
        ("dW  512x128 * 128x10 (At)", 512, 10, 128, true, false),
        ("dx  128x10 * 10x512 (Bt)", 128, 512, 10, false, true),
        ("dx  128x512 * 512x512 (Bt)", 128, 512, 512, false, true),
        ("dx  128x512 * 512x784 (Bt)", 128, 784, 512, false, true),
    ];

    /// <inheritdoc/>
    public string Name => "bench";

    /// <inheritdoc/>
    public string Description => "timing: bench mnist-mlp|mnist-cnn|addition-rnn|gemm [--threads N] [--precision f32|f64] [--epochs 3] [--gemm openblas|managed|reference] [--device cpu|ilgpu-cpu|cuda] [--profile]";

    /// <inheritdoc/>
    public int Run(string[] args, TextWriter output)
    {
        string device = DeviceOption.Take(ref args);
        if (args.Length == 0 || args[0] is not ("mnist-mlp" or "mnist-cnn" or "addition-rnn" or "gemm"))
        {
            throw new UsageException("expected 'bench mnist-mlp', 'bench mnist-cnn', 'bench addition-rnn' or 'bench gemm'");
        }
        var o = new Options { Device = device };
        for (int i = 1; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new UsageException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--threads":
                    o.Threads = PositiveInt(Next(), "--threads");
                    break;
                case "--precision":
                    o.Precision = Next() switch
                    {
                        "f32" or "float32" or "float" => "f32",
                        "f64" or "float64" or "double" => "f64",
                        string p => throw new UsageException($"--precision must be f32 or f64, got '{p}'"),
                    };
                    break;
                case "--epochs":
                    o.Epochs = PositiveInt(Next(), "--epochs");
                    break;
                case "--gemm":
                    o.Gemm = Next();
                    break;
                case "--data":
                    o.DataDirectory = Next();
                    break;
                case "--synthetic":
                    o.Synthetic = true;
                    break;
                case "--profile":
                    o.Profile = true;
                    break;
                case "--samples":
                    o.Samples = PositiveInt(Next(), "--samples");
                    break;
                default:
                    throw new UsageException($"unknown argument '{args[i]}'");
            }
        }
        IGemm gemm;
        try
        {
            gemm = GemmSelector.FromName(o.Gemm);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
        CpuThreads.Count = o.Threads ?? CpuThreads.Initial();
        if (args[0] == "gemm")
        {
            if (device != "cpu")
            {
                throw new UsageException("bench gemm times the CPU GEMM implementations; use 'bench mnist-mlp --device " + device + "' for a device");
            }
            return o.Precision == "f64" ? Gemm<double>(gemm, output) : Gemm<float>(gemm, output);
        }
        if (args[0] == "mnist-cnn")
        {
            // mnist_cnn costs ~4.3 TFLOP per epoch: one timed epoch by default, warm-up on 10 steps.
            o.Epochs ??= 1;
            return o.Precision == "f64" ? Epochs<double>(o, gemm, Cnn, output) : Epochs<float>(o, gemm, Cnn, output);
        }
        if (args[0] == "addition-rnn")
        {
            // keras-io's addition_rnn: 45 000 questions, batch 32 (1 407 steps), 7.5–8.6 s per epoch on 2 cores (OpenBLAS).
            o.Epochs ??= 1;
            return o.Precision == "f64" ? Epochs<double>(o, gemm, Addition, output) : Epochs<float>(o, gemm, Addition, output);
        }
        o.Epochs ??= 3;
        return o.Precision == "f64" ? Epochs<double>(o, gemm, Mlp, output) : Epochs<float>(o, gemm, Mlp, output);
    }

    private static readonly Model Mlp = new("mnist-mlp", new Shape(784), 128,
        static b => RefNet.Reproduction.MnistMlp.Build(seed: 1, (IBackend<float>)b),
        static b => RefNet.Reproduction.MnistMlp.Build(seed: 1, (IBackend<double>)b));

    private static readonly Model Cnn = new("mnist-cnn", new Shape(28, 28, 1), RefNet.Reproduction.MnistCnn.BatchSize,
        static b => RefNet.Reproduction.MnistCnn.Build(seed: 1, (IBackend<float>)b),
        static b => RefNet.Reproduction.MnistCnn.Build(seed: 1, (IBackend<double>)b));

    private static readonly Model Addition = new("addition-rnn",
        new Shape(RefNet.Reproduction.AdditionRnn.MaxLength, RefNet.Reproduction.AdditionRnn.Chars.Length), RefNet.Reproduction.AdditionRnn.BatchSize,
        static b => RefNet.Reproduction.AdditionRnn.Build(seed: 1, (IBackend<float>)b),
        static b => RefNet.Reproduction.AdditionRnn.Build(seed: 1, (IBackend<double>)b));

    // A benchmarked Keras example: its name, the input shape of one image, batch size and its builders.
    private sealed record Model(string Name, Shape Input, int Batch, Func<object, Sequential<float>> BuildFloat, Func<object, Sequential<double>> BuildDouble)
    {
        public Sequential<T> Build<T>(IBackend<T> backend)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            typeof(T) == typeof(float) ? (Sequential<T>)(object)BuildFloat(backend) : (Sequential<T>)(object)BuildDouble(backend);
    }

    private static int Gemm<T>(IGemm gemm, TextWriter output)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        string precision = typeof(T) == typeof(float) ? "f32" : "f64";
        output.WriteLine($"refnet bench gemm: {gemm.Description}, {precision}");
        var rng = new Random(1);
        double stepBest = 0;
        double stepMedian = 0;
        foreach ((string name, int m, int n, int k, bool ta, bool tb) in MlpShapes)
        {
            T[] a = Enumerable.Range(0, m * k).Select(_ => T.CreateChecked(rng.NextDouble() - 0.5)).ToArray();
            T[] b = Enumerable.Range(0, k * n).Select(_ => T.CreateChecked(rng.NextDouble() - 0.5)).ToArray();
            T[] c = new T[m * n];
            int lda = ta ? m : k;
            int ldb = tb ? k : n;
            var samples = new List<double>();
            var total = Stopwatch.StartNew();
            for (int rep = 0; total.Elapsed.TotalSeconds < 0.4 || samples.Count < 20; rep++)
            {
                var sw = Stopwatch.StartNew();
                gemm.Multiply(ta, tb, m, n, k, T.One, a, lda, b, ldb, T.Zero, c, n);
                if (rep >= 3)
                {
                    samples.Add(sw.Elapsed.TotalSeconds);
                }
            }
            samples.Sort();
            double flop = 2.0 * m * n * k;
            if (!(m == 128 && n == 784))
            {
                // Fit skips the first layer's input gradient, so one step runs every shape but that one.
                stepBest += samples[0];
                stepMedian += samples[samples.Count / 2];
            }
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"RESULT gemm impl={gemm.Name} precision={precision} threads={CpuThreads.Count} shape=\"{name}\" best_gflops={flop / samples[0] / 1e9:F1} median_gflops={flop / samples[samples.Count / 2] / 1e9:F1}"));
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT gemm-step impl={gemm.Name} precision={precision} threads={CpuThreads.Count} best_ms={stepBest * 1e3:F3} median_ms={stepMedian * 1e3:F3} (the 8 GEMMs of one mnist_mlp training step)"));
        return 0;
    }

    private static int Epochs<T>(Options o, IGemm gemm, Model model, TextWriter output)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        string precision = typeof(T) == typeof(float) ? "f32" : "f64";
        IBackend<T> backend = DeviceOption.Create<T>(o.Device, () => new CpuBackend<T>(gemm));
        using var owned = backend as IDisposable;
        (Tensor<T> x, Tensor<T> y, string source) = model == Addition ? AdditionData<T>(o) : LoadData<T>(o);
        // The images as (N, 28, 28, 1) for the CNN: a view of the same storage.
        x = x.Reshape(model.Input.WithBatch(x.Rows));
        Sequential<T> net = model.Build(backend);
        int batch = model.Batch;
        int steps = (x.Rows + batch - 1) / batch;
        string engine = o.Device == "cpu" ? gemm.Description : backend.ToString()!;
        output.WriteLine($"refnet bench {model.Name}: {precision}, {engine}, batch {batch}, {steps} steps/epoch, data: {source}");
        var warm = Stopwatch.StartNew();
        // Warm-up: a whole epoch for the MLP; 10 steps for the CNN (its epoch is ~60 times longer); 100 for the RNN, whose
        // steps are short enough that the JIT's tiering is still at work after 10 (the timed epoch then ran 1.7x slower).
        int warmSteps = model == Addition ? 100 : 10;
        (Tensor<T> wx, Tensor<T> wy) = model.Name == "mnist-mlp" ? (x, y) : (FirstRows(x, warmSteps * batch), FirstRows(y, warmSteps * batch));
        History h = net.Fit(wx, wy, batchSize: batch, epochs: 1, seed: 0, verbose: 0);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"warm-up epoch: {warm.Elapsed.TotalSeconds:F3} s, loss {h["loss"][0]:F4}, acc {h["acc"][0]:F4}"));
        var times = new List<double>();
        long allocated = 0;
        int epochs = o.Epochs!.Value;
        for (int e = 0; e < epochs; e++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            var sw = Stopwatch.StartNew();
            h = net.Fit(x, y, batchSize: batch, epochs: 1, seed: e + 1, verbose: 0);
            times.Add(sw.Elapsed.TotalSeconds);
            allocated += GC.GetTotalAllocatedBytes(precise: true) - before;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"epoch {e + 1}: {times[^1]:F3} s, loss {h["loss"][0]:F4}, acc {h["acc"][0]:F4}"));
        }
        double perStep = (double)allocated / (epochs * steps);
        double peakMb = PeakMemoryBytes() / 1048576.0;
        var sorted = times.Order().ToList();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"seconds/epoch ({x.Rows} samples): best {sorted[0]:F3}, median {sorted[sorted.Count / 2]:F3}; allocated {allocated} bytes in {epochs * steps} steps ({perStep:F1} bytes/step, includes Fit's per-epoch History/log entries); peak memory {peakMb:F0} MB"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT {model.Name} impl=refnet-{(o.Device == "cpu" ? gemm.Name : o.Device)} precision={precision} threads={CpuThreads.Count} data={(model == Addition ? "generated" : source.StartsWith("synthetic", StringComparison.Ordinal) ? "synthetic" : "mnist")} best_s={sorted[0]:F3} median_s={sorted[sorted.Count / 2]:F3} alloc_bytes_per_step={perStep:F1} peak_mb={peakMb:F0}"));
        if (o.Profile)
        {
            Profile(backend, model, x, y, batch, output);
        }
        return 0;
    }

    // One warm-up epoch, then one timed epoch of the same model on a profiling wrapper of the same backend.
    private static void Profile<T>(IBackend<T> backend, Model model, Tensor<T> x, Tensor<T> y, int batch, TextWriter output)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var profiler = new ProfilingBackend<T>(backend);
        Sequential<T> net = model.Build<T>(profiler);
        net.Fit(x, y, batchSize: batch, epochs: 1, seed: 0, verbose: 0);
        profiler.Reset();
        var sw = Stopwatch.StartNew();
        net.Fit(x, y, batchSize: batch, epochs: 1, seed: 1, verbose: 0);
        double wall = sw.Elapsed.TotalSeconds;
        double inside = profiler.Rows.Sum(r => r.Time.TotalSeconds);
        double gemm = profiler.Rows.Where(r => r.Operation.StartsWith("MatMul", StringComparison.Ordinal)).Sum(r => r.Time.TotalSeconds);
        output.WriteLine($"profile of one epoch on {profiler}:");
        output.WriteLine(profiler.Format());
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"epoch {wall:F3} s: GEMM {gemm:F3} s ({100 * gemm / wall:F1}%), other primitives {inside - gemm:F3} s ({100 * (inside - gemm) / wall:F1}%), outside the backend {wall - inside:F3} s ({100 * (wall - inside) / wall:F1}%)"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT {model.Name}-profile epoch_s={wall:F3} gemm_s={gemm:F3} other_primitives_s={inside - gemm:F3} outside_s={wall - inside:F3} epoch_over_gemm={wall / gemm:F2}"));
    }

    /// <summary>VmHWM from /proc/self/status (Linux), else the process' peak working set.</summary>
    public static long PeakMemoryBytes()
    {
        const string status = "/proc/self/status";
        if (File.Exists(status))
        {
            foreach (string line in File.ReadLines(status))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    string kb = line["VmHWM:".Length..].Trim().Split(' ')[0];
                    return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        return Process.GetCurrentProcess().PeakWorkingSet64;
    }

    // Real MNIST (60000 training images, pixels / 255, one-hot labels) from IDX files if present, else
    // seeded synthetic data of the same shape.
    private static (Tensor<T> X, Tensor<T> Y, string Source) LoadData<T>(Options o)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        string images = Path.Combine(o.DataDirectory, "train-images-idx3-ubyte");
        string labels = Path.Combine(o.DataDirectory, "train-labels-idx1-ubyte");
        string? imageFile = o.Synthetic ? null : FirstExisting(images, images + ".gz");
        string? labelFile = o.Synthetic ? null : FirstExisting(labels, labels + ".gz");
        int n = Math.Min(60000, o.Samples ?? 60000);
        var x = new T[n * 784];
        var y = new T[n * 10];
        if (imageFile is not null && labelFile is not null)
        {
            byte[] pixels = ReadIdx(imageFile, 2051, n * 784);
            byte[] digits = ReadIdx(labelFile, 2049, n);
            T scale = T.One / T.CreateChecked(255);
            for (int i = 0; i < pixels.Length; i++)
            {
                x[i] = T.CreateChecked(pixels[i]) * scale;
            }
            for (int i = 0; i < n; i++)
            {
                y[(i * 10) + digits[i]] = T.One;
            }
            return (Wrap(x, 784), Wrap(y, 10), $"MNIST from {o.DataDirectory}" + (n < 60000 ? $", first {n} images" : ""));
        }
        var rng = new Random(1);
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = T.CreateChecked(rng.NextDouble());
        }
        for (int i = 0; i < n; i++)
        {
            y[(i * 10) + rng.Next(10)] = T.One;
        }
        return (Wrap(x, 784), Wrap(y, 10), $"synthetic (seeded uniform {n}x784, random one-hot labels; no MNIST in " + o.DataDirectory + ")");
    }

    // keras-io's training questions: 50 000 generated with seed 1, the 45 000 training ones (or the first --samples).
    private static (Tensor<T> X, Tensor<T> Y, string Source) AdditionData<T>(Options o)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var problems = RefNet.Reproduction.AdditionRnn.Generate(RefNet.Reproduction.AdditionRnn.TrainingSize, seed: 1);
        var train = RefNet.Reproduction.AdditionRnn.Split<T>(problems, seed: 1).Train;
        int n = Math.Min(train.Count, o.Samples ?? train.Count);
        (Tensor<T> x, Tensor<T> y) = n == train.Count ? (train.X, train.Y) : (FirstRows(train.X, n), FirstRows(train.Y, n));
        return (x, y, $"generated addition questions (seed 1), {n} of {train.Count}");
    }

    // Wraps the array without copying it (a copy would double the peak memory of the 60000-row data set).
    private static Tensor<T> Wrap<T>(T[] data, int columns)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        new(new Shape(data.Length / columns, columns), new HostStorage<T>(data));

    // The first rows of a host tensor, copied (warm-up data).
    private static Tensor<T> FirstRows<T>(Tensor<T> t, int rows)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        rows = Math.Min(rows, t.Rows);
        return Tensor<T>.FromArray(new Shape([rows, .. t.Shape.Dims[1..]]), t.Span[..(rows * t.Columns)]);
    }

    private static string? FirstExisting(params string[] paths) => paths.FirstOrDefault(File.Exists);

    // Minimal IDX reader for the benchmark: big-endian header, then `count` bytes of payload.
    private static byte[] ReadIdx(string path, int magic, int count)
    {
        using Stream file = File.OpenRead(path);
        using Stream s = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
        var header = new byte[4];
        s.ReadExactly(header);
        int found = (header[0] << 24) | (header[1] << 16) | (header[2] << 8) | header[3];
        if (found != magic)
        {
            throw new InvalidDataException($"{path}: IDX magic {found} at offset 0, expected {magic}");
        }
        int dims = magic == 2051 ? 3 : 1;
        s.ReadExactly(new byte[4 * dims]);
        var data = new byte[count];
        s.ReadExactly(data);
        return data;
    }

    private static int PositiveInt(string s, string option) =>
        int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v > 0 ? v : throw new UsageException($"{option} needs a positive integer, got '{s}'");

    private sealed class Options
    {
        public int? Threads { get; set; }

        public string Precision { get; set; } = "f32";

        public int? Epochs { get; set; }

        public int? Samples { get; set; }

        public string? Gemm { get; set; }

        public string DataDirectory { get; set; } = RepositoryPaths.Under("data", "mnist");

        public bool Synthetic { get; set; }

        public bool Profile { get; set; }

        public string Device { get; set; } = "cpu";
    }
}
