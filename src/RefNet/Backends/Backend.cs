// Backend: the base every backend derives from. Each public operation validates its arguments here, once,
// and then calls a protected core that computes; so every backend rejects the same input with the same message.
using System.Numerics;
using RefNet.Tensors;

namespace RefNet.Backends;

/// <summary>Argument checks for every <see cref="IBackend{T}"/> operation; subclasses implement the cores.</summary>
/// <typeparam name="T">float or double.</typeparam>
/// <remarks>A core is called only with valid, non-empty arguments: shapes agree, indices are in range, and at
/// least one element is written. Subclasses: <see cref="ReferenceBackend{T}"/> (the specification, plain loops),
/// <see cref="CpuBackend{T}"/> (vectorized, fast GEMM) and the ILGPU backend (kernels).</remarks>
public abstract class Backend<T> : IBackend<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc/>
    public abstract string Name { get; }

    // ---- memory -------------------------------------------------------------------------

    /// <inheritdoc/>
    public Tensor<T> Allocate(Shape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return AllocateCore(shape);
    }

    /// <inheritdoc/>
    public abstract bool Owns(Tensor<T> tensor);

    /// <inheritdoc/>
    public void CopyFromHost(ReadOnlySpan<T> source, Tensor<T> destination)
    {
        BackendChecks.CheckLength("CopyFromHost", source.Length, destination);
        if (source.Length > 0)
        {
            CopyFromHostCore(source, destination);
        }
    }

    /// <inheritdoc/>
    public void Copy(Tensor<T> source, Tensor<T> destination)
    {
        BackendChecks.SameLength("Copy", source, destination);
        if (source.Length > 0)
        {
            CopyCore(source, destination);
        }
    }

    /// <inheritdoc/>
    public void Fill(Tensor<T> destination, T value)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (destination.Length > 0)
        {
            FillCore(destination, value);
        }
    }

    // ---- linear algebra -----------------------------------------------------------------

    /// <inheritdoc/>
    public void MatMul(Tensor<T> a, bool transposeA, Tensor<T> b, bool transposeB, Tensor<T> c, T alpha, T beta)
    {
        (int m, int n, int k) = BackendChecks.MatMul(a, transposeA, b, transposeB, c);
        if (m > 0 && n > 0)
        {
            MatMulCore(a, transposeA, b, transposeB, c, alpha, beta, m, n, k);
        }
    }

    /// <inheritdoc/>
    public void AddRowVector(Tensor<T> x, Tensor<T> v, Tensor<T> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        BackendChecks.CheckLength("AddRowVector vector", x.Columns, v);
        BackendChecks.SameLength("AddRowVector", x, y);
        if (y.Length > 0)
        {
            AddRowVectorCore(x, v, y);
        }
    }

    /// <inheritdoc/>
    public void SumRows(Tensor<T> x, Tensor<T> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        BackendChecks.CheckLength("SumRows output", x.Columns, y);
        if (y.Length > 0)
        {
            SumRowsCore(x, y);
        }
    }

    // ---- elementwise formulas -----------------------------------------------------------

    /// <inheritdoc/>
    public void Map<F>(Tensor<T> x, Tensor<T> y, F f)
        where F : struct, IUnaryFunction<T>
    {
        BackendChecks.SameLength("Map", FormulaName<F>.Value, x, y);
        if (y.Length > 0)
        {
            MapCore(x, y, f);
        }
    }

    /// <inheritdoc/>
    public void Map<F>(Tensor<T> a, Tensor<T> b, Tensor<T> y, F f)
        where F : struct, IBinaryFunction<T>
    {
        BackendChecks.SameLength("Map", FormulaName<F>.Value, a, b);
        BackendChecks.SameLength("Map output", FormulaName<F>.Value, a, y);
        if (y.Length > 0)
        {
            MapCore(a, b, y, f);
        }
    }

    /// <inheritdoc/>
    public void Map<F>(Tensor<T> a, Tensor<T> b, Tensor<T> c, Tensor<T> y, F f)
        where F : struct, ITernaryFunction<T>
    {
        BackendChecks.SameLength("Map", FormulaName<F>.Value, a, b);
        BackendChecks.SameLength("Map", FormulaName<F>.Value, a, c);
        BackendChecks.SameLength("Map output", FormulaName<F>.Value, a, y);
        if (y.Length > 0)
        {
            MapCore(a, b, c, y, f);
        }
    }

    /// <inheritdoc/>
    public void Update<F>(Tensor<T> parameter, Tensor<T> gradient, F f)
        where F : struct, IUpdate<T>
    {
        BackendChecks.SameLength("Update gradient", FormulaName<F>.Value, parameter, gradient);
        if (parameter.Length > 0)
        {
            UpdateCore(parameter, gradient, f);
        }
    }

    /// <inheritdoc/>
    public void Update<F>(Tensor<T> parameter, Tensor<T> gradient, Tensor<T> state, F f)
        where F : struct, IUpdateWithState<T>
    {
        BackendChecks.SameLength("Update gradient", FormulaName<F>.Value, parameter, gradient);
        BackendChecks.SameLength("Update state", FormulaName<F>.Value, parameter, state);
        if (parameter.Length > 0)
        {
            UpdateCore(parameter, gradient, state, f);
        }
    }

    /// <inheritdoc/>
    public void Update<F>(Tensor<T> parameter, Tensor<T> gradient, Tensor<T> state1, Tensor<T> state2, F f)
        where F : struct, IUpdateWithTwoStates<T>
    {
        BackendChecks.SameLength("Update gradient", FormulaName<F>.Value, parameter, gradient);
        BackendChecks.SameLength("Update first state", FormulaName<F>.Value, parameter, state1);
        BackendChecks.SameLength("Update second state", FormulaName<F>.Value, parameter, state2);
        if (parameter.Length > 0)
        {
            UpdateCore(parameter, gradient, state1, state2, f);
        }
    }

    /// <inheritdoc/>
    public void Generate<F>(Tensor<T> y, F f)
        where F : struct, IIndexFunction<T>
    {
        ArgumentNullException.ThrowIfNull(y);
        if (y.Length > 0)
        {
            GenerateCore(y, f);
        }
    }

    // ---- row functions and reductions ---------------------------------------------------

    /// <inheritdoc/>
    public void MapRows<F>(Tensor<T> a, Tensor<T> b, Tensor<T> y, F f)
        where F : struct, IRowMap<T>
    {
        BackendChecks.SameLength("MapRows", FormulaName<F>.Value, a, b);
        BackendChecks.SameLength("MapRows output", FormulaName<F>.Value, a, y);
        if (y.Length > 0)
        {
            MapRowsCore(a, b, y, f);
        }
    }

    /// <inheritdoc/>
    public void ReduceRows<F>(Tensor<T> a, Tensor<T> b, Tensor<T> perRow, F f)
        where F : struct, IRowReduction<T>
    {
        BackendChecks.SameLength("ReduceRows", FormulaName<F>.Value, a, b);
        BackendChecks.CheckLength("ReduceRows per-row output", FormulaName<F>.Value, a.Rows, perRow);
        if (a.Rows > 0)
        {
            ReduceRowsCore(a, b, perRow, f);
        }
    }

    /// <inheritdoc/>
    public void ArgMaxRows(Tensor<T> x, Tensor<T> indices)
    {
        ArgumentNullException.ThrowIfNull(x);
        BackendChecks.CheckLength("ArgMaxRows indices", x.Rows, indices);
        if (x.Rows > 0 && x.Columns == 0)
        {
            throw new ShapeMismatchException("ArgMaxRows input (a row needs at least one column)", "(rows, ≥ 1)", x.Shape);
        }
        if (x.Length > 0)
        {
            ArgMaxRowsCore(x, indices);
        }
    }

    /// <inheritdoc/>
    public T Sum<F>(Tensor<T> x, F f)
        where F : struct, IUnaryFunction<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.Length == 0 ? T.Zero : SumCore(x, f);
    }

    /// <inheritdoc/>
    public int CountWhere<F>(Tensor<T> a, Tensor<T> b, F f)
        where F : struct, IBinaryPredicate<T>
    {
        BackendChecks.SameLength("CountWhere", FormulaName<F>.Value, a, b);
        return a.Length == 0 ? 0 : CountWhereCore(a, b, f);
    }

    // ---- structure ----------------------------------------------------------------------

    /// <inheritdoc/>
    public void Im2Col(Tensor<T> x, ConvGeometry g, Tensor<T> columns)
    {
        CheckGeometry("Im2Col", g, pooling: false);
        CheckImage("Im2Col input", x, g.Batch, g.Height, g.Width, g.Channels);
        CheckMatrix("Im2Col columns", columns, g.Batch * g.OutHeight * g.OutWidth, g.KernelHeight * g.KernelWidth * g.Channels);
        if (columns.Length > 0)
        {
            Im2ColCore(x, g, columns);
        }
    }

    /// <inheritdoc/>
    public void Col2Im(Tensor<T> columns, ConvGeometry g, Tensor<T> dx)
    {
        CheckGeometry("Col2Im", g, pooling: false);
        CheckMatrix("Col2Im columns", columns, g.Batch * g.OutHeight * g.OutWidth, g.KernelHeight * g.KernelWidth * g.Channels);
        CheckImage("Col2Im output", dx, g.Batch, g.Height, g.Width, g.Channels);
        if (dx.Length > 0)
        {
            Col2ImCore(columns, g, dx);
        }
    }

    /// <inheritdoc/>
    public void Pool2D(Tensor<T> x, ConvGeometry g, PoolKind kind, Tensor<T> y)
    {
        CheckGeometry("Pool2D", g, pooling: true);
        CheckPoolKind(kind);
        CheckImage("Pool2D input", x, g.Batch, g.Height, g.Width, g.Channels);
        CheckImage("Pool2D output", y, g.Batch, g.OutHeight, g.OutWidth, g.Channels);
        if (y.Length > 0)
        {
            Pool2DCore(x, g, kind, y);
        }
    }

    /// <inheritdoc/>
    public void Pool2DBackward(Tensor<T> x, Tensor<T> outputGradient, ConvGeometry g, PoolKind kind, Tensor<T> dx)
    {
        CheckGeometry("Pool2DBackward", g, pooling: true);
        CheckPoolKind(kind);
        CheckImage("Pool2DBackward input", x, g.Batch, g.Height, g.Width, g.Channels);
        CheckImage("Pool2DBackward output gradient", outputGradient, g.Batch, g.OutHeight, g.OutWidth, g.Channels);
        CheckImage("Pool2DBackward input gradient", dx, g.Batch, g.Height, g.Width, g.Channels);
        if (dx.Length > 0)
        {
            Pool2DBackwardCore(x, outputGradient, g, kind, dx);
        }
    }

    /// <inheritdoc/>
    public void CopyColumns(Tensor<T> source, int sourceColumn, Tensor<T> destination, int destinationColumn, int count, bool accumulate)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        if (source.Rows != destination.Rows)
        {
            throw new ShapeMismatchException("CopyColumns destination rows", $"{source.Rows} rows like the source {source.Shape}", destination.Shape);
        }
        if (count < 0 || sourceColumn < 0 || sourceColumn > source.Columns - count)
        {
            throw new ArgumentOutOfRangeException(nameof(sourceColumn),
                $"CopyColumns: columns {sourceColumn}..{sourceColumn + count - 1} ({count} columns) are not inside the source {source.Shape} ({source.Columns} columns)");
        }
        if (destinationColumn < 0 || destinationColumn > destination.Columns - count)
        {
            throw new ArgumentOutOfRangeException(nameof(destinationColumn),
                $"CopyColumns: columns {destinationColumn}..{destinationColumn + count - 1} ({count} columns) are not inside the destination {destination.Shape} ({destination.Columns} columns)");
        }
        if (ReferenceEquals(source.Storage, destination.Storage) && count > 0
            && sourceColumn < destinationColumn + count && destinationColumn < sourceColumn + count)
        {
            throw new ArgumentException($"CopyColumns: source and destination are the same tensor {source.Shape} and columns " +
                $"{sourceColumn}..{sourceColumn + count - 1} overlap {destinationColumn}..{destinationColumn + count - 1}", nameof(destination));
        }
        if (count > 0 && source.Rows > 0)
        {
            CopyColumnsCore(source, sourceColumn, destination, destinationColumn, count, accumulate);
        }
    }

    /// <inheritdoc/>
    public void GatherRows(Tensor<T> source, ReadOnlySpan<int> rows, Tensor<T> destination)
    {
        BackendChecks.GatherRows(source, rows, destination);
        if (rows.Length > 0 && source.Columns > 0)
        {
            GatherRowsCore(source, rows, destination);
        }
    }

    /// <inheritdoc/>
    public void GatherRows(Tensor<T> table, Tensor<T> indices, Tensor<T> destination)
    {
        int[] rows = BackendChecks.IndexTensor("GatherRows", table, indices, destination);
        if (rows.Length > 0 && table.Columns > 0)
        {
            GatherRowsCore(table, indices, rows, destination);
        }
    }

    /// <inheritdoc/>
    public void ScatterAddRows(Tensor<T> source, Tensor<T> indices, Tensor<T> destination)
    {
        int[] rows = BackendChecks.IndexTensor("ScatterAddRows", destination, indices, source);
        if (rows.Length > 0 && destination.Columns > 0)
        {
            ScatterAddRowsCore(source, indices, rows, destination);
        }
    }

    /// <inheritdoc/>
    public void OneHot(Tensor<T> indices, Tensor<T> destination)
    {
        int[] classes = BackendChecks.OneHot(indices, destination);
        if (destination.Length > 0)
        {
            OneHotCore(classes, destination);
        }
    }

    // ---- cores --------------------------------------------------------------------------

    /// <summary>A zero-filled tensor of this backend.</summary>
    protected abstract Tensor<T> AllocateCore(Shape shape);

    /// <summary>Copies host data in (lengths checked, non-empty).</summary>
    protected abstract void CopyFromHostCore(ReadOnlySpan<T> source, Tensor<T> destination);

    /// <summary>destination = source.</summary>
    protected abstract void CopyCore(Tensor<T> source, Tensor<T> destination);

    /// <summary>destination[i] = value.</summary>
    protected abstract void FillCore(Tensor<T> destination, T value);

    /// <summary>c = alpha·op(a)·op(b) + beta·c with op(a) m×k, op(b) k×n (m, n ≥ 1).</summary>
    protected abstract void MatMulCore(Tensor<T> a, bool transposeA, Tensor<T> b, bool transposeB, Tensor<T> c, T alpha, T beta, int m, int n, int k);

    /// <summary>y[i, j] = x[i, j] + v[j].</summary>
    protected abstract void AddRowVectorCore(Tensor<T> x, Tensor<T> v, Tensor<T> y);

    /// <summary>y[j] = Σ_i x[i, j].</summary>
    protected abstract void SumRowsCore(Tensor<T> x, Tensor<T> y);

    /// <summary>y = f(x).</summary>
    protected abstract void MapCore<F>(Tensor<T> x, Tensor<T> y, F f)
        where F : struct, IUnaryFunction<T>;

    /// <summary>y = f(a, b).</summary>
    protected abstract void MapCore<F>(Tensor<T> a, Tensor<T> b, Tensor<T> y, F f)
        where F : struct, IBinaryFunction<T>;

    /// <summary>y = f(a, b, c).</summary>
    protected abstract void MapCore<F>(Tensor<T> a, Tensor<T> b, Tensor<T> c, Tensor<T> y, F f)
        where F : struct, ITernaryFunction<T>;

    /// <summary>f(ref p, g).</summary>
    protected abstract void UpdateCore<F>(Tensor<T> parameter, Tensor<T> gradient, F f)
        where F : struct, IUpdate<T>;

    /// <summary>f(ref p, g, ref s).</summary>
    protected abstract void UpdateCore<F>(Tensor<T> parameter, Tensor<T> gradient, Tensor<T> state, F f)
        where F : struct, IUpdateWithState<T>;

    /// <summary>f(ref p, g, ref s1, ref s2).</summary>
    protected abstract void UpdateCore<F>(Tensor<T> parameter, Tensor<T> gradient, Tensor<T> state1, Tensor<T> state2, F f)
        where F : struct, IUpdateWithTwoStates<T>;

    /// <summary>y[i] = f(i).</summary>
    protected abstract void GenerateCore<F>(Tensor<T> y, F f)
        where F : struct, IIndexFunction<T>;

    /// <summary>Row map (see <see cref="IRowFunction{T}"/>).</summary>
    protected abstract void MapRowsCore<F>(Tensor<T> a, Tensor<T> b, Tensor<T> y, F f)
        where F : struct, IRowMap<T>;

    /// <summary>Row reduction (see <see cref="IRowFunction{T}"/>).</summary>
    protected abstract void ReduceRowsCore<F>(Tensor<T> a, Tensor<T> b, Tensor<T> perRow, F f)
        where F : struct, IRowReduction<T>;

    /// <summary>indices[r] = first argmax of row r.</summary>
    protected abstract void ArgMaxRowsCore(Tensor<T> x, Tensor<T> indices);

    /// <summary>Σ f(x[i]) (non-empty).</summary>
    protected abstract T SumCore<F>(Tensor<T> x, F f)
        where F : struct, IUnaryFunction<T>;

    /// <summary>#{i : f(a[i], b[i])} (non-empty).</summary>
    protected abstract int CountWhereCore<F>(Tensor<T> a, Tensor<T> b, F f)
        where F : struct, IBinaryPredicate<T>;

    /// <summary>im2col (shapes checked).</summary>
    protected abstract void Im2ColCore(Tensor<T> x, ConvGeometry g, Tensor<T> columns);

    /// <summary>col2im as a gather (shapes checked).</summary>
    protected abstract void Col2ImCore(Tensor<T> columns, ConvGeometry g, Tensor<T> dx);

    /// <summary>Window max or mean (shapes checked).</summary>
    protected abstract void Pool2DCore(Tensor<T> x, ConvGeometry g, PoolKind kind, Tensor<T> y);

    /// <summary>Window adjoint as a gather (shapes checked).</summary>
    protected abstract void Pool2DBackwardCore(Tensor<T> x, Tensor<T> outputGradient, ConvGeometry g, PoolKind kind, Tensor<T> dx);

    /// <summary>Column block copy (ranges checked, count ≥ 1).</summary>
    protected abstract void CopyColumnsCore(Tensor<T> source, int sourceColumn, Tensor<T> destination, int destinationColumn, int count, bool accumulate);

    /// <summary>Mini-batch gather with host indices (checked).</summary>
    protected abstract void GatherRowsCore(Tensor<T> source, ReadOnlySpan<int> rows, Tensor<T> destination);

    /// <summary>Gather by an index tensor; <paramref name="rows"/> holds the same indices, checked, on the host.</summary>
    protected abstract void GatherRowsCore(Tensor<T> table, Tensor<T> indices, int[] rows, Tensor<T> destination);

    /// <summary>Scatter-add by an index tensor; <paramref name="rows"/> holds the same indices, checked, on the host.</summary>
    protected abstract void ScatterAddRowsCore(Tensor<T> source, Tensor<T> indices, int[] rows, Tensor<T> destination);

    /// <summary>One-hot rows from checked host indices. The indices are on the host already (the check read them), so
    /// every backend writes the rows there and copies them in once.</summary>
    protected virtual void OneHotCore(int[] classes, Tensor<T> destination)
    {
        var rows = new T[destination.Length];
        int width = destination.Columns;
        for (int i = 0; i < classes.Length; i++)
        {
            rows[(i * width) + classes[i]] = T.One;
        }
        CopyFromHostCore(rows, destination);
    }

    // ---- helpers ------------------------------------------------------------------------

    /// <summary>The formula's readable name ("Relu.Derivative"), computed once per type, for error messages.</summary>
    private static class FormulaName<F>
    {
        public static readonly string Value = Of(typeof(F));

        private static string Of(Type t)
        {
            string name = t.Name;
            int tick = name.IndexOf('`', StringComparison.Ordinal);
            name = tick < 0 ? name : name[..tick];
            return t.DeclaringType is { } owner ? $"{Of(owner)}.{name}" : name;
        }
    }

    /// <summary>Rejects a geometry that <see cref="ConvGeometry.Create"/> would not make: a size, stride or dilation below 1,
    /// negative padding, padding as wide as the window, a window that would start past the image, or (pooling) dilation.</summary>
    /// <remarks>A record can be built directly or with <c>with</c>; every backend then still refuses the same input.</remarks>
    private static void CheckGeometry(string what, ConvGeometry g, bool pooling)
    {
        bool sizes = g.Batch >= 1 && g.Height >= 1 && g.Width >= 1 && g.Channels >= 1 && g.KernelHeight >= 1 && g.KernelWidth >= 1
            && g.StrideHeight >= 1 && g.StrideWidth >= 1 && g.DilationHeight >= 1 && g.DilationWidth >= 1 && g.OutHeight >= 1 && g.OutWidth >= 1;
        if (!sizes || !Axis(g.Height, g.KernelHeight, g.StrideHeight, g.DilationHeight, g.PadTop, g.OutHeight)
            || !Axis(g.Width, g.KernelWidth, g.StrideWidth, g.DilationWidth, g.PadLeft, g.OutWidth))
        {
            throw new ArgumentOutOfRangeException(nameof(g), $"{what}: inconsistent geometry {g} (build it with ConvGeometry.Create)");
        }
        if (pooling && (g.DilationHeight != 1 || g.DilationWidth != 1))
        {
            throw new ArgumentOutOfRangeException(nameof(g), $"{what}: pooling windows are dense, got dilation ({g.DilationHeight}, {g.DilationWidth})");
        }

        // Padding narrower than the window and every window starting inside the padded image, so each touches the image.
        static bool Axis(int size, int k, int stride, int dilation, int pad, int output)
        {
            long span = ((long)(k - 1) * dilation) + 1;
            long lastStart = ((long)(output - 1) * stride) - pad;
            return pad >= 0 && pad < span && lastStart <= size - 1 && (long)output * stride < int.MaxValue;
        }
    }

    /// <summary>Throws unless t is (n, h, w, c); allocates only when it throws (this runs every training step).</summary>
    private static void CheckImage(string what, Tensor<T> t, int n, int h, int w, int c)
    {
        ArgumentNullException.ThrowIfNull(t);
        Shape s = t.Shape;
        if (s.Rank != 4 || s[0] != n || s[1] != h || s[2] != w || s[3] != c)
        {
            throw new ShapeMismatchException(what, new Shape(n, h, w, c).ToString(), s);
        }
    }

    /// <summary>Throws unless t is (rows, cols); allocates only when it throws.</summary>
    private static void CheckMatrix(string what, Tensor<T> t, int rows, int cols)
    {
        ArgumentNullException.ThrowIfNull(t);
        Shape s = t.Shape;
        if (s.Rank != 2 || s[0] != rows || s[1] != cols)
        {
            throw new ShapeMismatchException(what, new Shape(rows, cols).ToString(), s);
        }
    }

    private static void CheckPoolKind(PoolKind kind)
    {
        if (kind is not (PoolKind.Max or PoolKind.Average))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Pool2D: kind must be Max or Average");
        }
    }
}
