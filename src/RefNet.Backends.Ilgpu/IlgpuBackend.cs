// IlgpuBackend: every IBackend operation as an ILGPU kernel, on CUDA or on ILGPU's CPU accelerator.
// Kernels are generic over T, loaded once per accelerator and kept in fields; CpuBackend is the specification.
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
/// Results match <see cref="CpuBackend{T}"/>: bit for bit on ILGPU's CPU accelerator for every operation whose
/// reduction fits one stage (see the README's ILGPU section for the tolerances elsewhere). Only scalars (sums,
/// correct counts) come back to the host during training. Not thread-safe: use one instance per thread.
/// </remarks>
public sealed class IlgpuBackend<T> : IBackend<T>, IDisposable
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

    // ---- kernels, loaded once --------------------------------------------------------------
    private readonly Action<KernelConfig, ArrayView<T>, T> _fill;
    private readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<T>> _add;
    private readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<T>> _subtract;
    private readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<T>> _multiply;
    private readonly Action<KernelConfig, ArrayView<T>, T, ArrayView<T>> _scale;
    private readonly Action<KernelConfig, T, ArrayView<T>, ArrayView<T>> _axpy;
    private readonly Action<KernelConfig, T, ArrayView<T>, ArrayView<T>> _axpySign;
    private readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<T>> _addRowVector;
    private readonly Action<KernelConfig, ArrayView<T>, ArrayView<int>, ArrayView<T>, int> _gatherRows;
    private readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<T>, GemmShape, T, T> _gemm;
    private readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<T>, GemmShape, T, T> _gemmGridStride;
    private readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>> _relu;
    private readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>> _sigmoid;
    private readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>> _tanh;
    private readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, int> _softmax;
    private readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<T>> _reluBackward;
    private readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<T>> _sigmoidBackward;
    private readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<T>> _tanhBackward;
    private readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<T>, int> _softmaxBackward;
    private readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>> _sumRows;
    private readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, SumTerm> _partialSums;
    private readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>> _finishSum;
    private readonly Action<KernelConfig, ArrayView<int>, ArrayView<int>> _sumCounts;
    private readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<T>, T> _mseForward;
    private readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<T>, T> _maeForward;
    private readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<T>, T, T> _bceForward;
    private readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<T>, T> _cceForward;
    private readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<T>, T, T> _mseBackward;
    private readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<T>, T, T> _maeBackward;
    private readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<T>, T, T, T> _bceBackward;
    private readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<T>, T, int, T> _cceBackward;
    private readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<int>> _countCategorical;
    private readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<int>, T> _countBinary;
    private readonly Action<KernelConfig, ArrayView<T>, ulong, long, T> _dropoutMask;
    private readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, T> _sgd;
    private readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<T>, T, T, int> _sgdMomentum;
    private readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<T>, T, T, T> _rmsProp;
    private readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, T, T, T, T> _adam;
    private readonly Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<T>, T, T> _adaGrad;

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
        _add = accelerator.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>>(ElementwiseKernels.Add);
        _subtract = accelerator.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>>(ElementwiseKernels.Subtract);
        _multiply = accelerator.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>>(ElementwiseKernels.Multiply);
        _scale = accelerator.LoadStreamKernel<ArrayView<T>, T, ArrayView<T>>(ElementwiseKernels.Scale);
        _axpy = accelerator.LoadStreamKernel<T, ArrayView<T>, ArrayView<T>>(ElementwiseKernels.Axpy);
        _axpySign = accelerator.LoadStreamKernel<T, ArrayView<T>, ArrayView<T>>(ElementwiseKernels.AxpySign);
        _addRowVector = accelerator.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>>(ElementwiseKernels.AddRowVector);
        _gatherRows = accelerator.LoadStreamKernel<ArrayView<T>, ArrayView<int>, ArrayView<T>, int>(ElementwiseKernels.GatherRows);
        _gemm = accelerator.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>, GemmShape, T, T>(GemmKernels.Gemm);
        _gemmGridStride = accelerator.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>, GemmShape, T, T>(GemmKernels.GemmGridStride);
        _relu = accelerator.LoadStreamKernel<ArrayView<T>, ArrayView<T>>(ActivationKernels.Relu);
        _sigmoid = accelerator.LoadStreamKernel<ArrayView<T>, ArrayView<T>>(ActivationKernels.Sigmoid);
        _tanh = accelerator.LoadStreamKernel<ArrayView<T>, ArrayView<T>>(ActivationKernels.Tanh);
        _softmax = accelerator.LoadStreamKernel<ArrayView<T>, ArrayView<T>, int>(ActivationKernels.Softmax);
        _reluBackward = accelerator.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>>(ActivationKernels.ReluBackward);
        _sigmoidBackward = accelerator.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>>(ActivationKernels.SigmoidBackward);
        _tanhBackward = accelerator.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>>(ActivationKernels.TanhBackward);
        _softmaxBackward = accelerator.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>, int>(ActivationKernels.SoftmaxBackward);
        _sumRows = accelerator.LoadStreamKernel<ArrayView<T>, ArrayView<T>>(ReductionKernels.SumRows);
        _partialSums = accelerator.LoadStreamKernel<ArrayView<T>, ArrayView<T>, SumTerm>(ReductionKernels.PartialSums);
        _finishSum = accelerator.LoadStreamKernel<ArrayView<T>, ArrayView<T>>(ReductionKernels.FinishSum);
        _sumCounts = accelerator.LoadStreamKernel<ArrayView<int>, ArrayView<int>>(ReductionKernels.SumCounts);
        _mseForward = accelerator.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>, T>(LossKernels.MseForward);
        _maeForward = accelerator.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>, T>(LossKernels.MaeForward);
        _bceForward = accelerator.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>, T, T>(LossKernels.BceForward);
        _cceForward = accelerator.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>, T>(LossKernels.CceForward);
        _mseBackward = accelerator.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>, T, T>(LossKernels.MseBackward);
        _maeBackward = accelerator.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>, T, T>(LossKernels.MaeBackward);
        _bceBackward = accelerator.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>, T, T, T>(LossKernels.BceBackward);
        _cceBackward = accelerator.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>, T, int, T>(LossKernels.CceBackward);
        _countCategorical = accelerator.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<int>>(LossKernels.CountCategorical);
        _countBinary = accelerator.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<int>, T>(LossKernels.CountBinary);
        _dropoutMask = accelerator.LoadStreamKernel<ArrayView<T>, ulong, long, T>(DropoutKernels.DropoutMask);
        _sgd = accelerator.LoadStreamKernel<ArrayView<T>, ArrayView<T>, T>(OptimizerKernels.Sgd);
        _sgdMomentum = accelerator.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>, T, T, int>(OptimizerKernels.SgdMomentum);
        _rmsProp = accelerator.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>, T, T, T>(OptimizerKernels.RmsProp);
        _adam = accelerator.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, T, T, T, T>(OptimizerKernels.Adam);
        _adaGrad = accelerator.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>, T, T>(OptimizerKernels.AdaGrad);
    }

    /// <summary>Creates a backend on the requested device.</summary>
    /// <param name="device">Auto (CUDA if present, else the CPU accelerator), Cpu, or Cuda.</param>
    /// <param name="gemm">The matrix-product kernel; null picks Tiled on CUDA and GridStride on the CPU accelerator.</param>
    /// <exception cref="IlgpuDeviceNotFoundException"><see cref="IlgpuDevice.Cuda"/> was requested and ILGPU finds no CUDA device.</exception>
    public static IlgpuBackend<T> Create(IlgpuDevice device = IlgpuDevice.Auto, IlgpuGemm? gemm = null)
    {
        Context context = IlgpuDevices.CreateContext(withCuda: device != IlgpuDevice.Cpu);
        try
        {
            Accelerator accelerator;
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
    public string Name { get; }

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
    public Tensor<T> Allocate(Shape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return new Tensor<T>(shape, new IlgpuStorage<T>(_accelerator, shape.Length, _transfers));
    }

    /// <inheritdoc/>
    public bool Owns(Tensor<T> tensor) => tensor.Storage is IlgpuStorage<T> s && ReferenceEquals(s.Accelerator, _accelerator);

    /// <inheritdoc/>
    public void CopyFromHost(ReadOnlySpan<T> source, Tensor<T> destination)
    {
        CheckLength("CopyFromHost", source.Length, destination);
        Storage(destination).CopyFrom(source);
    }

    /// <inheritdoc/>
    public void Copy(Tensor<T> source, Tensor<T> destination)
    {
        SameLength("Copy", source, destination);
        if (source.Length > 0)
        {
            View(source).CopyTo(View(destination));
        }
    }

    /// <inheritdoc/>
    public void Fill(Tensor<T> destination, T value) => _fill(Elementwise(destination.Length), View(destination), value);

    /// <inheritdoc/>
    public void GatherRows(Tensor<T> source, ReadOnlySpan<int> rows, Tensor<T> destination)
    {
        int cols = source.Columns;
        if (destination.Columns != cols || destination.Rows != rows.Length)
        {
            throw new ShapeMismatchException("GatherRows destination", $"({rows.Length}, {cols})", destination.Shape);
        }
        for (int i = 0; i < rows.Length; i++)
        {
            if ((uint)rows[i] >= (uint)source.Rows)
            {
                throw new ArgumentOutOfRangeException(nameof(rows), $"Row {rows[i]} out of range for {source.Shape}");
            }
        }
        if (rows.Length == 0 || cols == 0)
        {
            return;
        }
        EnsureCapacity(ref _rowIndices, rows.Length);
        ArrayView<int> rowView = ((ArrayView<int>)_rowIndices.View).SubView(0, rows.Length);
        rowView.CopyFromCPU(rows);
        _transfers.ToDevice<int>(rows.Length);
        _gatherRows(Elementwise(destination.Length), View(source), rowView, View(destination), cols);
    }

    // ---- linear algebra -----------------------------------------------------------------

    /// <inheritdoc/>
    public void MatMul(Tensor<T> a, bool transposeA, Tensor<T> b, bool transposeB, Tensor<T> c, T alpha, T beta)
    {
        int m = transposeA ? a.Columns : a.Rows;
        int k = transposeA ? a.Rows : a.Columns;
        int kb = transposeB ? b.Columns : b.Rows;
        int n = transposeB ? b.Rows : b.Columns;
        if (k != kb)
        {
            throw new ShapeMismatchException(
                $"MatMul inner dimensions (a{(transposeA ? "ᵀ" : "")} of a {a.Shape} is {m}×{k})",
                $"b{(transposeB ? "ᵀ" : "")} with {k} rows",
                b.Shape);
        }
        if (c.Rows != m || c.Columns != n)
        {
            throw new ShapeMismatchException($"MatMul output of a{(transposeA ? "ᵀ" : "")} {a.Shape} · b{(transposeB ? "ᵀ" : "")} {b.Shape}", $"({m}, {n})", c.Shape);
        }
        if (m == 0 || n == 0)
        {
            return;
        }
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
    public void AddRowVector(Tensor<T> x, Tensor<T> v, Tensor<T> y)
    {
        CheckLength("AddRowVector vector", x.Columns, v);
        SameLength("AddRowVector", x, y);
        if (v.Length > 0)
        {
            _addRowVector(Elementwise(y.Length), View(x), View(v), View(y));
        }
    }

    /// <inheritdoc/>
    public void SumRows(Tensor<T> x, Tensor<T> y)
    {
        CheckLength("SumRows output", x.Columns, y);
        if (y.Length > 0)
        {
            _sumRows(Elementwise(y.Length), View(x), View(y));
        }
    }

    // ---- elementwise --------------------------------------------------------------------

    /// <inheritdoc/>
    public void Add(Tensor<T> a, Tensor<T> b, Tensor<T> y)
    {
        SameLength("Add", a, b);
        SameLength("Add", a, y);
        _add(Elementwise(y.Length), View(a), View(b), View(y));
    }

    /// <inheritdoc/>
    public void Subtract(Tensor<T> a, Tensor<T> b, Tensor<T> y)
    {
        SameLength("Subtract", a, b);
        SameLength("Subtract", a, y);
        _subtract(Elementwise(y.Length), View(a), View(b), View(y));
    }

    /// <inheritdoc/>
    public void Multiply(Tensor<T> a, Tensor<T> b, Tensor<T> y)
    {
        SameLength("Multiply", a, b);
        SameLength("Multiply", a, y);
        _multiply(Elementwise(y.Length), View(a), View(b), View(y));
    }

    /// <inheritdoc/>
    public void Scale(Tensor<T> x, T alpha, Tensor<T> y)
    {
        SameLength("Scale", x, y);
        _scale(Elementwise(y.Length), View(x), alpha, View(y));
    }

    /// <inheritdoc/>
    public void Axpy(T alpha, Tensor<T> x, Tensor<T> y)
    {
        SameLength("Axpy", x, y);
        _axpy(Elementwise(y.Length), alpha, View(x), View(y));
    }

    /// <inheritdoc/>
    public void AxpySign(T alpha, Tensor<T> x, Tensor<T> y)
    {
        SameLength("AxpySign", x, y);
        _axpySign(Elementwise(y.Length), alpha, View(x), View(y));
    }

    /// <inheritdoc/>
    public void Activation(ActivationKind kind, Tensor<T> x, Tensor<T> y)
    {
        SameLength($"Activation {kind}", x, y);
        KernelConfig config = Elementwise(y.Length);
        switch (kind)
        {
            case ActivationKind.Linear:
                Copy(x, y);
                break;
            case ActivationKind.Relu:
                _relu(config, View(x), View(y));
                break;
            case ActivationKind.Sigmoid:
                _sigmoid(config, View(x), View(y));
                break;
            case ActivationKind.Tanh:
                _tanh(config, View(x), View(y));
                break;
            case ActivationKind.Softmax:
                if (x.Columns > 0)
                {
                    _softmax(Elementwise(x.Length / x.Columns), View(x), View(y), x.Columns);
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    /// <inheritdoc/>
    public void ActivationBackward(ActivationKind kind, Tensor<T> output, Tensor<T> outputGradient, Tensor<T> inputGradient)
    {
        SameLength($"ActivationBackward {kind}", output, outputGradient);
        SameLength($"ActivationBackward {kind}", output, inputGradient);
        KernelConfig config = Elementwise(output.Length);
        switch (kind)
        {
            case ActivationKind.Linear:
                Copy(outputGradient, inputGradient);
                break;
            case ActivationKind.Relu:
                _reluBackward(config, View(output), View(outputGradient), View(inputGradient));
                break;
            case ActivationKind.Sigmoid:
                _sigmoidBackward(config, View(output), View(outputGradient), View(inputGradient));
                break;
            case ActivationKind.Tanh:
                _tanhBackward(config, View(output), View(outputGradient), View(inputGradient));
                break;
            case ActivationKind.Softmax:
                if (output.Columns > 0)
                {
                    _softmaxBackward(Elementwise(output.Rows), View(output), View(outputGradient), View(inputGradient), output.Columns);
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    // ---- reductions ---------------------------------------------------------------------

    /// <inheritdoc/>
    public T Sum(Tensor<T> x) => WholeSum(x, SumTerm.Value);

    /// <inheritdoc/>
    public T SumOfSquares(Tensor<T> x) => WholeSum(x, SumTerm.Square);

    /// <inheritdoc/>
    public T SumOfAbsolute(Tensor<T> x) => WholeSum(x, SumTerm.Absolute);

    /// <summary>Two-stage fixed-shape sum: <see cref="ReductionKernels.Partials"/> strided partials, then one thread adds them in order.</summary>
    private T WholeSum(Tensor<T> x, SumTerm term)
    {
        _partialSums(Elementwise(ReductionKernels.Partials), View(x), _partials.View, term);
        _finishSum(new KernelConfig(1, 1), _partials.View, _scalar.View);
        var result = new T[1];
        _scalar.View.CopyToCPU(result);
        _transfers.ToHost<T>(1);
        return result[0];
    }

    // ---- losses and metrics -------------------------------------------------------------

    /// <inheritdoc/>
    public void LossForward(LossKind kind, Tensor<T> predictions, Tensor<T> targets, Tensor<T> perSample, T epsilon)
    {
        ShapeMismatchException.ThrowIfDifferent($"{kind} targets vs predictions", predictions.Shape, targets.Shape);
        CheckLength($"{kind} per-sample output", predictions.Rows, perSample);
        if (predictions.Rows == 0)
        {
            return;
        }
        KernelConfig config = Elementwise(predictions.Rows);
        T d = T.CreateChecked(predictions.Columns);
        ArrayView<T> p = View(predictions);
        ArrayView<T> y = View(targets);
        ArrayView<T> l = View(perSample);
        switch (kind)
        {
            case LossKind.MeanSquaredError:
                _mseForward(config, p, y, l, d);
                break;
            case LossKind.MeanAbsoluteError:
                _maeForward(config, p, y, l, d);
                break;
            case LossKind.BinaryCrossentropy:
                _bceForward(config, p, y, l, d, epsilon);
                break;
            case LossKind.CategoricalCrossentropy:
                _cceForward(config, p, y, l, epsilon);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    /// <inheritdoc/>
    public void LossBackward(LossKind kind, Tensor<T> predictions, Tensor<T> targets, T scale, Tensor<T> gradient, T epsilon)
    {
        ShapeMismatchException.ThrowIfDifferent($"{kind} targets vs predictions", predictions.Shape, targets.Shape);
        ShapeMismatchException.ThrowIfDifferent($"{kind} gradient vs predictions", predictions.Shape, gradient.Shape);
        if (predictions.Length == 0)
        {
            return;
        }
        KernelConfig config = Elementwise(predictions.Length);
        T d = T.CreateChecked(predictions.Columns);
        ArrayView<T> p = View(predictions);
        ArrayView<T> y = View(targets);
        ArrayView<T> g = View(gradient);
        switch (kind)
        {
            case LossKind.MeanSquaredError:
                _mseBackward(config, p, y, g, scale, d);
                break;
            case LossKind.MeanAbsoluteError:
                _maeBackward(config, p, y, g, scale, d);
                break;
            case LossKind.BinaryCrossentropy:
                _bceBackward(config, p, y, g, scale, d, epsilon);
                break;
            case LossKind.CategoricalCrossentropy:
                _cceBackward(Elementwise(predictions.Rows), p, y, g, scale, predictions.Columns, epsilon);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    /// <inheritdoc/>
    public int CountCorrect(AccuracyKind kind, Tensor<T> predictions, Tensor<T> targets)
    {
        ShapeMismatchException.ThrowIfDifferent($"{kind} accuracy targets vs predictions", predictions.Shape, targets.Shape);
        int rows = predictions.Rows;
        if (predictions.Length == 0)
        {
            return 0;
        }
        EnsureCapacity(ref _rowCounts, rows);
        ArrayView<int> counts = ((ArrayView<int>)_rowCounts.View).SubView(0, rows);
        switch (kind)
        {
            case AccuracyKind.Binary:
                _countBinary(Elementwise(rows), View(predictions), View(targets), counts, T.CreateChecked(0.5));
                break;
            case AccuracyKind.Categorical:
                _countCategorical(Elementwise(rows), View(predictions), View(targets), counts);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
        _sumCounts(new KernelConfig(1, 1), counts, _countTotal.View);
        var total = new int[1];
        _countTotal.View.CopyToCPU(total);
        _transfers.ToHost<int>(1);
        return total[0];
    }

    // ---- randomness ---------------------------------------------------------------------

    /// <inheritdoc/>
    public void DropoutMask(ulong seed, T rate, Tensor<T> mask)
    {
        T keepScale = T.One / (T.One - rate);
        // u ≥ rate ⇔ k ≥ ⌈rate·2²⁴⌉ for the 24-bit integer k behind u (see DropoutKernels.DropoutMask).
        long minKept = (long)Math.Ceiling(double.CreateChecked(rate) * 16777216.0);
        _dropoutMask(Elementwise(mask.Length), View(mask), seed, minKept, keepScale);
    }

    // ---- optimizer updates --------------------------------------------------------------

    /// <inheritdoc/>
    public void SgdUpdate(Tensor<T> parameter, Tensor<T> gradient, Tensor<T>? velocity, T learningRate, T momentum, bool nesterov)
    {
        SameLength("SgdUpdate", parameter, gradient);
        KernelConfig config = Elementwise(parameter.Length);
        if (velocity is null)
        {
            _sgd(config, View(parameter), View(gradient), learningRate);
            return;
        }
        SameLength("SgdUpdate velocity", parameter, velocity);
        _sgdMomentum(config, View(parameter), View(gradient), View(velocity), learningRate, momentum, nesterov ? 1 : 0);
    }

    /// <inheritdoc/>
    public void RmsPropUpdate(Tensor<T> parameter, Tensor<T> gradient, Tensor<T> accumulator, T learningRate, T rho, T epsilon)
    {
        SameLength("RmsPropUpdate", parameter, gradient);
        SameLength("RmsPropUpdate accumulator", parameter, accumulator);
        _rmsProp(Elementwise(parameter.Length), View(parameter), View(gradient), View(accumulator), learningRate, rho, epsilon);
    }

    /// <inheritdoc/>
    public void AdamUpdate(Tensor<T> parameter, Tensor<T> gradient, Tensor<T> m, Tensor<T> v, T learningRateT, T beta1, T beta2, T epsilon)
    {
        SameLength("AdamUpdate", parameter, gradient);
        SameLength("AdamUpdate m", parameter, m);
        SameLength("AdamUpdate v", parameter, v);
        _adam(Elementwise(parameter.Length), View(parameter), View(gradient), View(m), View(v), learningRateT, beta1, beta2, epsilon);
    }

    /// <inheritdoc/>
    public void AdaGradUpdate(Tensor<T> parameter, Tensor<T> gradient, Tensor<T> accumulator, T learningRate, T epsilon)
    {
        SameLength("AdaGradUpdate", parameter, gradient);
        SameLength("AdaGradUpdate accumulator", parameter, accumulator);
        _adaGrad(Elementwise(parameter.Length), View(parameter), View(gradient), View(accumulator), learningRate, epsilon);
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

    private static void SameLength(string what, Tensor<T> a, Tensor<T> b)
    {
        if (a.Length != b.Length)
        {
            throw new ShapeMismatchException(what, a.Shape.ToString(), b.Shape);
        }
    }

    private static void CheckLength(string what, int expected, Tensor<T> t)
    {
        if (t.Length != expected)
        {
            throw new ShapeMismatchException(what, $"{expected} elements", t.Shape);
        }
    }
}
