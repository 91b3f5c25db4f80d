// The small set of primitive operations through which every layer, loss and optimizer touches memory.
// ReferenceBackend is the readable specification; CpuBackend and IlgpuBackend must match it.
using System.Numerics;
using RefNet.Tensors;

namespace RefNet.Backends;

/// <summary>The primitives layers, losses and optimizers use; each writes into a destination the caller provides.</summary>
/// <typeparam name="T">float or double.</typeparam>
/// <remarks>
/// Tensors are read as 2-D matrices where needed: rows = first dimension (the batch), columns = product of the
/// remaining dimensions. Destinations may alias sources for elementwise operations and updates, not for
/// <see cref="MatMul"/>, the row functions, the convolution, pooling and gather operations. No formula lives here:
/// elementwise and row formulas arrive as structs (<see cref="IUnaryFunction{T}"/> …) written in the file of the
/// thing they belong to. Every implementation derives from <see cref="Backend{T}"/>, which validates arguments once,
/// so every backend rejects the same bad input with the same <see cref="ShapeMismatchException"/> message.
/// </remarks>
public interface IBackend<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>A short name, e.g. "reference", "cpu" or "ilgpu-cuda".</summary>
    string Name { get; }

    // ---- memory -------------------------------------------------------------------------

    /// <summary>A new zero-filled tensor owned by this backend.</summary>
    Tensor<T> Allocate(Shape shape);

    /// <summary>True when <paramref name="tensor"/>'s storage belongs to this backend (so its operations can use it).</summary>
    bool Owns(Tensor<T> tensor);

    /// <summary>Copies host data into a tensor of this backend (lengths must match).</summary>
    void CopyFromHost(ReadOnlySpan<T> source, Tensor<T> destination);

    /// <summary>destination = source (same length).</summary>
    void Copy(Tensor<T> source, Tensor<T> destination);

    /// <summary>Every element of destination = value.</summary>
    void Fill(Tensor<T> destination, T value);

    // ---- linear algebra -----------------------------------------------------------------

    /// <summary>c = alpha·op(a)·op(b) + beta·c where op(x) is x or xᵀ of the 2-D views.</summary>
    /// <remarks>The one GEMM seam: every matrix product in RefNet goes through here.</remarks>
    void MatMul(Tensor<T> a, bool transposeA, Tensor<T> b, bool transposeB, Tensor<T> c, T alpha, T beta);

    /// <summary>y[i, j] = x[i, j] + v[j] (bias add; v has one element per column).</summary>
    void AddRowVector(Tensor<T> x, Tensor<T> v, Tensor<T> y);

    /// <summary>y[j] = Σ_i x[i, j], i ascending (sum over the batch; bias gradient).</summary>
    void SumRows(Tensor<T> x, Tensor<T> y);

    // ---- elementwise formulas -----------------------------------------------------------

    /// <summary>y[i] = f(x[i]).</summary>
    void Map<F>(Tensor<T> x, Tensor<T> y, F f)
        where F : struct, IUnaryFunction<T>;

    /// <summary>y[i] = f(a[i], b[i]).</summary>
    void Map<F>(Tensor<T> a, Tensor<T> b, Tensor<T> y, F f)
        where F : struct, IBinaryFunction<T>;

    /// <summary>y[i] = f(a[i], b[i], c[i]).</summary>
    void Map<F>(Tensor<T> a, Tensor<T> b, Tensor<T> c, Tensor<T> y, F f)
        where F : struct, ITernaryFunction<T>;

    /// <summary>f(ref p[i], g[i]) for every i (a stateless parameter update).</summary>
    void Update<F>(Tensor<T> parameter, Tensor<T> gradient, F f)
        where F : struct, IUpdate<T>;

    /// <summary>f(ref p[i], g[i], ref s[i]) for every i.</summary>
    void Update<F>(Tensor<T> parameter, Tensor<T> gradient, Tensor<T> state, F f)
        where F : struct, IUpdateWithState<T>;

    /// <summary>f(ref p[i], g[i], ref s1[i], ref s2[i]) for every i.</summary>
    void Update<F>(Tensor<T> parameter, Tensor<T> gradient, Tensor<T> state1, Tensor<T> state2, F f)
        where F : struct, IUpdateWithTwoStates<T>;

    /// <summary>y[i] = f(i) (counter-based random numbers: the same values on every backend).</summary>
    void Generate<F>(Tensor<T> y, F f)
        where F : struct, IIndexFunction<T>;

    // ---- row functions and reductions ---------------------------------------------------

    /// <summary>Row by row, y[r, j] = f.Apply(a[r, j], b[r, j], r₁, r₂) after f's two passes over the row (see <see cref="IRowFunction{T}"/>).</summary>
    void MapRows<F>(Tensor<T> a, Tensor<T> b, Tensor<T> y, F f)
        where F : struct, IRowMap<T>;

    /// <summary>perRow[r] = f.Finish(r₁, r₂) after f's two passes over row r of (a, b).</summary>
    void ReduceRows<F>(Tensor<T> a, Tensor<T> b, Tensor<T> perRow, F f)
        where F : struct, IRowReduction<T>;

    /// <summary>indices[r] = the column of the first maximum of row r (as a number of type T).</summary>
    void ArgMaxRows(Tensor<T> x, Tensor<T> indices);

    /// <summary>Σ_i f(x[i]) over the whole tensor, in a fixed order (left to right on the CPU).</summary>
    T Sum<F>(Tensor<T> x, F f)
        where F : struct, IUnaryFunction<T>;

    /// <summary>How many i satisfy f(a[i], b[i]).</summary>
    int CountWhere<F>(Tensor<T> a, Tensor<T> b, F f)
        where F : struct, IBinaryPredicate<T>;

    // ---- structure: convolution, pooling, column blocks, gathers --------------------------

    /// <summary>columns[(n, oy, ox), (ky, kx, c)] = x[n, oy·s − pad + ky·d, ox·s − pad + kx·d, c], 0 in the padding.</summary>
    /// <remarks>x is NHWC (g.Batch, g.Height, g.Width, g.Channels); columns is (g.Batch·g.OutHeight·g.OutWidth, g.KernelHeight·g.KernelWidth·g.Channels),
    /// so a Keras kernel (kh, kw, in, out) read as a (kh·kw·in, out) matrix multiplies it directly.</remarks>
    void Im2Col(Tensor<T> x, ConvGeometry g, Tensor<T> columns);

    /// <summary>The adjoint of <see cref="Im2Col"/>: dx[n, y, x, c] = Σ of the column entries that read (n, y, x, c), in ascending (ky, kx).</summary>
    /// <remarks>Written as a gather (each input element sums its own entries), so no two threads write one element
    /// and every backend adds in the same order.</remarks>
    void Col2Im(Tensor<T> columns, ConvGeometry g, Tensor<T> dx);

    /// <summary>y[n, oy, ox, c] = max or mean of x over the window; padding is skipped (not counted in the mean's divisor).</summary>
    void Pool2D(Tensor<T> x, ConvGeometry g, PoolKind kind, Tensor<T> y);

    /// <summary>dx = the adjoint of <see cref="Pool2D"/> at x: max sends each window's gradient to its first maximum
    /// in row-major window order; average sends gradient/count to every unpadded element. A gather, ascending windows.</summary>
    void Pool2DBackward(Tensor<T> x, Tensor<T> outputGradient, ConvGeometry g, PoolKind kind, Tensor<T> dx);

    /// <summary>destination[r, dc + j] = (or +=, with <paramref name="accumulate"/>) source[r, sc + j] for j &lt; count, every row.</summary>
    /// <remarks>Time steps and LSTM gate blocks; the backward of a column copy is the copy the other way.</remarks>
    void CopyColumns(Tensor<T> source, int sourceColumn, Tensor<T> destination, int destinationColumn, int count, bool accumulate);

    /// <summary>destination row i = source row rows[i] (a mini-batch gather with host indices).</summary>
    void GatherRows(Tensor<T> source, ReadOnlySpan<int> rows, Tensor<T> destination);

    /// <summary>destination row i = table row indices[i], indices a tensor of whole numbers (Embedding lookup).</summary>
    void GatherRows(Tensor<T> table, Tensor<T> indices, Tensor<T> destination);

    /// <summary>destination row indices[i] += source row i, i ascending (Embedding gradient: repeated indices accumulate).</summary>
    void ScatterAddRows(Tensor<T> source, Tensor<T> indices, Tensor<T> destination);

    /// <summary>destination[i, j] = 1 where j = indices[i], else 0; one row per index, each index a whole number in
    /// [0, destination columns) (sparse class labels as one-hot rows).</summary>
    void OneHot(Tensor<T> indices, Tensor<T> destination);
}

/// <summary>The window rule of <see cref="IBackend{T}.Pool2D"/>.</summary>
public enum PoolKind
{
    /// <summary>Maximum of the window (first maximum in row-major window order gets the gradient).</summary>
    Max,

    /// <summary>Mean of the window's unpadded elements.</summary>
    Average,
}
