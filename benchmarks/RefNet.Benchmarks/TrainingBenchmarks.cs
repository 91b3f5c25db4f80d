// Dense forward+backward at 128×784→512 and one full mnist_mlp training step (Fit on one batch), with
// MemoryDiagnoser to show that a step allocates nothing after warm-up.
using RefNet.Activations;
using BenchmarkDotNet.Attributes;
using RefNet.Backends;
using RefNet.Backends.Cpu;
using RefNet.Engine;
using RefNet.Layers;
using RefNet.Losses;
using RefNet.Optimizers;
using RefNet.Reproduction;
using RefNet.Tensors;

namespace RefNet.Benchmarks;

[MemoryDiagnoser]
public class TrainingBenchmarks
{
    private Dense<float> _dense = null!;
    private Tensor<float> _x = null!;
    private Tensor<float> _g = null!;
    private Network<float> _net = null!;
    private Network<double> _net64 = null!;
    private Tensor<float> _bx = null!;
    private Tensor<float> _by = null!;
    private Tensor<double> _bx64 = null!;
    private Tensor<double> _by64 = null!;

    [Params("managed", "openblas")]
    public string Implementation { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        IGemm gemm = GemmSelector.FromName(Implementation);
        var rng = new Random(1);
        var dnet = new Sequential<float>(new CpuBackend<float>(gemm));
        _dense = new Dense<float>(512, ActivationFunction.Relu, inputDim: 784);
        dnet.Add(_dense);
        _x = Random<float>(rng, 128, 784);
        _g = Random<float>(rng, 128, 512);
        _net = MnistMlp.Build(seed: 1, new CpuBackend<float>(gemm));
        _net64 = MnistMlp.Build(seed: 1, new CpuBackend<double>(gemm));
        _bx = Random<float>(rng, 1280, 784);
        _by = OneHot<float>(rng, 1280);
        _bx64 = Random<double>(rng, 1280, 784);
        _by64 = OneHot<double>(rng, 1280);
    }

    [Benchmark]
    public void DenseForwardBackward()
    {
        _dense.Forward(_x, training: true);
        _dense.Backward(_g);
    }

    /// <summary>One gradient step of mnist_mlp on a batch of 128, measured as Fit over 10 batches (one epoch of
    /// 1280 rows) divided by 10; the reported allocation is Fit's per-call bookkeeping spread over the 10 steps.</summary>
    [Benchmark(OperationsPerInvoke = 10)]
    public void TrainingStepFloat() => _net.Fit(_bx, _by, batchSize: 128, epochs: 1, shuffle: false, verbose: 0);

    [Benchmark(OperationsPerInvoke = 10)]
    public void TrainingStepDouble() => _net64.Fit(_bx64, _by64, batchSize: 128, epochs: 1, shuffle: false, verbose: 0);

    private static Tensor<T> Random<T>(Random rng, int rows, int cols)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var t = new Tensor<T>(rows, cols);
        for (int i = 0; i < t.Length; i++)
        {
            t.Span[i] = T.CreateChecked(rng.NextDouble());
        }
        return t;
    }

    private static Tensor<T> OneHot<T>(Random rng, int rows)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var t = new Tensor<T>(rows, 10);
        for (int i = 0; i < rows; i++)
        {
            t[i, rng.Next(10)] = T.One;
        }
        return t;
    }
}
