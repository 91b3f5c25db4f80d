// The backend contract: every IBackend<T> operation against a naive loop written here, in double.
// Subclass once per backend (CPU float/double here; ILGPU in its own test project) to run the same tests.
using RefNet.Activations;
using System.Numerics;
using RefNet.Backends;
using RefNet.Metrics;
using RefNet.Tensors;
using Xunit;
using Xunit.Sdk;

namespace RefNet.Tests.BackendContract;

/// <summary>Contract tests for one backend and element type; expected values come from plain double loops.</summary>
/// <remarks>
/// Tolerance model (shared/reference/gradcheck.md §9): the reference is computed in double from the
/// same T-rounded inputs. For double, |Δ| ≤ 1e-12 · M; for float, |Δ| ≤ (4√K + c) · u · M with u = 2⁻²⁴,
/// where K is the reduction length and M the magnitude shadow Σ|terms| of each output (|expected| for
/// elementwise ops) and c a few ulps for the final rounding and transcendental functions.
/// </remarks>
public abstract partial class BackendContractTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Lazy<IBackend<T>> _backend;

    protected BackendContractTests() => _backend = new Lazy<IBackend<T>>(CreateBackend);

    /// <summary>The backend under test (created once per test class instance).</summary>
    protected IBackend<T> Backend => _backend.Value;

    /// <summary>Creates the backend under test.</summary>
    protected abstract IBackend<T> CreateBackend();

    /// <summary>Largest dimension used by the random cases (lower it for slow backends).</summary>
    protected virtual int MaxDimension => 24;

    /// <summary>A GEMM large enough for blocked and multi-threaded paths (K past a 256 depth block, m·n·k past 2¹⁶).</summary>
    protected virtual (int M, int K, int N) LargeMatMulShape => (67, 300, 70);

    protected static bool IsFloat => typeof(T) == typeof(float);

    /// <summary>Unit roundoff of T.</summary>
    protected static double Unit => IsFloat ? Math.Pow(2, -24) : Math.Pow(2, -53);

    // ---- data helpers (tensors always created through the backend; results read with ToArray) ----

    /// <summary>Values rounded to T and back, so the double reference sees exactly what the backend sees.</summary>
    protected static double[] RoundToT(double[] values) => values.Select(v => double.CreateChecked(T.CreateChecked(v))).ToArray();

    /// <summary>Uniform values in [lo, hi], already rounded to T.</summary>
    protected static double[] RandomValues(Random r, int n, double lo = -1, double hi = 1) =>
        RoundToT(Enumerable.Range(0, n).Select(_ => lo + (r.NextDouble() * (hi - lo))).ToArray());

    /// <summary>A backend tensor holding <paramref name="values"/>.</summary>
    protected Tensor<T> Make(Shape shape, double[] values)
    {
        Tensor<T> t = Backend.Allocate(shape);
        Backend.CopyFromHost(values.Select(T.CreateChecked).ToArray(), t);
        return t;
    }

    /// <summary>A backend tensor of random values in [lo, hi]; the values come back through <paramref name="values"/>.</summary>
    protected Tensor<T> RandomTensor(Random r, Shape shape, out double[] values, double lo = -1, double hi = 1)
    {
        values = RandomValues(r, shape.Length, lo, hi);
        return Make(shape, values);
    }

    protected static double[] Read(Tensor<T> t) => t.ToArray().Select(double.CreateChecked).ToArray();

    /// <summary>(rows, cols) cases from 1×1 up to <see cref="MaxDimension"/>.</summary>
    protected (int Rows, int Cols)[] Shapes => [(1, 1), (3, 5), (4, 1), (1, 7), (Math.Min(6, MaxDimension), MaxDimension)];

    /// <summary>Asserts every element within the tolerance model; the message names the worst element.</summary>
    /// <param name="op">Operation name for the message.</param>
    /// <param name="expected">Double reference.</param>
    /// <param name="actual">Backend output.</param>
    /// <param name="magnitude">Magnitude shadow per element (|expected| when null).</param>
    /// <param name="k">Reduction length behind each element.</param>
    /// <param name="ulps">Extra float ulps (final rounding, transcendental functions).</param>
    /// <param name="absolute">An absolute allowance (for results that underflow in T).</param>
    protected static void AssertClose(string op, double[] expected, double[] actual, double[]? magnitude = null, int k = 1, double ulps = 4, double absolute = 1e-300)
    {
        Assert.Equal(expected.Length, actual.Length);
        double factor = IsFloat ? ((4 * Math.Sqrt(k)) + ulps) * Unit : 1e-12;
        int worst = -1;
        double worstRatio = 1;
        for (int i = 0; i < expected.Length; i++)
        {
            double m = magnitude?[i] ?? Math.Abs(expected[i]);
            double allowed = (factor * m) + absolute;
            double err = Math.Abs(expected[i] - actual[i]);
            double ratio = double.IsNaN(err) ? double.PositiveInfinity : err / allowed;
            if (ratio > worstRatio)
            {
                worstRatio = ratio;
                worst = i;
            }
        }
        if (worst >= 0)
        {
            throw new XunitException($"{op} ({typeof(T).Name}): element {worst} expected {expected[worst]:R} but got {actual[worst]:R} " +
                $"(error {Math.Abs(expected[worst] - actual[worst]):E3} is {worstRatio:F1}× the allowed {factor:E2}·M)");
        }
    }

    // ---- memory ----------------------------------------------------------------------------------

    [SkippableFact]
    public void Allocate_GivesZeroFilledTensorOfTheShape_OwnedByTheBackend()
    {
        Tensor<T> t = Backend.Allocate(new Shape(3, 4));
        Assert.Equal(new Shape(3, 4), t.Shape);
        Assert.All(Read(t), v => Assert.Equal(0.0, v));
        Assert.True(Backend.Owns(t));
    }

    [SkippableFact]
    public void CopyFromHost_RoundTripsThroughToArray()
    {
        double[] values = RandomValues(new Random(1), 12);
        Assert.Equal(values, Read(Make(new Shape(3, 4), values)));
    }

    [SkippableFact]
    public void CopyFromHost_WrongLength_Throws() =>
        Assert.ThrowsAny<ArgumentException>(() => Backend.CopyFromHost(new T[5], Backend.Allocate(new Shape(2, 3))));

    [SkippableFact]
    public void Copy_CopiesEveryElement()
    {
        Tensor<T> src = RandomTensor(new Random(2), new Shape(4, 3), out double[] v);
        Tensor<T> dst = Backend.Allocate(new Shape(4, 3));
        Backend.Copy(src, dst);
        Assert.Equal(v, Read(dst));
    }

    [SkippableFact]
    public void Fill_SetsEveryElement()
    {
        Tensor<T> t = RandomTensor(new Random(3), new Shape(2, 5), out _);
        Backend.Fill(t, T.CreateChecked(0.375));
        Assert.All(Read(t), v => Assert.Equal(0.375, v));
    }

    [SkippableFact]
    public void GatherRows_PicksRowsInOrder_WithRepeats()
    {
        Tensor<T> src = RandomTensor(new Random(4), new Shape(5, 3), out double[] v);
        int[] rows = [4, 0, 4, 2];
        Tensor<T> dst = Backend.Allocate(new Shape(4, 3));
        Backend.GatherRows(src, rows, dst);
        double[] expected = rows.SelectMany(r => v.Skip(r * 3).Take(3)).ToArray();
        Assert.Equal(expected, Read(dst));
    }

    [SkippableFact]
    public void GatherRows_RowOutOfRange_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Backend.GatherRows(Backend.Allocate(new Shape(2, 3)), [2], Backend.Allocate(new Shape(1, 3))));

    [SkippableFact]
    public void GatherRows_WrongDestinationShape_Throws() =>
        Assert.Throws<ShapeMismatchException>(() => Backend.GatherRows(Backend.Allocate(new Shape(2, 3)), [0, 1], Backend.Allocate(new Shape(2, 4))));

    // ---- linear algebra -------------------------------------------------------------------------

    [SkippableFact]
    public void MatMul_HandWorked2x3Times3x2()
    {
        // [1 2 3; 4 5 6] · [7 8; 9 10; 11 12] = [1·7+2·9+3·11, 1·8+2·10+3·12; 4·7+5·9+6·11, 4·8+5·10+6·12] = [58 64; 139 154]
        Tensor<T> a = Make(new Shape(2, 3), [1, 2, 3, 4, 5, 6]);
        Tensor<T> b = Make(new Shape(3, 2), [7, 8, 9, 10, 11, 12]);
        Tensor<T> c = Backend.Allocate(new Shape(2, 2));
        Backend.MatMul(a, false, b, false, c, T.One, T.Zero);
        Assert.Equal([58.0, 64, 139, 154], Read(c));
    }

    [SkippableTheory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void MatMul_BetaZero_NeverReadsC_NaNAndInfinityInCAreOverwritten(bool transposeA, bool transposeB)
    {
        // BLAS: with beta = 0, C is output only (0·NaN would otherwise be NaN). Same product as the hand-worked case.
        Tensor<T> a = Make(transposeA ? new Shape(3, 2) : new Shape(2, 3), transposeA ? [1, 4, 2, 5, 3, 6] : [1, 2, 3, 4, 5, 6]);
        Tensor<T> b = Make(transposeB ? new Shape(2, 3) : new Shape(3, 2), transposeB ? [7, 9, 11, 8, 10, 12] : [7, 8, 9, 10, 11, 12]);
        Tensor<T> c = Make(new Shape(2, 2), [double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.NaN]);
        Backend.MatMul(a, transposeA, b, transposeB, c, T.One, T.Zero);
        Assert.Equal([58.0, 64, 139, 154], Read(c));
    }

    public static TheoryData<bool, bool, double, double> MatMulCases => new()
    {
        { false, false, 1, 0 },
        { true, false, 1, 0 },
        { false, true, 1, 0 },
        { true, true, 1, 0 },
        { false, false, 0.5, 2 },
        { true, false, -1.5, 1 },
        { false, true, 2, -0.5 },
        { true, true, 0.25, 0.75 },
    };

    [SkippableTheory]
    [MemberData(nameof(MatMulCases))]
    public void MatMul_MatchesNaiveLoop(bool transposeA, bool transposeB, double alpha, double beta)
    {
        var r = new Random(5);
        foreach ((int m, int k, int n) in new[] { (1, 1, 1), (2, 3, 4), (Math.Min(5, MaxDimension), MaxDimension, 3), LargeMatMulShape })
        {
            Tensor<T> a = RandomTensor(r, transposeA ? new Shape(k, m) : new Shape(m, k), out double[] av);
            Tensor<T> b = RandomTensor(r, transposeB ? new Shape(n, k) : new Shape(k, n), out double[] bv);
            Tensor<T> c = RandomTensor(r, new Shape(m, n), out double[] cv);
            Backend.MatMul(a, transposeA, b, transposeB, c, T.CreateChecked(alpha), T.CreateChecked(beta));
            var expected = new double[m * n];
            var magnitude = new double[m * n];
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    double sum = 0;
                    double abs = 0;
                    for (int p = 0; p < k; p++)
                    {
                        double aip = transposeA ? av[(p * m) + i] : av[(i * k) + p];
                        double bpj = transposeB ? bv[(j * k) + p] : bv[(p * n) + j];
                        sum += aip * bpj;
                        abs += Math.Abs(aip * bpj);
                    }
                    expected[(i * n) + j] = (alpha * sum) + (beta * cv[(i * n) + j]);
                    magnitude[(i * n) + j] = (Math.Abs(alpha) * abs) + Math.Abs(beta * cv[(i * n) + j]);
                }
            }
            AssertClose($"MatMul {m}x{k}x{n} tA={transposeA} tB={transposeB} α={alpha} β={beta}", expected, Read(c), magnitude, k + 1);
        }
    }

    [SkippableFact]
    public void MatMul_InnerDimensionMismatch_NamesBothShapes()
    {
        Tensor<T> a = Backend.Allocate(new Shape(2, 3));
        Tensor<T> b = Backend.Allocate(new Shape(4, 2));
        var e = Assert.Throws<ShapeMismatchException>(() => Backend.MatMul(a, false, b, false, Backend.Allocate(new Shape(2, 2)), T.One, T.Zero));
        Assert.Contains("(2, 3)", e.Message);
        Assert.Contains("(4, 2)", e.Message);
    }

    [SkippableFact]
    public void MatMul_OutputShapeMismatch_NamesExpectedAndActual()
    {
        var e = Assert.Throws<ShapeMismatchException>(() =>
            Backend.MatMul(Backend.Allocate(new Shape(2, 3)), false, Backend.Allocate(new Shape(3, 4)), false, Backend.Allocate(new Shape(4, 2)), T.One, T.Zero));
        Assert.Contains("(2, 4)", e.Message);
        Assert.Contains("(4, 2)", e.Message);
    }

    [SkippableFact]
    public void AddRowVector_AddsVectorToEveryRow()
    {
        var r = new Random(6);
        foreach ((int rows, int cols) in Shapes)
        {
            Tensor<T> x = RandomTensor(r, new Shape(rows, cols), out double[] xv);
            Tensor<T> v = RandomTensor(r, new Shape(cols), out double[] vv);
            Tensor<T> y = Backend.Allocate(new Shape(rows, cols));
            Backend.AddRowVector(x, v, y);
            double[] expected = xv.Select((xi, i) => xi + vv[i % cols]).ToArray();
            double[] mag = xv.Select((xi, i) => Math.Abs(xi) + Math.Abs(vv[i % cols])).ToArray();
            AssertClose("AddRowVector", expected, Read(y), mag);
        }
    }

    [SkippableFact]
    public void AddRowVector_WrongVectorLength_Throws() =>
        Assert.Throws<ShapeMismatchException>(() => Backend.AddRowVector(Backend.Allocate(new Shape(2, 3)), Backend.Allocate(new Shape(4)), Backend.Allocate(new Shape(2, 3))));

    [SkippableFact]
    public void SumRows_SumsOverTheBatch()
    {
        var r = new Random(7);
        foreach ((int rows, int cols) in Shapes)
        {
            Tensor<T> x = RandomTensor(r, new Shape(rows, cols), out double[] xv);
            Tensor<T> y = RandomTensor(r, new Shape(cols), out _); // must be overwritten, not accumulated
            Backend.SumRows(x, y);
            var expected = new double[cols];
            var mag = new double[cols];
            for (int i = 0; i < rows; i++)
            {
                for (int j = 0; j < cols; j++)
                {
                    expected[j] += xv[(i * cols) + j];
                    mag[j] += Math.Abs(xv[(i * cols) + j]);
                }
            }
            AssertClose("SumRows", expected, Read(y), mag, rows);
        }
    }

    // ---- elementwise ----------------------------------------------------------------------------

    private void CheckBinary(string op, Action<Tensor<T>, Tensor<T>, Tensor<T>> run, Func<double, double, double> f)
    {
        var r = new Random(op.Length);
        foreach ((int rows, int cols) in Shapes)
        {
            Tensor<T> a = RandomTensor(r, new Shape(rows, cols), out double[] av);
            Tensor<T> b = RandomTensor(r, new Shape(rows, cols), out double[] bv);
            Tensor<T> y = Backend.Allocate(new Shape(rows, cols));
            run(a, b, y);
            double[] expected = av.Select((ai, i) => f(ai, bv[i])).ToArray();
            AssertClose(op, expected, Read(y));
            run(a, b, a); // the destination may alias a source
            AssertClose(op + " (aliased)", expected, Read(a));
        }
    }

    [SkippableFact]
    public void Add_IsElementwiseSum() => CheckBinary("Add", Backend.Add, (a, b) => a + b);

    [SkippableFact]
    public void Subtract_IsElementwiseDifference() => CheckBinary("Subtract", Backend.Subtract, (a, b) => a - b);

    [SkippableFact]
    public void Multiply_IsElementwiseProduct() => CheckBinary("Multiply", Backend.Multiply, (a, b) => a * b);

    [SkippableFact]
    public void Add_LengthMismatch_NamesBothShapes()
    {
        var e = Assert.Throws<ShapeMismatchException>(() => Backend.Add(Backend.Allocate(new Shape(2, 3)), Backend.Allocate(new Shape(3, 4)), Backend.Allocate(new Shape(2, 3))));
        Assert.Contains("(2, 3)", e.Message);
        Assert.Contains("(3, 4)", e.Message);
    }

    [SkippableFact]
    public void Scale_MultipliesByAlpha()
    {
        Tensor<T> x = RandomTensor(new Random(8), new Shape(3, 4), out double[] xv);
        Tensor<T> y = Backend.Allocate(new Shape(3, 4));
        double alpha = double.CreateChecked(T.CreateChecked(-1.7));
        Backend.Scale(x, T.CreateChecked(alpha), y);
        AssertClose("Scale", xv.Select(v => alpha * v).ToArray(), Read(y));
    }

    [SkippableFact]
    public void Axpy_AddsAlphaTimesX()
    {
        Tensor<T> x = RandomTensor(new Random(9), new Shape(3, 4), out double[] xv);
        Tensor<T> y = RandomTensor(new Random(10), new Shape(3, 4), out double[] yv);
        double alpha = double.CreateChecked(T.CreateChecked(0.3));
        Backend.Axpy(T.CreateChecked(alpha), x, y);
        AssertClose("Axpy", xv.Select((v, i) => yv[i] + (alpha * v)).ToArray(), Read(y),
            xv.Select((v, i) => Math.Abs(yv[i]) + Math.Abs(alpha * v)).ToArray(), 2);
    }

    [SkippableFact]
    public void AxpySign_AddsAlphaTimesSign_WithSignOfZeroZero()
    {
        double[] xv = [-2, -1e-30, 0, 1e-30, 3, 0];
        Tensor<T> x = Make(new Shape(2, 3), RoundToT(xv));
        Tensor<T> y = RandomTensor(new Random(11), new Shape(2, 3), out double[] yv);
        double alpha = 0.5;
        Backend.AxpySign(T.CreateChecked(alpha), x, y);
        double[] rx = RoundToT(xv);
        double[] expected = rx.Select((v, i) => yv[i] + (alpha * Math.Sign(v))).ToArray();
        AssertClose("AxpySign", expected, Read(y), expected.Select((e, i) => Math.Abs(yv[i]) + alpha).ToArray(), 2);
    }

    // ---- activations ----------------------------------------------------------------------------

    private static double[] NaiveActivation(ActivationKind kind, double[] x, int cols) => kind switch
    {
        ActivationKind.Linear => x.ToArray(),
        ActivationKind.Relu => x.Select(v => v > 0 ? v : 0).ToArray(),
        ActivationKind.Sigmoid => x.Select(v => 1 / (1 + Math.Exp(-v))).ToArray(),
        ActivationKind.Tanh => x.Select(Math.Tanh).ToArray(),
        ActivationKind.Softmax => x.Chunk(cols).SelectMany(row =>
        {
            double max = row.Max();
            double[] e = row.Select(v => Math.Exp(v - max)).ToArray();
            double s = e.Sum();
            return e.Select(v => v / s);
        }).ToArray(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [SkippableTheory]
    [InlineData(ActivationKind.Linear)]
    [InlineData(ActivationKind.Relu)]
    [InlineData(ActivationKind.Sigmoid)]
    [InlineData(ActivationKind.Tanh)]
    [InlineData(ActivationKind.Softmax)]
    public void Activation_MatchesNaiveFormula(ActivationKind kind)
    {
        var r = new Random(12 + (int)kind);
        foreach ((int rows, int cols) in Shapes)
        {
            Tensor<T> x = RandomTensor(r, new Shape(rows, cols), out double[] xv, -6, 6);
            xv[0] = 0; // the kink of relu: relu(0) = 0
            Backend.CopyFromHost(xv.Select(T.CreateChecked).ToArray(), x);
            Tensor<T> y = Backend.Allocate(new Shape(rows, cols));
            Backend.Activation(kind, x, y);
            AssertClose($"Activation {kind} {rows}x{cols}", NaiveActivation(kind, xv, cols), Read(y), k: kind == ActivationKind.Softmax ? cols : 1, ulps: 16);
        }
    }

    [SkippableTheory]
    [InlineData(ActivationKind.Sigmoid)]
    [InlineData(ActivationKind.Tanh)]
    [InlineData(ActivationKind.Softmax)]
    public void Activation_ExtremeInputs_StayFinite(ActivationKind kind)
    {
        double[] xv = [-1000, -300, -20, 20, 300, 1000];
        Tensor<T> y = Backend.Allocate(new Shape(1, 6));
        Backend.Activation(kind, Make(new Shape(1, 6), xv), y);
        Assert.All(Read(y), v => Assert.True(double.IsFinite(v), $"{kind} gave {v}"));
        // Below T's smallest normal number the result may flush to zero.
        double tiny = IsFloat ? 1e-37 : 1e-300;
        AssertClose($"Activation {kind} extremes", NaiveActivation(kind, xv, 6), Read(y), null, 6, 16, tiny);
    }

    [SkippableTheory]
    [InlineData(ActivationKind.Linear)]
    [InlineData(ActivationKind.Relu)]
    [InlineData(ActivationKind.Sigmoid)]
    [InlineData(ActivationKind.Tanh)]
    [InlineData(ActivationKind.Softmax)]
    public void ActivationBackward_MatchesNaiveFormula(ActivationKind kind)
    {
        var r = new Random(20 + (int)kind);
        foreach ((int rows, int cols) in Shapes)
        {
            // Backward is written in terms of the forward output y, so y comes from the naive forward.
            double[] xv = RandomValues(r, rows * cols, -3, 3);
            double[] yv = RoundToT(NaiveActivation(kind, xv, cols));
            Tensor<T> y = Make(new Shape(rows, cols), yv);
            Tensor<T> g = RandomTensor(r, new Shape(rows, cols), out double[] gv);
            Tensor<T> dx = Backend.Allocate(new Shape(rows, cols));
            Backend.ActivationBackward(kind, y, g, dx);
            var expected = new double[yv.Length];
            var mag = new double[yv.Length];
            for (int i = 0; i < rows; i++)
            {
                double dot = 0;
                double absDot = 0;
                for (int j = 0; j < cols; j++)
                {
                    dot += gv[(i * cols) + j] * yv[(i * cols) + j];
                    absDot += Math.Abs(gv[(i * cols) + j] * yv[(i * cols) + j]);
                }
                for (int j = 0; j < cols; j++)
                {
                    int o = (i * cols) + j;
                    (expected[o], mag[o]) = kind switch
                    {
                        ActivationKind.Linear => (gv[o], Math.Abs(gv[o])),
                        ActivationKind.Relu => (yv[o] > 0 ? gv[o] : 0, Math.Abs(gv[o])),
                        ActivationKind.Sigmoid => (gv[o] * yv[o] * (1 - yv[o]), Math.Abs(gv[o] * yv[o] * (1 - yv[o]))),
                        ActivationKind.Tanh => (gv[o] * (1 - (yv[o] * yv[o])), Math.Abs(gv[o]) * (1 + (yv[o] * yv[o]))),
                        _ => (yv[o] * (gv[o] - dot), Math.Abs(yv[o]) * (Math.Abs(gv[o]) + absDot)),
                    };
                }
            }
            AssertClose($"ActivationBackward {kind} {rows}x{cols}", expected, Read(dx), mag, cols + 1, 8);
        }
    }

    // ---- reductions -----------------------------------------------------------------------------

    [SkippableFact]
    public void Sum_SumOfSquares_SumOfAbsolute_MatchNaiveLoops()
    {
        var r = new Random(30);
        foreach ((int rows, int cols) in Shapes)
        {
            Tensor<T> x = RandomTensor(r, new Shape(rows, cols), out double[] xv);
            int k = xv.Length;
            AssertClose("Sum", [xv.Sum()], [double.CreateChecked(Backend.Sum(x))], [xv.Sum(Math.Abs)], k);
            AssertClose("SumOfSquares", [xv.Sum(v => v * v)], [double.CreateChecked(Backend.SumOfSquares(x))], null, k);
            AssertClose("SumOfAbsolute", [xv.Sum(Math.Abs)], [double.CreateChecked(Backend.SumOfAbsolute(x))], null, k);
        }
    }

    // ---- losses and metrics ---------------------------------------------------------------------

    private const double Eps = 1e-7;

    // Predictions and targets per loss: probabilities for the cross-entropies (with one exactly clipped entry).
    private (double[] P, double[] Y) LossData(LossKind kind, Random r, int rows, int cols)
    {
        double[] p;
        double[] y;
        switch (kind)
        {
            case LossKind.BinaryCrossentropy:
                p = RandomValues(r, rows * cols, 0.02, 0.98);
                y = Enumerable.Range(0, rows * cols).Select(_ => (double)r.Next(2)).ToArray();
                p[0] = 0; // clipped to ε: value −ln ε (or 0 when y = 0), gradient 0
                break;
            case LossKind.CategoricalCrossentropy:
                p = RandomValues(r, rows * cols, 0.05, 1.5); // rows need not sum to 1: Keras renormalises
                y = new double[rows * cols];
                for (int i = 0; i < rows; i++)
                {
                    y[(i * cols) + r.Next(cols)] = 1;
                }
                if (cols > 1)
                {
                    p[0] = y[0] == 1 ? p[0] : 0; // a zero probability on a wrong class: clipped, no contribution
                }
                break;
            default:
                p = RandomValues(r, rows * cols, -2, 2);
                y = RandomValues(r, rows * cols, -2, 2);
                break;
        }
        return (p, y);
    }

    private static double Clip(double v) => Math.Clamp(v, Eps, 1 - Eps);

    [SkippableTheory]
    [InlineData(LossKind.MeanSquaredError)]
    [InlineData(LossKind.MeanAbsoluteError)]
    [InlineData(LossKind.BinaryCrossentropy)]
    [InlineData(LossKind.CategoricalCrossentropy)]
    public void LossForward_MatchesNaivePerSampleFormula(LossKind kind)
    {
        var r = new Random(40 + (int)kind);
        foreach ((int rows, int cols) in Shapes)
        {
            (double[] p, double[] y) = LossData(kind, r, rows, cols);
            Tensor<T> perSample = Backend.Allocate(new Shape(rows));
            Backend.LossForward(kind, Make(new Shape(rows, cols), p), Make(new Shape(rows, cols), y), perSample, T.CreateChecked(Eps));
            var expected = new double[rows];
            var mag = new double[rows];
            for (int i = 0; i < rows; i++)
            {
                double[] pr = p.Skip(i * cols).Take(cols).ToArray();
                double[] yr = y.Skip(i * cols).Take(cols).ToArray();
                double[] terms = kind switch
                {
                    LossKind.MeanSquaredError => pr.Select((v, j) => (v - yr[j]) * (v - yr[j]) / cols).ToArray(),
                    LossKind.MeanAbsoluteError => pr.Select((v, j) => Math.Abs(v - yr[j]) / cols).ToArray(),
                    LossKind.BinaryCrossentropy => pr.Select((v, j) => -((yr[j] * Math.Log(Clip(v))) + ((1 - yr[j]) * Math.Log(1 - Clip(v)))) / cols).ToArray(),
                    _ => pr.Select((v, j) => -yr[j] * Math.Log(Clip(v / pr.Sum()))).ToArray(),
                };
                expected[i] = terms.Sum();
                mag[i] = terms.Sum(Math.Abs) + (kind == LossKind.CategoricalCrossentropy ? yr.Sum() : 0);
            }
            AssertClose($"LossForward {kind} {rows}x{cols}", expected, Read(perSample), mag, cols, 32);
        }
    }

    [SkippableTheory]
    [InlineData(LossKind.MeanSquaredError)]
    [InlineData(LossKind.MeanAbsoluteError)]
    [InlineData(LossKind.BinaryCrossentropy)]
    [InlineData(LossKind.CategoricalCrossentropy)]
    public void LossBackward_MatchesNaiveDerivative(LossKind kind)
    {
        var r = new Random(50 + (int)kind);
        foreach ((int rows, int cols) in Shapes)
        {
            (double[] p, double[] y) = LossData(kind, r, rows, cols);
            double scale = 1.0 / rows;
            Tensor<T> g = RandomTensor(r, new Shape(rows, cols), out _); // must be overwritten
            Backend.LossBackward(kind, Make(new Shape(rows, cols), p), Make(new Shape(rows, cols), y), T.CreateChecked(scale), g, T.CreateChecked(Eps));
            var expected = new double[p.Length];
            var mag = new double[p.Length];
            for (int i = 0; i < rows; i++)
            {
                double rowSum = p.Skip(i * cols).Take(cols).Sum();
                // CCE, derived directly: ∂/∂p_k of −Σ_j y_j ln(p_j/S) = −y_k/p_k + Σ_j y_j / S over unclipped j.
                double yInside = 0;
                for (int j = 0; j < cols; j++)
                {
                    double q = p[(i * cols) + j] / rowSum;
                    yInside += q > Eps && q < 1 - Eps ? y[(i * cols) + j] : 0;
                }
                for (int j = 0; j < cols; j++)
                {
                    int o = (i * cols) + j;
                    double d = p[o] - y[o];
                    double q = p[o] / rowSum;
                    expected[o] = kind switch
                    {
                        LossKind.MeanSquaredError => scale * 2 * d / cols,
                        LossKind.MeanAbsoluteError => scale * Math.Sign(d) / cols,
                        LossKind.BinaryCrossentropy => p[o] > Eps && p[o] < 1 - Eps ? scale * d / (p[o] * (1 - p[o])) / cols : 0,
                        _ => scale * (((q > Eps && q < 1 - Eps) ? -y[o] / p[o] : 0) + (yInside / rowSum)),
                    };
                    mag[o] = kind == LossKind.CategoricalCrossentropy
                        ? scale * ((Math.Abs(y[o] / p[o]) + (yInside / rowSum)) * 4)
                        : Math.Abs(expected[o]);
                }
            }
            AssertClose($"LossBackward {kind} {rows}x{cols}", expected, Read(g), mag, cols, 32);
        }
    }

    [SkippableFact]
    public void LossForward_TargetShapeMismatch_NamesBothShapes()
    {
        var e = Assert.Throws<ShapeMismatchException>(() => Backend.LossForward(LossKind.MeanSquaredError,
            Backend.Allocate(new Shape(2, 3)), Backend.Allocate(new Shape(2, 4)), Backend.Allocate(new Shape(2)), T.CreateChecked(Eps)));
        Assert.Contains("(2, 3)", e.Message);
        Assert.Contains("(2, 4)", e.Message);
    }

    [SkippableFact]
    public void CountCorrect_Categorical_ComparesArgmaxFirstMaximumWins()
    {
        double[] p = [0.1, 0.7, 0.2, /**/ 0.5, 0.5, 0.0, /**/ 0.3, 0.3, 0.4, /**/ 0.9, 0.05, 0.05];
        double[] y = [0, 1, 0, /**/ 0, 1, 0, /**/ 0, 0, 1, /**/ 0, 0, 1];
        // row 0 correct, row 1 tie → index 0 ≠ 1, row 2 correct, row 3 wrong.
        Assert.Equal(2, Backend.CountCorrect(AccuracyKind.Categorical, Make(new Shape(4, 3), p), Make(new Shape(4, 3), y)));
    }

    [SkippableFact]
    public void CountCorrect_Binary_RoundsAtOneHalf()
    {
        double[] p = [0.9, 0.5, 0.51, 0.2, 0.0, 1.0];
        double[] y = [1, 1, 1, 0, 1, 1];
        // 0.9→1 ✓, 0.5→0 ✗, 0.51→1 ✓, 0.2→0 ✓, 0→0 ✗, 1→1 ✓
        Assert.Equal(4, Backend.CountCorrect(AccuracyKind.Binary, Make(new Shape(3, 2), p), Make(new Shape(3, 2), y)));
    }

    [SkippableFact]
    public void CountCorrect_RandomCases_MatchNaiveLoop()
    {
        var r = new Random(60);
        foreach ((int rows, int cols) in Shapes)
        {
            Tensor<T> p = RandomTensor(r, new Shape(rows, cols), out double[] pv, 0, 1);
            double[] yv = Enumerable.Range(0, rows * cols).Select(_ => (double)r.Next(2)).ToArray();
            Tensor<T> y = Make(new Shape(rows, cols), yv);
            int binary = pv.Where((v, i) => (v > 0.5 ? 1.0 : 0.0) == yv[i]).Count();
            int categorical = Enumerable.Range(0, rows).Count(i => ArgMax(pv, i, cols) == ArgMax(yv, i, cols));
            Assert.Equal(binary, Backend.CountCorrect(AccuracyKind.Binary, p, y));
            Assert.Equal(categorical, Backend.CountCorrect(AccuracyKind.Categorical, p, y));
        }
    }

    private static int ArgMax(double[] v, int row, int cols)
    {
        int best = 0;
        for (int j = 1; j < cols; j++)
        {
            best = v[(row * cols) + j] > v[(row * cols) + best] ? j : best;
        }
        return best;
    }

    // ---- randomness -----------------------------------------------------------------------------

    [SkippableTheory]
    [InlineData(0.25, 7UL)]
    [InlineData(0.5, 123456789UL)]
    [InlineData(0.0, 3UL)]
    public void DropoutMask_IsThePureFunctionOfSeedAndIndex(double rate, ulong seed)
    {
        Tensor<T> mask = Backend.Allocate(new Shape(7, 9));
        Backend.DropoutMask(seed, T.CreateChecked(rate), mask);
        double keep = double.CreateChecked(T.One / (T.One - T.CreateChecked(rate)));
        double[] expected = Enumerable.Range(0, 63).Select(i => CounterRng.Uniform(seed, (ulong)i) >= rate ? keep : 0).ToArray();
        Assert.Equal(expected, Read(mask));
    }

    // ---- optimizer updates ----------------------------------------------------------------------

    [SkippableTheory]
    [InlineData(0.0, false, false)]
    [InlineData(0.9, false, true)]
    [InlineData(0.9, true, true)]
    [InlineData(0.0, false, true)]
    public void SgdUpdate_MatchesKerasFormula_OverTwoSteps(double momentum, bool nesterov, bool withVelocity)
    {
        var r = new Random(70);
        var shape = new Shape(3, 4);
        Tensor<T> p = RandomTensor(r, shape, out double[] pv);
        Tensor<T>? v = withVelocity ? Backend.Allocate(shape) : null;
        double[] vv = new double[shape.Length];
        double lr = double.CreateChecked(T.CreateChecked(0.1));
        double m = double.CreateChecked(T.CreateChecked(momentum));
        for (int step = 0; step < 2; step++)
        {
            Tensor<T> g = RandomTensor(r, shape, out double[] gv);
            Backend.SgdUpdate(p, g, v, T.CreateChecked(lr), T.CreateChecked(m), nesterov);
            var mag = new double[pv.Length];
            for (int i = 0; i < pv.Length; i++)
            {
                if (!withVelocity)
                {
                    pv[i] -= lr * gv[i];
                }
                else
                {
                    vv[i] = (m * vv[i]) - (lr * gv[i]);
                    pv[i] = nesterov ? pv[i] + (m * vv[i]) - (lr * gv[i]) : pv[i] + vv[i];
                }
                mag[i] = Math.Abs(pv[i]) + Math.Abs(lr * gv[i]) + Math.Abs(vv[i]);
            }
            AssertClose($"SgdUpdate m={momentum} nesterov={nesterov} step {step + 1}", pv, Read(p), mag, 4, 16);
            if (v is not null)
            {
                AssertClose("SgdUpdate velocity", vv, Read(v), vv.Select(Math.Abs).Select((a, i) => a + Math.Abs(lr * gv[i])).ToArray(), 4, 16);
            }
        }
    }

    [SkippableFact]
    public void RmsPropUpdate_MatchesKerasFormula_OverThreeSteps()
    {
        var r = new Random(71);
        var shape = new Shape(2, 5);
        Tensor<T> p = RandomTensor(r, shape, out double[] pv);
        Tensor<T> a = Backend.Allocate(shape);
        double[] av = new double[shape.Length];
        (double lr, double rho, double eps) = (0.01, 0.9, 1e-7);
        (lr, rho, eps) = (double.CreateChecked(T.CreateChecked(lr)), double.CreateChecked(T.CreateChecked(rho)), double.CreateChecked(T.CreateChecked(eps)));
        for (int step = 0; step < 3; step++)
        {
            Tensor<T> g = RandomTensor(r, shape, out double[] gv);
            Backend.RmsPropUpdate(p, g, a, T.CreateChecked(lr), T.CreateChecked(rho), T.CreateChecked(eps));
            for (int i = 0; i < pv.Length; i++)
            {
                av[i] = (rho * av[i]) + ((1 - rho) * gv[i] * gv[i]);
                pv[i] -= lr * gv[i] / (Math.Sqrt(av[i]) + eps);
            }
            AssertClose($"RmsPropUpdate accumulator step {step + 1}", av, Read(a), null, 2, 16);
            AssertClose($"RmsPropUpdate step {step + 1}", pv, Read(p), pv.Select(x => Math.Abs(x) + (lr * 4)).ToArray(), 2, 32);
        }
    }

    [SkippableFact]
    public void AdamUpdate_MatchesKerasFormula_OverThreeSteps()
    {
        var r = new Random(72);
        var shape = new Shape(3, 3);
        Tensor<T> p = RandomTensor(r, shape, out double[] pv);
        Tensor<T> m = Backend.Allocate(shape);
        Tensor<T> v = Backend.Allocate(shape);
        double[] mv = new double[shape.Length];
        double[] vv = new double[shape.Length];
        double b1 = double.CreateChecked(T.CreateChecked(0.9));
        double b2 = double.CreateChecked(T.CreateChecked(0.999));
        double eps = double.CreateChecked(T.CreateChecked(1e-7));
        for (int step = 1; step <= 3; step++)
        {
            double lrT = double.CreateChecked(T.CreateChecked(0.001 * Math.Sqrt(1 - Math.Pow(0.999, step)) / (1 - Math.Pow(0.9, step))));
            Tensor<T> g = RandomTensor(r, shape, out double[] gv);
            Backend.AdamUpdate(p, g, m, v, T.CreateChecked(lrT), T.CreateChecked(b1), T.CreateChecked(b2), T.CreateChecked(eps));
            for (int i = 0; i < pv.Length; i++)
            {
                mv[i] = (b1 * mv[i]) + ((1 - b1) * gv[i]);
                vv[i] = (b2 * vv[i]) + ((1 - b2) * gv[i] * gv[i]);
                pv[i] -= lrT * mv[i] / (Math.Sqrt(vv[i]) + eps);
            }
            AssertClose($"AdamUpdate m step {step}", mv, Read(m), mv.Select((x, i) => Math.Abs(x) + Math.Abs(gv[i])).ToArray(), 2, 16);
            AssertClose($"AdamUpdate v step {step}", vv, Read(v), null, 2, 16);
            AssertClose($"AdamUpdate step {step}", pv, Read(p), pv.Select(x => Math.Abs(x) + (lrT * 4)).ToArray(), 2, 32);
        }
    }

    [SkippableFact]
    public void AdaGradUpdate_MatchesKerasFormula_OverThreeSteps()
    {
        var r = new Random(73);
        var shape = new Shape(4, 2);
        Tensor<T> p = RandomTensor(r, shape, out double[] pv);
        Tensor<T> a = Backend.Allocate(shape);
        double[] av = new double[shape.Length];
        double lr = double.CreateChecked(T.CreateChecked(0.01));
        double eps = double.CreateChecked(T.CreateChecked(1e-7));
        for (int step = 0; step < 3; step++)
        {
            Tensor<T> g = RandomTensor(r, shape, out double[] gv);
            Backend.AdaGradUpdate(p, g, a, T.CreateChecked(lr), T.CreateChecked(eps));
            for (int i = 0; i < pv.Length; i++)
            {
                av[i] += gv[i] * gv[i];
                pv[i] -= lr * gv[i] / (Math.Sqrt(av[i]) + eps);
            }
            AssertClose($"AdaGradUpdate accumulator step {step + 1}", av, Read(a), null, step + 1, 16);
            AssertClose($"AdaGradUpdate step {step + 1}", pv, Read(p), pv.Select(x => Math.Abs(x) + (lr * 4)).ToArray(), 2, 32);
        }
    }

    [SkippableFact]
    public void OptimizerUpdate_LengthMismatch_NamesBothShapes()
    {
        var e = Assert.Throws<ShapeMismatchException>(() => Backend.SgdUpdate(Backend.Allocate(new Shape(2, 3)), Backend.Allocate(new Shape(3, 3)), null, T.One, T.Zero, false));
        Assert.Contains("(2, 3)", e.Message);
        Assert.Contains("(3, 3)", e.Message);
    }
}
