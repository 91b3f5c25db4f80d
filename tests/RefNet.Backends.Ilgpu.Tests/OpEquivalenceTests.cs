// Every IBackend operation on ILGPU against ReferenceBackend (the specification), for random small shapes and seeds.
// The same class runs on the CPU accelerator (always; results must be bitwise equal) and on CUDA (skipped when no
// CUDA device is present; results within the tolerance model, see Equivalence.cs).
using RefNet.Metrics;
using RefNet.Tests;
using RefNet.Activations;
using System.Numerics;
using RefNet.Backends.Ilgpu;
using RefNet.Backends;
using RefNet.Tensors;
using Xunit;

namespace RefNet.Backends.Ilgpu.Tests;

/// <summary>Op-by-op equivalence of an ILGPU backend with <see cref="ReferenceBackend{T}"/>.</summary>
public abstract class OpEquivalenceTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Random cases per operation (each a new shape and seed); small because the CPU accelerator is slow.</summary>
    protected const int Cases = 6;

    private readonly IBackend<T>? _gpu;
    private readonly bool _cuda;

    protected OpEquivalenceTests(IlgpuFixture fixture, IlgpuDevice device, IlgpuGemm? gemm = null)
    {
        _gpu = fixture.Get<T>(device, gemm);
        _cuda = device == IlgpuDevice.Cuda;
    }

    /// <summary>The specification: every operation, GEMM included, as plain loops.</summary>
    protected static ReferenceBackend<T> Cpu => ReferenceBackend<T>.Instance;

    /// <summary>The backend under test; skips the test when it is CUDA and no CUDA device exists.</summary>
    protected IBackend<T> Gpu
    {
        get
        {
            Skip.If(_gpu is null, "no CUDA device present");
            return _gpu!;
        }
    }

    // ---- helpers ------------------------------------------------------------------------

    /// <summary>A host tensor with uniform values in [lo, hi) and its copy on the backend under test.</summary>
    protected (Tensor<T> Cpu, Tensor<T> Gpu) Pair(Shape shape, Random rng, double lo = -2, double hi = 2)
    {
        var data = new T[shape.Length];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = T.CreateChecked(lo + ((hi - lo) * rng.NextDouble()));
        }
        return Upload(shape, data);
    }

    protected (Tensor<T> Cpu, Tensor<T> Gpu) Upload(Shape shape, T[] data)
    {
        Tensor<T> host = Tensor<T>.FromArray(shape, data);
        Tensor<T> device = Gpu.Allocate(shape);
        Gpu.CopyFromHost(data, device);
        return (host, device);
    }

    protected static double[] Abs(double[] v) => v.Select(Math.Abs).ToArray();

    protected static double[] Plus(double[] a, double[] b) => a.Zip(b, (x, y) => x + y).ToArray();

    /// <summary>
    /// On the CPU accelerator: gpu is bitwise equal to cpu. On CUDA: gpu ≈ cpu with the model's bound for sums of
    /// <paramref name="k"/> terms of magnitude M.
    /// </summary>
    protected void Close(Tensor<T> cpu, Tensor<T> gpu, double[]? magnitude, int k, string what, bool transcendental = false)
    {
        if (!_cuda)
        {
            Equivalence.AssertBitwise<T>(cpu.ToArray(), gpu.ToArray(), what);
            return;
        }
        double[] expected = cpu.ToDoubleArray();
        Equivalence.AssertClose(expected, gpu.ToDoubleArray(), magnitude ?? Abs(expected),
            Equivalence.Relative<T>(k, _cuda, transcendental), what);
    }

    /// <summary>Runs <paramref name="body"/> for <see cref="Cases"/> seeds, naming the seed on failure.</summary>
    protected void ForSeeds(Action<Random, int> body, int cases = Cases)
    {
        _ = Gpu;
        for (int seed = 1; seed <= cases; seed++)
        {
            try
            {
                body(new Random(seed), seed);
            }
            catch (Exception e) when (e is not SkipException)
            {
                throw new Xunit.Sdk.XunitException($"seed {seed}: {e.Message}", e);
            }
        }
    }

    // ---- memory -------------------------------------------------------------------------

    [SkippableFact]
    public void CopyFill_RoundTripExactly()
    {
        ForSeeds((rng, _) =>
        {
            var shape = new Shape(rng.Next(1, 6), rng.Next(1, 7));
            var (c, g) = Pair(shape, rng);
            Assert.Equal(c.ToArray(), g.ToArray());
            Tensor<T> copy = Gpu.Allocate(shape);
            Gpu.Copy(g, copy);
            Assert.Equal(c.ToArray(), copy.ToArray());
            Gpu.Fill(copy, T.CreateChecked(1.25));
            Assert.All(copy.ToArray(), v => Assert.Equal(T.CreateChecked(1.25), v));
            Assert.True(Gpu.Owns(g));
            Assert.False(Gpu.Owns(c));
        });
    }

    [SkippableFact]
    public void GatherRows_MatchesCpu_AndRejectsBadRows()
    {
        ForSeeds((rng, _) =>
        {
            int rows = rng.Next(1, 9);
            var (c, g) = Pair(new Shape(rows, rng.Next(1, 6)), rng);
            int[] pick = Enumerable.Range(0, rng.Next(1, 7)).Select(_ => rng.Next(rows)).ToArray();
            Tensor<T> dc = Cpu.Allocate(new Shape(pick.Length, c.Columns));
            Tensor<T> dg = Gpu.Allocate(new Shape(pick.Length, c.Columns));
            Cpu.GatherRows(c, pick, dc);
            Gpu.GatherRows(g, pick, dg);
            Assert.Equal(dc.ToArray(), dg.ToArray());
            Assert.Throws<ArgumentOutOfRangeException>(() => Gpu.GatherRows(g, [rows], Gpu.Allocate(new Shape(1, c.Columns))));
        });
    }

    [SkippableFact]
    public void HostTensor_IsRejected_WithTheBackendName()
    {
        var host = new Tensor<T>(2, 3);
        var e = Assert.Throws<ArgumentException>(() => Gpu.Scale(host, T.One, Gpu.Allocate(new Shape(2, 3))));
        Assert.Contains(Gpu.Name, e.Message);
    }

    // ---- linear algebra -----------------------------------------------------------------

    [SkippableFact]
    public void MatMul_AllTransposes_AlphaBeta_MatchCpu()
    {
        ForSeeds((rng, seed) =>
        {
            int m = rng.Next(1, 11);
            int n = rng.Next(1, 11);
            int k = rng.Next(1, 14);
            bool ta = (seed & 1) == 1;
            bool tb = (seed & 2) == 2;
            var (ac, ag) = Pair(ta ? new Shape(k, m) : new Shape(m, k), rng);
            var (bc, bg) = Pair(tb ? new Shape(n, k) : new Shape(k, n), rng);
            var (cc, cg) = Pair(new Shape(m, n), rng);
            T alpha = T.CreateChecked(seed % 3 == 0 ? 1.0 : 0.75);
            T beta = T.CreateChecked(seed % 2 == 0 ? 0.0 : -0.5);
            double[] cBefore = cc.ToDoubleArray();
            Cpu.MatMul(ac, ta, bc, tb, cc, alpha, beta);
            Gpu.MatMul(ag, ta, bg, tb, cg, alpha, beta);
            // M = |alpha|·|A||B| + |beta|·|C|, computed by the CPU GEMM on absolute values.
            Tensor<T> absA = Tensor<T>.FromArray(ac.Shape, ac.ToArray().Select(T.Abs).ToArray());
            Tensor<T> absB = Tensor<T>.FromArray(bc.Shape, bc.ToArray().Select(T.Abs).ToArray());
            Tensor<T> mag = Cpu.Allocate(cc.Shape);
            Cpu.MatMul(absA, ta, absB, tb, mag, T.Abs(alpha), T.Zero);
            double[] magnitude = Plus(mag.ToDoubleArray(), Abs(cBefore).Select(v => v * Math.Abs(double.CreateChecked(beta))).ToArray());
            Close(cc, cg, magnitude, k + 1, $"MatMul {m}x{k}x{n} ta={ta} tb={tb}");
        }, cases: 8);
    }

    [SkippableFact]
    public void MatMul_HandComputedCase()
    {
        // [1 2 3; 4 5 6] · [1 0; 0 1; 1 1] = [4 5; 10 11]
        var a = Upload(new Shape(2, 3), [.. new[] { 1.0, 2, 3, 4, 5, 6 }.Select(T.CreateChecked)]).Gpu;
        var b = Upload(new Shape(3, 2), [.. new[] { 1.0, 0, 0, 1, 1, 1 }.Select(T.CreateChecked)]).Gpu;
        Tensor<T> c = Gpu.Allocate(new Shape(2, 2));
        Gpu.MatMul(a, false, b, false, c, T.One, T.Zero);
        Assert.Equal(new[] { 4.0, 5, 10, 11 }, c.ToDoubleArray());
        Assert.Throws<ShapeMismatchException>(() => Gpu.MatMul(a, false, a, false, c, T.One, T.Zero));
    }

    [SkippableFact]
    public void HandComputedCases()
    {
        T[] Values(params double[] v) => [.. v.Select(T.CreateChecked)];
        Tensor<T> x = Upload(new Shape(2, 2), Values(-1, 0, 0, Math.Log(2))).Gpu;
        Tensor<T> y = Gpu.Allocate(x.Shape);
        Gpu.Activation(ActivationKind.Relu, x, y);
        Assert.Equal(new[] { 0.0, 0, 0, double.CreateChecked(T.CreateChecked(Math.Log(2))) }, y.ToDoubleArray());
        Gpu.Activation(ActivationKind.Sigmoid, x, y);
        Assert.Equal(0.5, y.ToDoubleArray()[1]);
        // softmax([0, ln 2]) = [1/3, 2/3]; softmax([-1, 0]) = [1/(1+e), e/(1+e)].
        Gpu.Activation(ActivationKind.Softmax, x, y);
        double[] s = y.ToDoubleArray();
        double u = Equivalence.UnitRoundoff<T>() * 8;
        Assert.InRange(s[2], 1.0 / 3 - u, 1.0 / 3 + u);
        Assert.InRange(s[3], 2.0 / 3 - u, 2.0 / 3 + u);
        Assert.InRange(s[0], 1 / (1 + Math.E) - u, 1 / (1 + Math.E) + u);
        Tensor<T> v = Upload(new Shape(3), Values(1, -2, 3)).Gpu;
        Assert.Equal(2.0, double.CreateChecked(Gpu.Sum(v)));
        Assert.Equal(14.0, double.CreateChecked(Gpu.SumOfSquares(v)));
        Assert.Equal(6.0, double.CreateChecked(Gpu.SumOfAbsolute(v)));
        // Row argmax: [0.1 0.9] vs [0 1] correct, [0.8 0.2] vs [0 1] wrong.
        Tensor<T> p = Upload(new Shape(2, 2), Values(0.1, 0.9, 0.8, 0.2)).Gpu;
        Tensor<T> t = Upload(new Shape(2, 2), Values(0, 1, 0, 1)).Gpu;
        Assert.Equal(1, Gpu.CountCorrect(AccuracyKind.Categorical, p, t));
        Assert.Equal(2, Gpu.CountCorrect(AccuracyKind.Binary, p, t));
        // MSE of row [0.1 0.9] vs [0 1] = (0.01 + 0.01)/2.
        Tensor<T> l = Gpu.Allocate(new Shape(2));
        Gpu.LossForward(LossKind.MeanSquaredError, p, t, l, T.CreateChecked(1e-7));
        Assert.InRange(l.ToDoubleArray()[0], 0.01 - u, 0.01 + u);
        // Dropout with rate 0 keeps everything at scale 1.
        Gpu.DropoutMask(42, T.Zero, y);
        Assert.All(y.ToDoubleArray(), m => Assert.Equal(1.0, m));
    }

    [SkippableFact]
    public void AddRowVector_SumRows_MatchCpu()
    {
        ForSeeds((rng, _) =>
        {
            var shape = new Shape(rng.Next(1, 9), rng.Next(1, 9));
            var (xc, xg) = Pair(shape, rng);
            var (vc, vg) = Pair(new Shape(shape[1]), rng);
            Tensor<T> yc = Cpu.Allocate(shape);
            Tensor<T> yg = Gpu.Allocate(shape);
            Cpu.AddRowVector(xc, vc, yc);
            Gpu.AddRowVector(xg, vg, yg);
            Close(yc, yg, null, 2, "AddRowVector");
            Tensor<T> sc = Cpu.Allocate(new Shape(shape[1]));
            Tensor<T> sg = Gpu.Allocate(new Shape(shape[1]));
            Cpu.SumRows(xc, sc);
            Gpu.SumRows(xg, sg);
            Tensor<T> absSum = Cpu.Allocate(new Shape(shape[1]));
            Cpu.SumRows(Tensor<T>.FromArray(shape, xc.ToArray().Select(T.Abs).ToArray()), absSum);
            Close(sc, sg, absSum.ToDoubleArray(), shape[0], "SumRows");
        });
    }

    // ---- elementwise --------------------------------------------------------------------

    [SkippableFact]
    public void ElementwiseArithmetic_MatchesCpu()
    {
        ForSeeds((rng, _) =>
        {
            var shape = new Shape(rng.Next(1, 7), rng.Next(1, 7));
            var (ac, ag) = Pair(shape, rng);
            var (bc, bg) = Pair(shape, rng);
            double[] mag = Plus(Abs(ac.ToDoubleArray()), Abs(bc.ToDoubleArray()));
            T alpha = T.CreateChecked(rng.NextDouble() - 0.5);
            foreach (string op in new[] { "Add", "Subtract", "Multiply", "Scale", "Axpy", "AxpySign" })
            {
                Tensor<T> yc = Cpu.Allocate(shape);
                Tensor<T> yg = Gpu.Allocate(shape);
                Cpu.Copy(bc, yc);
                Gpu.Copy(bg, yg);
                Apply(Cpu, op, ac, bc, yc, alpha);
                Apply(Gpu, op, ag, bg, yg, alpha);
                double[] m = op == "Multiply" ? Abs(yc.ToDoubleArray()) : Plus(mag, Abs(yc.ToDoubleArray()));
                Close(yc, yg, m, 2, op);
            }
        });
    }

    private static void Apply(IBackend<T> b, string op, Tensor<T> x, Tensor<T> z, Tensor<T> y, T alpha)
    {
        switch (op)
        {
            case "Add":
                b.Add(x, z, y);
                break;
            case "Subtract":
                b.Subtract(x, z, y);
                break;
            case "Multiply":
                b.Multiply(x, z, y);
                break;
            case "Scale":
                b.Scale(x, alpha, y);
                break;
            case "Axpy":
                b.Axpy(alpha, x, y);
                break;
            default:
                b.AxpySign(alpha, x, y);
                break;
        }
    }

    [SkippableFact]
    public void Activations_ForwardAndBackward_MatchCpu()
    {
        ForSeeds((rng, _) =>
        {
            var shape = new Shape(rng.Next(1, 6), rng.Next(1, 8));
            var (xc, xg) = Pair(shape, rng, -6, 6);
            var (gc, gg) = Pair(shape, rng);
            foreach (ActivationKind kind in Enum.GetValues<ActivationKind>())
            {
                bool transcendental = kind is ActivationKind.Sigmoid or ActivationKind.Tanh or ActivationKind.Softmax;
                int k = kind == ActivationKind.Softmax ? shape[1] : 1;
                Tensor<T> yc = Cpu.Allocate(shape);
                Tensor<T> yg = Gpu.Allocate(shape);
                Cpu.Activation(kind, xc, yc);
                Gpu.Activation(kind, xg, yg);
                Close(yc, yg, null, k, $"{kind} forward", transcendental);
                // Backward from the same (CPU) output so that only the backward kernel is compared.
                Tensor<T> yOnGpu = Upload(shape, yc.ToArray()).Gpu;
                Tensor<T> dc = Cpu.Allocate(shape);
                Tensor<T> dg = Gpu.Allocate(shape);
                Cpu.ActivationBackward(kind, yc, gc, dc);
                Gpu.ActivationBackward(kind, yOnGpu, gg, dg);
                double[] mag = kind == ActivationKind.Softmax ? SoftmaxBackwardMagnitude(yc, gc) : Abs(dc.ToDoubleArray());
                Close(dc, dg, mag, k + 1, $"{kind} backward");
            }
        });
    }

    /// <summary>|y_j|·(|g_j| + Σ_k |g_k y_k|) per element: the magnitude of y ⊙ (g − ⟨g, y⟩).</summary>
    private static double[] SoftmaxBackwardMagnitude(Tensor<T> y, Tensor<T> g)
    {
        double[] ys = y.ToDoubleArray();
        double[] gs = g.ToDoubleArray();
        int cols = y.Columns;
        var m = new double[ys.Length];
        for (int r = 0; r < y.Rows; r++)
        {
            double dot = 0;
            for (int j = 0; j < cols; j++)
            {
                dot += Math.Abs(gs[r * cols + j] * ys[r * cols + j]);
            }
            for (int j = 0; j < cols; j++)
            {
                m[r * cols + j] = Math.Abs(ys[r * cols + j]) * (Math.Abs(gs[r * cols + j]) + dot);
            }
        }
        return m;
    }

    // ---- reductions ---------------------------------------------------------------------

    [SkippableFact]
    public void Sums_MatchCpu_IncludingTheTwoStagePath()
    {
        ForSeeds((rng, seed) =>
        {
            // Lengths above 256 go through several strided partials per thread.
            int n = seed % 2 == 0 ? rng.Next(1, 40) : rng.Next(257, 700);
            var (xc, xg) = Pair(new Shape(n), rng);
            double absSum = double.CreateChecked(Cpu.SumOfAbsolute(xc));
            double sq = double.CreateChecked(Cpu.SumOfSquares(xc));
            if (!_cuda)
            {
                // Bitwise against the kernel's fixed 256-partial tree, replicated in Equivalence.FixedTreeSum.
                T[] xs = xc.ToArray();
                Equivalence.AssertBitwise<T>([Equivalence.FixedTreeSum<T>(xs, v => v)], [Gpu.Sum(xg)], $"Sum n={n}");
                Equivalence.AssertBitwise<T>([Equivalence.FixedTreeSum<T>(xs, v => v * v)], [Gpu.SumOfSquares(xg)], $"SumOfSquares n={n}");
                Equivalence.AssertBitwise<T>([Equivalence.FixedTreeSum<T>(xs, T.Abs)], [Gpu.SumOfAbsolute(xg)], $"SumOfAbsolute n={n}");
            }
            // Against the reference's left-to-right loop: a different association, so the Higham bound c·√K·u·Σ|x|.
            Equivalence.AssertClose([double.CreateChecked(Cpu.Sum(xc))], [double.CreateChecked(Gpu.Sum(xg))], [absSum], Equivalence.Relative<T>(n, _cuda), $"Sum n={n}");
            Equivalence.AssertClose([sq], [double.CreateChecked(Gpu.SumOfSquares(xg))], [sq], Equivalence.Relative<T>(n, _cuda), $"SumOfSquares n={n}");
            Equivalence.AssertClose([absSum], [double.CreateChecked(Gpu.SumOfAbsolute(xg))], [absSum], Equivalence.Relative<T>(n, _cuda), $"SumOfAbsolute n={n}");
        });
    }

    // ---- losses and metrics -------------------------------------------------------------

    [SkippableFact]
    public void Losses_ForwardAndBackward_MatchCpu_IncludingClippedValues()
    {
        ForSeeds((rng, seed) =>
        {
            var shape = new Shape(rng.Next(1, 7), rng.Next(1, 6));
            var data = new T[shape.Length];
            for (int i = 0; i < data.Length; i++)
            {
                // Some predictions inside the clip region [0, ε] ∪ [1−ε, 1].
                double v = rng.Next(8) == 0 ? (rng.Next(2) == 0 ? 1e-9 : 1 - 1e-9) : rng.NextDouble() * 0.98 + 0.01;
                data[i] = T.CreateChecked(v);
            }
            var (pc, pg) = Upload(shape, data);
            var (yc, yg) = Pair(shape, rng, 0, 1);
            T epsilon = T.CreateChecked(1e-7);
            T scale = T.CreateChecked(1.0 / shape[0]);
            foreach (LossKind kind in Enum.GetValues<LossKind>())
            {
                bool log = kind is LossKind.BinaryCrossentropy or LossKind.CategoricalCrossentropy;
                Tensor<T> lc = Cpu.Allocate(new Shape(shape[0]));
                Tensor<T> lg = Gpu.Allocate(new Shape(shape[0]));
                Cpu.LossForward(kind, pc, yc, lc, epsilon);
                Gpu.LossForward(kind, pg, yg, lg, epsilon);
                Close(lc, lg, null, 2 * shape[1], $"{kind} forward", log);
                Tensor<T> gc = Cpu.Allocate(shape);
                Tensor<T> gg = Gpu.Allocate(shape);
                Cpu.LossBackward(kind, pc, yc, scale, gc, epsilon);
                Gpu.LossBackward(kind, pg, yg, scale, gg, epsilon);
                Close(gc, gg, RowMax(gc), 2 * shape[1], $"{kind} backward");
            }
        });
    }

    /// <summary>Each element's magnitude = the largest |value| in its row (CCE's gradient mixes the whole row).</summary>
    private static double[] RowMax(Tensor<T> t)
    {
        double[] v = t.ToDoubleArray();
        int cols = t.Columns;
        return v.Select((_, i) => v.Skip(i / cols * cols).Take(cols).Max(Math.Abs)).ToArray();
    }

    [SkippableFact]
    public void CountCorrect_MatchesCpuExactly()
    {
        ForSeeds((rng, _) =>
        {
            var shape = new Shape(rng.Next(1, 9), rng.Next(1, 5));
            var (pc, pg) = Pair(shape, rng, 0, 1);
            var targets = new T[shape.Length];
            var labels = new T[shape[0]];
            for (int r = 0; r < shape[0]; r++)
            {
                int label = rng.Next(shape[1]);
                targets[r * shape[1] + label] = T.One;
                labels[r] = T.CreateChecked(label);
            }
            var (yc, yg) = Upload(shape, targets);
            var (lc, lg) = Upload(new Shape(shape[0]), labels);
            foreach (AccuracyKind kind in Enum.GetValues<AccuracyKind>())
            {
                // Sparse categorical accuracy takes the class indices; the others the one-hot rows.
                (Tensor<T> c, Tensor<T> g) = kind == AccuracyKind.SparseCategorical ? (lc, lg) : (yc, yg);
                Assert.Equal(Cpu.CountCorrect(kind, pc, c), Gpu.CountCorrect(kind, pg, g));
            }
            Assert.Equal(Cpu.CountCorrect(AccuracyKind.Categorical, pc, yc), Cpu.CountCorrect(AccuracyKind.SparseCategorical, pc, lc));
        });
    }

    // ---- randomness ---------------------------------------------------------------------

    [SkippableFact]
    public void DropoutMask_IsBitIdenticalToCpu()
    {
        ForSeeds((rng, _) =>
        {
            var shape = new Shape(rng.Next(1, 9), rng.Next(1, 9));
            ulong seed = (ulong)rng.NextInt64();
            T rate = T.CreateChecked(new[] { 0.0, 0.1, 0.25, 0.5, 0.9 }[rng.Next(5)]);
            Tensor<T> mc = Cpu.Allocate(shape);
            Tensor<T> mg = Gpu.Allocate(shape);
            Cpu.DropoutMask(seed, rate, mc);
            Gpu.DropoutMask(seed, rate, mg);
            Assert.Equal(mc.ToArray(), mg.ToArray());
        });
    }

    // ---- optimizer updates --------------------------------------------------------------

    [SkippableFact]
    public void OptimizerUpdates_TenSteps_MatchCpu()
    {
        ForSeeds((rng, seed) =>
        {
            var shape = new Shape(rng.Next(1, 6), rng.Next(1, 6));
            var (pc, pg) = Pair(shape, rng);
            var (s1c, s1g) = Pair(shape, rng, 0, 1);
            var (s2c, s2g) = Pair(shape, rng, 0, 1);
            string rule = new[] { "sgd", "momentum", "nesterov", "rmsprop", "adam", "adagrad", "adadelta" }[seed % 7];
            T lr = T.CreateChecked(0.05);
            for (int step = 0; step < 10; step++)
            {
                var (gc, gg) = Pair(shape, rng);
                Step(Cpu, rule, pc, gc, s1c, s2c, lr);
                Step(Gpu, rule, pg, gg, s1g, s2g, lr);
            }
            // Elementwise with a square root per step: 10 steps of a few roundings each.
            Close(pc, pg, Plus(Abs(pc.ToDoubleArray()), Enumerable.Repeat(1.0, shape.Length).ToArray()), 40, $"{rule} parameters");
            Close(s1c, s1g, Plus(Abs(s1c.ToDoubleArray()), Enumerable.Repeat(1.0, shape.Length).ToArray()), 40, $"{rule} state");
            Close(s2c, s2g, Plus(Abs(s2c.ToDoubleArray()), Enumerable.Repeat(1.0, shape.Length).ToArray()), 40, $"{rule} second state");
        }, cases: 7);
    }

    private static void Step(IBackend<T> b, string rule, Tensor<T> p, Tensor<T> g, Tensor<T> s1, Tensor<T> s2, T lr)
    {
        T rho = T.CreateChecked(0.9);
        T eps = T.CreateChecked(1e-7);
        switch (rule)
        {
            case "sgd":
                b.SgdUpdate(p, g, null, lr, T.Zero, false);
                break;
            case "momentum":
                b.SgdUpdate(p, g, s1, lr, rho, false);
                break;
            case "nesterov":
                b.SgdUpdate(p, g, s1, lr, rho, true);
                break;
            case "rmsprop":
                b.RmsPropUpdate(p, g, s1, lr, rho, eps);
                break;
            case "adam":
                b.AdamUpdate(p, g, s1, s2, lr, rho, T.CreateChecked(0.999), eps);
                break;
            case "adadelta":
                b.AdadeltaUpdate(p, g, s1, s2, lr, rho, eps);
                break;
            default:
                b.AdaGradUpdate(p, g, s1, lr, eps);
                break;
        }
    }
}

