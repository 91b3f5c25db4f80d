// ProfilingBackend: a decorator that times every primitive call of another backend (refnet bench --profile).
// It computes nothing itself: each call is forwarded unchanged, so results are bitwise those of the inner backend.
using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using RefNet.Tensors;

namespace RefNet.Backends;

/// <summary>Forwards every operation to an inner backend and adds up the wall time spent in each primitive.</summary>
/// <typeparam name="T">float or double.</typeparam>
/// <remarks>
/// A row of the profile is one primitive and, for the formula-taking ones, the formula struct it ran (e.g.
/// <c>Update RmsProp.Rule</c>); matrix products are split by shape and transposes. Wall time per call includes
/// whatever the inner backend waits for (worker threads, a device). Not a backend of its own: the inner one
/// validates and computes, so results are bitwise equal to running on it directly.
/// </remarks>
public sealed class ProfilingBackend<T> : IBackend<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Dictionary<(string Primitive, Type? Formula, long Shape), Entry> _entries = [];

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public ProfilingBackend(IBackend<T> inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        Inner = inner;
    }

    /// <summary>The backend that does the work.</summary>
    public IBackend<T> Inner { get; }

    /// <inheritdoc/>
    public string Name => Inner.Name;

    /// <summary>The rows recorded since construction or the last <see cref="Reset"/>, most time first.</summary>
    public IReadOnlyList<ProfileRow> Rows =>
        [.. _entries.Select(e => new ProfileRow(Label(e.Key), e.Value.Calls, e.Value.Elements, TimeSpan.FromSeconds(e.Value.Ticks / (double)Stopwatch.Frequency)))
            .OrderByDescending(r => r.Time).ThenBy(r => r.Operation, StringComparer.Ordinal)];

    /// <summary>Forgets what was recorded (e.g. after a warm-up).</summary>
    public void Reset() => _entries.Clear();

    /// <summary>The profile as text: one line per row with calls, elements, milliseconds and share of the total.</summary>
    public string Format()
    {
        IReadOnlyList<ProfileRow> rows = Rows;
        double total = rows.Sum(r => r.Time.TotalMilliseconds);
        var text = new System.Text.StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{"primitive",-44} {"calls",8} {"elements/flop",14} {"ms",10} {"share",7}");
        foreach (ProfileRow r in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{r.Operation,-44} {r.Calls,8} {r.Elements,14} {r.Time.TotalMilliseconds,10:F1} {100 * r.Time.TotalMilliseconds / total,6:F1}%");
        }
        text.Append(CultureInfo.InvariantCulture, $"{"all primitives",-44} {rows.Sum(r => r.Calls),8} {"",14} {total,10:F1} {100.0,6:F1}%");
        return text.ToString();
    }

    // ---- memory -------------------------------------------------------------------------

    /// <inheritdoc/>
    public Tensor<T> Allocate(Shape shape)
    {
        long start = Stopwatch.GetTimestamp();
        Tensor<T> t = Inner.Allocate(shape);
        Record("Allocate", null, 0, t.Length, start);
        return t;
    }

    /// <inheritdoc/>
    public bool Owns(Tensor<T> tensor) => Inner.Owns(tensor);

    /// <inheritdoc/>
    public void CopyFromHost(ReadOnlySpan<T> source, Tensor<T> destination)
    {
        long start = Stopwatch.GetTimestamp();
        Inner.CopyFromHost(source, destination);
        Record("CopyFromHost", null, 0, source.Length, start);
    }

    /// <inheritdoc/>
    public void Copy(Tensor<T> source, Tensor<T> destination)
    {
        long start = Stopwatch.GetTimestamp();
        Inner.Copy(source, destination);
        Record("Copy", null, 0, destination.Length, start);
    }

    /// <inheritdoc/>
    public void Fill(Tensor<T> destination, T value)
    {
        long start = Stopwatch.GetTimestamp();
        Inner.Fill(destination, value);
        Record("Fill", null, 0, destination.Length, start);
    }

    // ---- linear algebra -----------------------------------------------------------------

    /// <inheritdoc/>
    public void MatMul(Tensor<T> a, bool transposeA, Tensor<T> b, bool transposeB, Tensor<T> c, T alpha, T beta)
    {
        long start = Stopwatch.GetTimestamp();
        Inner.MatMul(a, transposeA, b, transposeB, c, alpha, beta);
        int k = transposeA ? a.Rows : a.Columns;
        // The row key packs m, n, k and the transposes (each dimension below 2^20 in any profile worth reading).
        long shape = ((long)(c.Rows & 0xFFFFF) << 42) | ((long)(c.Columns & 0xFFFFF) << 22) | ((long)(k & 0xFFFFF) << 2)
            | (transposeA ? 2L : 0) | (transposeB ? 1L : 0);
        Record("MatMul", null, shape, 2L * c.Rows * c.Columns * k, start);
    }

    /// <inheritdoc/>
    public void AddRowVector(Tensor<T> x, Tensor<T> v, Tensor<T> y)
    {
        long start = Stopwatch.GetTimestamp();
        Inner.AddRowVector(x, v, y);
        Record("AddRowVector", null, 0, y.Length, start);
    }

    /// <inheritdoc/>
    public void SumRows(Tensor<T> x, Tensor<T> y)
    {
        long start = Stopwatch.GetTimestamp();
        Inner.SumRows(x, y);
        Record("SumRows", null, 0, x.Length, start);
    }

    // ---- elementwise formulas -----------------------------------------------------------

    /// <inheritdoc/>
    public void Map<F>(Tensor<T> x, Tensor<T> y, F f)
        where F : struct, IUnaryFunction<T>
    {
        long start = Stopwatch.GetTimestamp();
        Inner.Map(x, y, f);
        Record("Map", typeof(F), 0, y.Length, start);
    }

    /// <inheritdoc/>
    public void Map<F>(Tensor<T> a, Tensor<T> b, Tensor<T> y, F f)
        where F : struct, IBinaryFunction<T>
    {
        long start = Stopwatch.GetTimestamp();
        Inner.Map(a, b, y, f);
        Record("Map", typeof(F), 0, y.Length, start);
    }

    /// <inheritdoc/>
    public void Map<F>(Tensor<T> a, Tensor<T> b, Tensor<T> c, Tensor<T> y, F f)
        where F : struct, ITernaryFunction<T>
    {
        long start = Stopwatch.GetTimestamp();
        Inner.Map(a, b, c, y, f);
        Record("Map", typeof(F), 0, y.Length, start);
    }

    /// <inheritdoc/>
    public void Update<F>(Tensor<T> parameter, Tensor<T> gradient, F f)
        where F : struct, IUpdate<T>
    {
        long start = Stopwatch.GetTimestamp();
        Inner.Update(parameter, gradient, f);
        Record("Update", typeof(F), 0, parameter.Length, start);
    }

    /// <inheritdoc/>
    public void Update<F>(Tensor<T> parameter, Tensor<T> gradient, Tensor<T> state, F f)
        where F : struct, IUpdateWithState<T>
    {
        long start = Stopwatch.GetTimestamp();
        Inner.Update(parameter, gradient, state, f);
        Record("Update", typeof(F), 0, parameter.Length, start);
    }

    /// <inheritdoc/>
    public void Update<F>(Tensor<T> parameter, Tensor<T> gradient, Tensor<T> state1, Tensor<T> state2, F f)
        where F : struct, IUpdateWithTwoStates<T>
    {
        long start = Stopwatch.GetTimestamp();
        Inner.Update(parameter, gradient, state1, state2, f);
        Record("Update", typeof(F), 0, parameter.Length, start);
    }

    /// <inheritdoc/>
    public void Generate<F>(Tensor<T> y, F f)
        where F : struct, IIndexFunction<T>
    {
        long start = Stopwatch.GetTimestamp();
        Inner.Generate(y, f);
        Record("Generate", typeof(F), 0, y.Length, start);
    }

    // ---- row functions and reductions ---------------------------------------------------

    /// <inheritdoc/>
    public void MapRows<F>(Tensor<T> a, Tensor<T> b, Tensor<T> y, F f)
        where F : struct, IRowMap<T>
    {
        long start = Stopwatch.GetTimestamp();
        Inner.MapRows(a, b, y, f);
        Record("MapRows", typeof(F), 0, y.Length, start);
    }

    /// <inheritdoc/>
    public void ReduceRows<F>(Tensor<T> a, Tensor<T> b, Tensor<T> perRow, F f)
        where F : struct, IRowReduction<T>
    {
        long start = Stopwatch.GetTimestamp();
        Inner.ReduceRows(a, b, perRow, f);
        Record("ReduceRows", typeof(F), 0, a.Length, start);
    }

    /// <inheritdoc/>
    public void ArgMaxRows(Tensor<T> x, Tensor<T> indices)
    {
        long start = Stopwatch.GetTimestamp();
        Inner.ArgMaxRows(x, indices);
        Record("ArgMaxRows", null, 0, x.Length, start);
    }

    /// <inheritdoc/>
    public T Sum<F>(Tensor<T> x, F f)
        where F : struct, IUnaryFunction<T>
    {
        long start = Stopwatch.GetTimestamp();
        T sum = Inner.Sum(x, f);
        Record("Sum", typeof(F), 0, x.Length, start);
        return sum;
    }

    /// <inheritdoc/>
    public int CountWhere<F>(Tensor<T> a, Tensor<T> b, F f)
        where F : struct, IBinaryPredicate<T>
    {
        long start = Stopwatch.GetTimestamp();
        int count = Inner.CountWhere(a, b, f);
        Record("CountWhere", typeof(F), 0, a.Length, start);
        return count;
    }

    // ---- structure: convolution, pooling, column blocks, gathers --------------------------

    /// <inheritdoc/>
    public void Im2Col(Tensor<T> x, ConvGeometry g, Tensor<T> columns)
    {
        long start = Stopwatch.GetTimestamp();
        Inner.Im2Col(x, g, columns);
        Record("Im2Col", null, 0, columns.Length, start);
    }

    /// <inheritdoc/>
    public void Col2Im(Tensor<T> columns, ConvGeometry g, Tensor<T> dx)
    {
        long start = Stopwatch.GetTimestamp();
        Inner.Col2Im(columns, g, dx);
        Record("Col2Im", null, 0, columns.Length, start);
    }

    /// <inheritdoc/>
    public void Pool2D(Tensor<T> x, ConvGeometry g, PoolKind kind, Tensor<T> y)
    {
        long start = Stopwatch.GetTimestamp();
        Inner.Pool2D(x, g, kind, y);
        Record(kind == PoolKind.Max ? "Pool2D max" : "Pool2D average", null, 0, y.Length, start);
    }

    /// <inheritdoc/>
    public void Pool2DBackward(Tensor<T> x, Tensor<T> outputGradient, ConvGeometry g, PoolKind kind, Tensor<T> dx)
    {
        long start = Stopwatch.GetTimestamp();
        Inner.Pool2DBackward(x, outputGradient, g, kind, dx);
        Record(kind == PoolKind.Max ? "Pool2DBackward max" : "Pool2DBackward average", null, 0, dx.Length, start);
    }

    /// <inheritdoc/>
    public void CopyColumns(Tensor<T> source, int sourceColumn, Tensor<T> destination, int destinationColumn, int count, bool accumulate)
    {
        long start = Stopwatch.GetTimestamp();
        Inner.CopyColumns(source, sourceColumn, destination, destinationColumn, count, accumulate);
        Record(accumulate ? "CopyColumns accumulate" : "CopyColumns", null, 0, (long)destination.Rows * count, start);
    }

    /// <inheritdoc/>
    public void GatherRows(Tensor<T> source, ReadOnlySpan<int> rows, Tensor<T> destination)
    {
        long start = Stopwatch.GetTimestamp();
        Inner.GatherRows(source, rows, destination);
        Record("GatherRows", null, 0, destination.Length, start);
    }

    /// <inheritdoc/>
    public void GatherRows(Tensor<T> table, Tensor<T> indices, Tensor<T> destination)
    {
        long start = Stopwatch.GetTimestamp();
        Inner.GatherRows(table, indices, destination);
        Record("GatherRows (tensor indices)", null, 0, destination.Length, start);
    }

    /// <inheritdoc/>
    public void ScatterAddRows(Tensor<T> source, Tensor<T> indices, Tensor<T> destination)
    {
        long start = Stopwatch.GetTimestamp();
        Inner.ScatterAddRows(source, indices, destination);
        Record("ScatterAddRows", null, 0, source.Length, start);
    }

    /// <inheritdoc/>
    public void OneHot(Tensor<T> indices, Tensor<T> destination)
    {
        long start = Stopwatch.GetTimestamp();
        Inner.OneHot(indices, destination);
        Record("OneHot", null, 0, destination.Length, start);
    }

    /// <inheritdoc/>
    public override string ToString() => $"profiling({Inner})";

    private void Record(string primitive, Type? formula, long shape, long elements, long start)
    {
        long ticks = Stopwatch.GetTimestamp() - start;
        var key = (primitive, formula, shape);
        if (!_entries.TryGetValue(key, out Entry? entry))
        {
            _entries[key] = entry = new Entry();
        }
        entry.Calls++;
        entry.Elements += elements;
        entry.Ticks += ticks;
    }

    private static string Label((string Primitive, Type? Formula, long Shape) key)
    {
        if (key.Primitive == "MatMul")
        {
            long s = key.Shape;
            return string.Create(CultureInfo.InvariantCulture,
                $"MatMul {(s >> 42) & 0xFFFFF}×{(s >> 22) & 0xFFFFF}×{(s >> 2) & 0xFFFFF}{((s & 2) != 0 ? " Aᵀ" : "")}{((s & 1) != 0 ? " Bᵀ" : "")}");
        }
        return key.Formula is null ? key.Primitive : $"{key.Primitive} {FormulaName(key.Formula)}";
    }

    // "RmsProp.Rule" for RmsProp.Rule<float>: the declaring type (where the formula lives) and the struct, no arity.
    private static string FormulaName(Type formula)
    {
        static string Plain(Type t) => t.Name.Split('`')[0];
        return formula.DeclaringType is { } owner ? $"{Plain(owner)}.{Plain(formula)}" : Plain(formula);
    }

    private sealed class Entry
    {
        public long Calls;
        public long Elements;
        public long Ticks;
    }
}

/// <summary>One row of a <see cref="ProfilingBackend{T}"/> profile.</summary>
/// <param name="Operation">The primitive, with its formula struct or matrix shape (m×n×k).</param>
/// <param name="Calls">How many calls.</param>
/// <param name="Elements">Elements written (for MatMul: floating-point operations, 2·m·n·k per call).</param>
/// <param name="Time">Wall time spent inside the calls.</param>
public sealed record ProfileRow(string Operation, long Calls, long Elements, TimeSpan Time);
