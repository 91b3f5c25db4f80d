// IlgpuBackend: every backend primitive as an ILGPU kernel, on CUDA or on ILGPU's CPU accelerator.
// Kernels are generic over T (and over the formula struct F), loaded once per accelerator; ReferenceBackend is the specification.
using System.Numerics;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using RefNet.Backends.Ilgpu.Kernels;
using RefNet.Tensors;

namespace RefNet.Backends.Ilgpu;

/// <summary>The ILGPU backend: tensors live in accelerator memory and every operation is a kernel.</summary>
/// <typeparam name="T">float or double.</typeparam>
/// <remarks>
/// Results match <see cref="ReferenceBackend{T}"/>: bit for bit on ILGPU's CPU accelerator for every operation whose
/// reduction fits one stage (see the README's ILGPU section for the tolerances elsewhere). Only scalars (sums,
/// correct counts) come back to the host during training. Not thread-safe: use one instance per thread.
/// </remarks>
public sealed class IlgpuBackend<T> : Backend<T>, IDisposable
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Context _context;
    private readonly Accelerator _accelerator;
    private readonly int _groupSize;
    private readonly int _maxGroups;
    private readonly int _gemmTile;
    private readonly IlgpuGemm _gemmKind;
    private readonly MemoryBuffer1D<T, Stride1D.Dense> _partials;
    private readonly MemoryBuffer1D<T, Stride1D.Dense> _scalar;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _countTotal;
    private MemoryBuffer1D<int, Stride1D.Dense> _rowIndices;
    private MemoryBuffer1D<int, Stride1D.Dense> _rowCounts;
    private readonly TransferCounter _transfers = new();
    private bool _disposed;

    // ---- kernels, loaded once (formula kernels: once per formula type, on first use) ------------
    private readonly Dictionary<(string Kernel, Type Formula), Delegate> _formulaKernels = [];
    private readonly Action<KernelConfig, ArrayView<T>, T> _fill;
    private readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<T>> _addRowVector;
    private readonly Action<KernelConfig, ArrayView<T>, ArrayView<int>, ArrayView<T>, int> _gatherRows;
    private readonly Action<KernelConfig, ArrayView<T>, ArrayView<int>, ArrayView<T>, int> _scatterAddRows;
    private readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, ColumnBlock> _copyColumns;
    private readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<T>, GemmShape, T, T> _gemm;
    private readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<T>, GemmShape, T, T> _gemmGridStride;
    private readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>> _sumRows;
    private readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>> _finishSum;
    private readonly Action<KernelConfig, ArrayView<int>, ArrayView<int>> _sumCounts;
    private readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, int> _argMaxRows;
    private readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, ConvGeometry> _im2col;
    private readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, ConvGeometry> _col2im;
    private readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, ConvGeometry, int> _pool;
    private readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<T>, ConvGeometry, int> _poolBackward;

    private IlgpuBackend(Context context, Accelerator accelerator, IlgpuGemm? gemm)
    {
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double))
        {
            throw new NotSupportedException($"IlgpuBackend supports float and double, not {typeof(T).Name}");
        }
        _context = context;
        _accelerator = accelerator;
        bool cuda = accelerator.AcceleratorType == AcceleratorType.Cuda;
        Name = cuda ? "ilgpu-cuda" : "ilgpu-cpu";
        // CUDA: 256-thread groups, a few per multiprocessor, 16 × 16 GEMM tiles. CPU accelerator: every simulated
        // thread is an OS thread that meets the others at a barrier, so use few threads and 4 × 4 tiles.
        _groupSize = cuda ? Math.Min(256, accelerator.MaxNumThreadsPerGroup) : accelerator.WarpSize;
        _maxGroups = cuda ? accelerator.NumMultiprocessors * 8 : 2;
        _gemmTile = cuda ? 16 : 4;
        _gemmKind = gemm ?? (cuda ? IlgpuGemm.Tiled : IlgpuGemm.GridStride);

        _partials = accelerator.Allocate1D<T>(ReductionKernels.Partials);
        _scalar = accelerator.Allocate1D<T>(1);
        _countTotal = accelerator.Allocate1D<int>(1);
        _rowIndices = accelerator.Allocate1D<int>(1);
        _rowCounts = accelerator.Allocate1D<int>(1);

        _fill = accelerator.LoadStreamKernel<ArrayView<T>, T>(ElementwiseKernels.Fill);
        _addRowVector = accelerator.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>>(ElementwiseKernels.AddRowVector);
        _gatherRows = accelerator.LoadStreamKernel<ArrayView<T>, ArrayView<int>, ArrayView<T>, int>(ElementwiseKernels.GatherRows);
        _scatterAddRows = accelerator.LoadStreamKernel<ArrayView<T>, ArrayView<int>, ArrayView<T>, int>(ElementwiseKernels.ScatterAddRows);
        _copyColumns = accelerator.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ColumnBlock>(ElementwiseKernels.CopyColumns);
        _gemm = accelerator.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>, GemmShape, T, T>(GemmKernels.Gemm);
        _gemmGridStride = accelerator.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>, GemmShape, T, T>(GemmKernels.GemmGridStride);
        _sumRows = accelerator.LoadStreamKernel<ArrayView<T>, ArrayView<T>>(ReductionKernels.SumRows);
        _finishSum = accelerator.LoadStreamKernel<ArrayView<T>, ArrayView<T>>(ReductionKernels.FinishSum);
        _sumCounts = accelerator.LoadStreamKernel<ArrayView<int>, ArrayView<int>>(ReductionKernels.SumCounts);
        _argMaxRows = accelerator.LoadStreamKernel<ArrayView<T>, ArrayView<T>, int>(ReductionKernels.ArgMaxRows);
        _im2col = accelerator.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ConvGeometry>(WindowKernels.Im2Col);
        _col2im = accelerator.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ConvGeometry>(WindowKernels.Col2Im);
        _pool = accelerator.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ConvGeometry, int>(WindowKernels.Pool2D);
        _poolBackward = accelerator.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>, ConvGeometry, int>(WindowKernels.Pool2DBackward);
    }

    /// <summary>Creates a backend on the requested device.</summary>
    /// <param name="device">Auto (CUDA if present, else the CPU accelerator), Cpu, or Cuda.</param>
    /// <param name="gemm">The matrix-product kernel; null picks Tiled on CUDA and GridStride on the CPU accelerator.</param>
    /// <exception cref="IlgpuDeviceNotFoundException"><see cref="IlgpuDevice.Cuda"/> was requested and ILGPU finds no CUDA device.</exception>
    public static IlgpuBackend<T> Create(IlgpuDevice device = IlgpuDevice.Auto, IlgpuGemm? gemm = null)
    {
        Context context = IlgpuDevices.CreateContext(withCuda: device != IlgpuDevice.Cpu);
        Accelerator? accelerator = null;
        try
        {
            if (device != IlgpuDevice.Cpu && context.GetCudaDevices().Count > 0)
            {
                accelerator = CreateCuda(context);
            }
            else if (device == IlgpuDevice.Cuda)
            {
                throw new IlgpuDeviceNotFoundException(
                    "CUDA was requested but ILGPU found no CUDA device (no NVIDIA GPU, or the driver library libcuda.so.1 is missing); use --device ilgpu-cpu or cpu");
            }
            else
            {
                accelerator = context.CreateCPUAccelerator(0);
            }
            return new IlgpuBackend<T>(context, accelerator, gemm);
        }
        catch
        {
            // The constructor may fail after allocating scratch buffers (e.g. a kernel that does not compile):
            // the accelerator owns them, so disposing it frees them before the context goes.
            accelerator?.Dispose();
            context.Dispose();
            throw;
        }
    }

    /// <summary>The first CUDA device's accelerator; a driver failure becomes a one-line typed error.</summary>
    private static Accelerator CreateCuda(Context context)
    {
        try
        {
            return context.CreateCudaAccelerator(0);
        }
        catch (Exception e) when (e is not IlgpuDeviceNotFoundException)
        {
            throw new IlgpuDeviceNotFoundException(
                $"CUDA device 0 ({context.GetCudaDevices()[0].Name}) could not be initialised: {e.Message.ReplaceLineEndings(" ")}", e);
        }
    }

    /// <inheritdoc/>
    public override string Name { get; }

    /// <summary>The matrix-product kernel in use.</summary>
    public IlgpuGemm GemmKernel => _gemmKind;

    /// <summary>The ILGPU accelerator in use.</summary>
    public Accelerator Accelerator => _accelerator;

    /// <summary>Bytes copied host → device so far: tensor uploads and mini-batch row indices.</summary>
    public long BytesToDevice => _transfers.BytesToDevice;

    /// <summary>Bytes copied device → host so far: tensor downloads, sums and correct counts.</summary>
    public long BytesToHost => _transfers.BytesToHost;

    /// <summary>Waits until every launched kernel has finished (useful before timing).</summary>
    public void Synchronize() => _accelerator.Synchronize();

    // ---- memory -------------------------------------------------------------------------

    /// <inheritdoc/>
    protected override Tensor<T> AllocateCore(Shape shape) => new(shape, new IlgpuStorage<T>(_accelerator, shape.Length, _transfers));

    /// <inheritdoc/>
    public override bool Owns(Tensor<T> tensor) => tensor.Storage is IlgpuStorage<T> s && ReferenceEquals(s.Accelerator, _accelerator);

    /// <inheritdoc/>
    protected override void CopyFromHostCore(ReadOnlySpan<T> source, Tensor<T> destination) => Storage(destination).CopyFrom(source);

    /// <inheritdoc/>
    protected override void CopyCore(Tensor<T> source, Tensor<T> destination) => View(source).CopyTo(View(destination));

    /// <inheritdoc/>
    protected override void FillCore(Tensor<T> destination, T value) => _fill(Elementwise(destination.Length), View(destination), value);

    // ---- linear algebra -----------------------------------------------------------------

    /// <inheritdoc/>
    protected override void MatMulCore(Tensor<T> a, bool transposeA, Tensor<T> b, bool transposeB, Tensor<T> c, T alpha, T beta, int m, int n, int k)
    {
        int tile = _gemmTile;
        var shape = new GemmShape(m, n, k, a.Columns, b.Columns, transposeA ? 1 : 0, transposeB ? 1 : 0, tile);
        if (_gemmKind == IlgpuGemm.GridStride)
        {
            _gemmGridStride(Elementwise(m * n), View(a), View(b), View(c), shape, alpha, beta);
            return;
        }
        var config = new KernelConfig(
            new Index2D((n + tile - 1) / tile, (m + tile - 1) / tile),
            new Index2D(tile, tile),
            SharedMemoryConfig.RequestDynamic<T>(2 * tile * tile));
        _gemm(config, View(a), View(b), View(c), shape, alpha, beta);
    }

    /// <inheritdoc/>
    protected override void AddRowVectorCore(Tensor<T> x, Tensor<T> v, Tensor<T> y) =>
        _addRowVector(Elementwise(y.Length), View(x), View(v), View(y));

    /// <inheritdoc/>
    protected override void SumRowsCore(Tensor<T> x, Tensor<T> y) => _sumRows(Elementwise(y.Length), View(x), View(y));

    // ---- elementwise formulas -----------------------------------------------------------

    /// <inheritdoc/>
    protected override void MapCore<F>(Tensor<T> x, Tensor<T> y, F f) =>
        Kernel<Action<KernelConfig, ArrayView<T>, ArrayView<T>, F>, F>("map1", static device => device.LoadStreamKernel<ArrayView<T>, ArrayView<T>, F>(FormulaKernels.Map1<T, F>))(Elementwise(y.Length), View(x), View(y), f);

    /// <inheritdoc/>
    protected override void MapCore<F>(Tensor<T> a, Tensor<T> b, Tensor<T> y, F f) =>
        Kernel<Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<T>, F>, F>("map2", static device => device.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>, F>(FormulaKernels.Map2<T, F>))(Elementwise(y.Length), View(a), View(b), View(y), f);

    /// <inheritdoc/>
    protected override void MapCore<F>(Tensor<T> a, Tensor<T> b, Tensor<T> c, Tensor<T> y, F f) =>
        Kernel<Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, F>, F>("map3", static device => device.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, F>(FormulaKernels.Map3<T, F>))(
            Elementwise(y.Length), View(a), View(b), View(c), View(y), f);

    /// <inheritdoc/>
    protected override void UpdateCore<F>(Tensor<T> parameter, Tensor<T> gradient, F f) =>
        Kernel<Action<KernelConfig, ArrayView<T>, ArrayView<T>, F>, F>("update0", static device => device.LoadStreamKernel<ArrayView<T>, ArrayView<T>, F>(FormulaKernels.Update0<T, F>))(Elementwise(parameter.Length), View(parameter), View(gradient), f);

    /// <inheritdoc/>
    protected override void UpdateCore<F>(Tensor<T> parameter, Tensor<T> gradient, Tensor<T> state, F f) =>
        Kernel<Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<T>, F>, F>("update1", static device => device.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>, F>(FormulaKernels.Update1<T, F>))(
            Elementwise(parameter.Length), View(parameter), View(gradient), View(state), f);

    /// <inheritdoc/>
    protected override void UpdateCore<F>(Tensor<T> parameter, Tensor<T> gradient, Tensor<T> state1, Tensor<T> state2, F f) =>
        Kernel<Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, F>, F>("update2", static device => device.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, F>(FormulaKernels.Update2<T, F>))(
            Elementwise(parameter.Length), View(parameter), View(gradient), View(state1), View(state2), f);

    /// <inheritdoc/>
    protected override void GenerateCore<F>(Tensor<T> y, F f) =>
        Kernel<Action<KernelConfig, ArrayView<T>, F>, F>("generate", static device => device.LoadStreamKernel<ArrayView<T>, F>(FormulaKernels.Generate<T, F>))(Elementwise(y.Length), View(y), f);

    // ---- row functions and reductions ---------------------------------------------------

    /// <inheritdoc/>
    protected override void MapRowsCore<F>(Tensor<T> a, Tensor<T> b, Tensor<T> y, F f) =>
        Kernel<Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<T>, int, F>, F>("maprows", static device => device.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>, int, F>(FormulaKernels.MapRows<T, F>))(
            Elementwise(a.Rows), View(a), View(b), View(y), a.Columns, f);

    /// <inheritdoc/>
    protected override void ReduceRowsCore<F>(Tensor<T> a, Tensor<T> b, Tensor<T> perRow, F f) =>
        Kernel<Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<T>, int, F>, F>("reducerows", static device => device.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>, int, F>(FormulaKernels.ReduceRows<T, F>))(
            Elementwise(a.Rows), View(a), View(b), View(perRow), a.Columns, f);

    /// <inheritdoc/>
    protected override void ArgMaxRowsCore(Tensor<T> x, Tensor<T> indices) => _argMaxRows(Elementwise(x.Rows), View(x), View(indices), x.Columns);

    /// <inheritdoc/>
    /// <remarks>Two-stage fixed-shape sum: <see cref="ReductionKernels.Partials"/> strided partials, then one thread adds them in order.</remarks>
    protected override T SumCore<F>(Tensor<T> x, F f)
    {
        Kernel<Action<KernelConfig, ArrayView<T>, ArrayView<T>, F>, F>("partialsums", static device => device.LoadStreamKernel<ArrayView<T>, ArrayView<T>, F>(FormulaKernels.PartialSums<T, F>))(
            Elementwise(ReductionKernels.Partials), View(x), _partials.View, f);
        _finishSum(new KernelConfig(1, 1), _partials.View, _scalar.View);
        var result = new T[1];
        _scalar.View.CopyToCPU(result);
        _transfers.ToHost<T>(1);
        return result[0];
    }

    /// <inheritdoc/>
    protected override int CountWhereCore<F>(Tensor<T> a, Tensor<T> b, F f)
    {
        EnsureCapacity(ref _rowCounts, ReductionKernels.Partials);
        ArrayView<int> counts = ((ArrayView<int>)_rowCounts.View).SubView(0, ReductionKernels.Partials);
        Kernel<Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<int>, F>, F>("partialcounts", static device => device.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<int>, F>(FormulaKernels.PartialCounts<T, F>))(
            Elementwise(ReductionKernels.Partials), View(a), View(b), counts, f);
        _sumCounts(new KernelConfig(1, 1), counts, _countTotal.View);
        var total = new int[1];
        _countTotal.View.CopyToCPU(total);
        _transfers.ToHost<int>(1);
        return total[0];
    }

    // ---- structure ----------------------------------------------------------------------

    /// <inheritdoc/>
    protected override void Im2ColCore(Tensor<T> x, ConvGeometry g, Tensor<T> columns) => _im2col(Elementwise(columns.Length), View(x), View(columns), g);

    /// <inheritdoc/>
    protected override void Col2ImCore(Tensor<T> columns, ConvGeometry g, Tensor<T> dx) => _col2im(Elementwise(dx.Length), View(columns), View(dx), g);

    /// <inheritdoc/>
    protected override void Pool2DCore(Tensor<T> x, ConvGeometry g, PoolKind kind, Tensor<T> y) =>
        _pool(Elementwise(y.Length), View(x), View(y), g, kind == PoolKind.Max ? 0 : 1);

    /// <inheritdoc/>
    protected override void Pool2DBackwardCore(Tensor<T> x, Tensor<T> outputGradient, ConvGeometry g, PoolKind kind, Tensor<T> dx) =>
        _poolBackward(Elementwise(dx.Length), View(x), View(outputGradient), View(dx), g, kind == PoolKind.Max ? 0 : 1);

    /// <inheritdoc/>
    protected override void CopyColumnsCore(Tensor<T> source, int sourceColumn, Tensor<T> destination, int destinationColumn, int count, bool accumulate) =>
        _copyColumns(Elementwise(source.Rows * count), View(source), View(destination),
            new ColumnBlock(source.Rows, source.Columns, sourceColumn, destination.Columns, destinationColumn, count, accumulate ? 1 : 0));

    /// <inheritdoc/>
    protected override void GatherRowsCore(Tensor<T> source, ReadOnlySpan<int> rows, Tensor<T> destination) =>
        _gatherRows(Elementwise(destination.Length), View(source), UploadRows(rows), View(destination), source.Columns);

    /// <inheritdoc/>
    protected override void GatherRowsCore(Tensor<T> table, Tensor<T> indices, int[] rows, Tensor<T> destination) =>
        GatherRowsCore(table, rows.AsSpan(), destination);

    /// <inheritdoc/>
    protected override void ScatterAddRowsCore(Tensor<T> source, Tensor<T> indices, int[] rows, Tensor<T> destination) =>
        _scatterAddRows(Elementwise(destination.Length), View(source), UploadRows(rows), View(destination), destination.Columns);

    /// <summary>Copies row indices (checked on the host) into the device's index buffer.</summary>
    private ArrayView<int> UploadRows(ReadOnlySpan<int> rows)
    {
        EnsureCapacity(ref _rowIndices, rows.Length);
        ArrayView<int> rowView = ((ArrayView<int>)_rowIndices.View).SubView(0, rows.Length);
        rowView.CopyFromCPU(rows);
        _transfers.ToDevice<int>(rows.Length);
        return rowView;
    }

    /// <summary>The kernel <paramref name="name"/> for formula type F: compiled by <paramref name="load"/> on first use, then cached.</summary>
    /// <remarks><paramref name="load"/> is a static lambda, so a cache hit allocates nothing.</remarks>
    private TDelegate Kernel<TDelegate, F>(string name, Func<Accelerator, TDelegate> load)
        where TDelegate : Delegate
        where F : struct
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        // Tests share one backend across threads; ILGPU's compiler must not run twice at once on one context.
        lock (_formulaKernels)
        {
            if (!_formulaKernels.TryGetValue((name, typeof(F)), out Delegate? kernel))
            {
                kernel = load(_accelerator);
                _formulaKernels[(name, typeof(F))] = kernel;
            }
            return (TDelegate)kernel;
        }
    }

    // ---- helpers ------------------------------------------------------------------------

    /// <summary>Frees the scratch buffers, the accelerator (and with it every tensor it holds) and the context.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _partials.Dispose();
        _scalar.Dispose();
        _countTotal.Dispose();
        _rowIndices.Dispose();
        _rowCounts.Dispose();
        _accelerator.Dispose();
        _context.Dispose();
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({_accelerator.Name}, {_gemmKind} GEMM)";

    /// <summary>
    /// Threads in the largest launch of a grid-stride kernel (groups × group size): CUDA, 8 groups of 256 per
    /// multiprocessor; the CPU accelerator, 2 groups of one 4-thread warp. Longer loops wrap round the grid.
    /// </summary>
    public int GridThreads => _maxGroups * _groupSize;

    /// <summary>Launch shape of a grid-stride loop over <paramref name="n"/> items: at most <c>_maxGroups</c> groups.</summary>
    private KernelConfig Elementwise(int n)
    {
        int groups = Math.Clamp((n + _groupSize - 1) / _groupSize, 1, _maxGroups);
        return new KernelConfig(groups, _groupSize);
    }

    /// <summary>The device storage of a tensor of this backend.</summary>
    private IlgpuStorage<T> Storage(Tensor<T> t)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (t.Storage is IlgpuStorage<T> s && ReferenceEquals(s.Accelerator, _accelerator))
        {
            return s;
        }
        string where = t.IsHost ? "host memory (CpuBackend)" : "another accelerator";
        throw new ArgumentException($"{t} lives in {where}, not on backend '{Name}'; allocate it with this backend or copy it with CopyFromHost");
    }

    /// <summary>The kernel view of a tensor of this backend.</summary>
    private ArrayView<T> View(Tensor<T> t) => Storage(t).View;

    /// <summary>Grows a scratch buffer to at least <paramref name="length"/> elements.</summary>
    private void EnsureCapacity(ref MemoryBuffer1D<int, Stride1D.Dense> buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer.Dispose();
            buffer = _accelerator.Allocate1D<int>(length);
        }
    }

}