[Collection("Ilgpu")]
public sealed class CpuAcceleratorFloatOpTests(IlgpuFixture fixture) : OpEquivalenceTests<float>(fixture, IlgpuDevice.Cpu);

[Collection("Ilgpu")]
public sealed class CpuAcceleratorDoubleOpTests(IlgpuFixture fixture) : OpEquivalenceTests<double>(fixture, IlgpuDevice.Cpu);

[Collection("Ilgpu")]
public sealed class CudaFloatOpTests(IlgpuFixture fixture) : OpEquivalenceTests<float>(fixture, IlgpuDevice.Cuda);

[Collection("Ilgpu")]
public sealed class CudaDoubleOpTests(IlgpuFixture fixture) : OpEquivalenceTests<double>(fixture, IlgpuDevice.Cuda);

/// <summary>The CUDA GEMM kernel (shared-memory tiles, 4 × 4 here) on the CPU accelerator, which honours its barriers.</summary>
[Collection("Ilgpu")]
public sealed class CpuAcceleratorTiledGemmFloatOpTests(IlgpuFixture fixture) : OpEquivalenceTests<float>(fixture, IlgpuDevice.Cpu, IlgpuGemm.Tiled);

[Collection("Ilgpu")]
public sealed class CpuAcceleratorTiledGemmDoubleOpTests(IlgpuFixture fixture) : OpEquivalenceTests<double>(fixture, IlgpuDevice.Cpu, IlgpuGemm.Tiled);
