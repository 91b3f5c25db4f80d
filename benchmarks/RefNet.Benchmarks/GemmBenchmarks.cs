// GEMM at the mnist_mlp shapes (batch 128): forward x·W and the backward products xᵀ·δ and δ·Wᵀ,
// for the managed kernel and OpenBLAS, in float and double.
using BenchmarkDotNet.Attributes;
using RefNet.Backends.Cpu;

namespace RefNet.Benchmarks;

[MemoryDiagnoser]
public class GemmBenchmarks
{
    private float[] _af = [];
    private float[] _bf = [];
    private float[] _cf = [];
    private double[] _ad = [];
    private double[] _bd = [];
    private double[] _cd = [];
    private IGemm _gemm = ManagedGemm.Instance;

    /// <summary>name: m×n×k and which operand is transposed (the Dense forward, dW and dx products).</summary>
    [Params("fwd 128x512x784", "fwd 128x512x512", "fwd 128x10x512", "dW 784x512x128 (At)", "dW 512x10x128 (At)", "dx 128x512x512 (Bt)", "dx 128x512x10 (Bt)")]
    public string Shape { get; set; } = "";

    [Params("managed", "openblas")]
    public string Implementation { get; set; } = "";

    private int _m, _n, _k;
    private bool _ta, _tb;

    [GlobalSetup]
    public void Setup()
    {
        string[] parts = Shape.Split(' ');
        int[] dims = parts[1].Split('x').Select(int.Parse).ToArray();
        (_m, _n, _k) = (dims[0], dims[1], dims[2]);
        _ta = Shape.Contains("(At)");
        _tb = Shape.Contains("(Bt)");
        _gemm = Implementation == "openblas" ? OpenBlasGemm.Instance ?? throw new InvalidOperationException("OpenBLAS not installed") : ManagedGemm.Instance;
        var rng = new Random(1);
        _ad = Enumerable.Range(0, _m * _k).Select(_ => rng.NextDouble() - 0.5).ToArray();
        _bd = Enumerable.Range(0, _k * _n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        _cd = new double[_m * _n];
        _af = _ad.Select(v => (float)v).ToArray();
        _bf = _bd.Select(v => (float)v).ToArray();
        _cf = new float[_m * _n];
    }

    [Benchmark]
    public void Float() => _gemm.Multiply(_ta, _tb, _m, _n, _k, 1f, _af, _ta ? _m : _k, _bf, _tb ? _k : _n, 0f, _cf, _n);

    [Benchmark]
    public void Double() => _gemm.Multiply(_ta, _tb, _m, _n, _k, 1.0, _ad, _ta ? _m : _k, _bd, _tb ? _k : _n, 0.0, _cd, _n);
}
