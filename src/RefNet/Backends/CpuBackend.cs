// CpuBackend: the default CPU backend — ReferenceBackend with a fast GEMM and vectorized loops over the same formulas.
// Every override computes exactly what the reference loop computes (same IEEE operations, same order per element).
using System.Numerics;
using System.Reflection;
using RefNet.Backends.Cpu;
using RefNet.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace RefNet.Backends;

/// <summary>The default CPU backend: vectorized elementwise loops and a fast GEMM, bitwise equal to <see cref="ReferenceBackend{T}"/> except for the GEMM.</summary>
/// <typeparam name="T">float or double.</typeparam>
/// <remarks>
/// A formula struct that also implements its vector interface (<see cref="IVectorUnaryFunction{T}"/> …) runs a
/// <see cref="Vector{T}"/> at a time, the tail with its scalar form; any other formula runs the reference loop.
/// Reductions whose order would change stay the reference loops. Elementwise calls on long tensors are split
/// across the GEMM's worker team in chunks of whole vectors, which leaves every element's bits unchanged. Every matrix product goes through one
/// <see cref="IGemm"/>, chosen at construction: by default <see cref="GemmSelector.Default"/> (environment variable
/// REFNET_GEMM overrides). The GEMM kernels and the worker team live in <c>Backends/Cpu/</c>.
/// </remarks>
public partial class CpuBackend<T> : ReferenceBackend<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates a CPU backend.</summary>
    /// <param name="gemm">The GEMM implementation; <see cref="GemmSelector.Default"/> when null.</param>
    public CpuBackend(IGemm? gemm = null)
    {
        GemmImplementation = gemm ?? GemmSelector.Default;
    }

    /// <summary>The shared default instance (automatic GEMM).</summary>
    public static new CpuBackend<T> Instance { get; } = new();

    /// <summary>The GEMM every <see cref="IBackend{T}.MatMul"/> goes through.</summary>
    public IGemm GemmImplementation { get; }

    /// <inheritdoc/>
    public override string Name => "cpu";

    /// <inheritdoc/>
    protected override void MatMulCore(Tensor<T> a, bool transposeA, Tensor<T> b, bool transposeB, Tensor<T> c, T alpha, T beta, int m, int n, int k) =>
        GemmImplementation.Multiply(transposeA, transposeB, m, n, k, alpha, Data(a), a.Columns, Data(b), b.Columns, beta, Data(c), n);

    /// <inheritdoc/>
    protected override void AddRowVectorCore(Tensor<T> x, Tensor<T> v, Tensor<T> y)
    {
        int cols = x.Columns;
        Span<T> xs = Data(x), vs = Data(v), ys = Data(y);
        for (int i = 0; i < x.Rows; i++)
        {
            TensorPrimitives.Add(xs.Slice(i * cols, cols), vs, ys.Slice(i * cols, cols));
        }
    }

    /// <inheritdoc/>
    /// <remarks>Adds row after row as the reference loop does, so each column's sum has the same order.</remarks>
    protected override void SumRowsCore(Tensor<T> x, Tensor<T> y)
    {
        int cols = x.Columns;
        Span<T> xs = Data(x), ys = Data(y);
        ys.Clear();
        for (int i = 0; i < x.Rows; i++)
        {
            TensorPrimitives.Add(ys, xs.Slice(i * cols, cols), ys);
        }
    }

    /// <summary>Row by row as spans: a copy, or one addition per element (the reference's d + v).</summary>
    protected override void CopyColumnsCore(Tensor<T> source, int sourceColumn, Tensor<T> destination, int destinationColumn, int count, bool accumulate)
    {
        Span<T> s = Data(source), d = Data(destination);
        int sc = source.Columns, dc = destination.Columns;
        for (int r = 0; r < source.Rows; r++)
        {
            Span<T> to = d.Slice((r * dc) + destinationColumn, count);
            ReadOnlySpan<T> from = s.Slice((r * sc) + sourceColumn, count);
            if (accumulate)
            {
                TensorPrimitives.Add(to, from, to);
            }
            else
            {
                from.CopyTo(to);
            }
        }
    }

    // ---- elementwise formulas: vector form when the struct has one --------------------------

    /// <summary>Elementwise calls on at least this many elements are split across <see cref="CpuThreads.Count"/> threads.</summary>
    /// <remarks>Below it the hand-off costs more than it saves (a 128 × 512 activation is 65 536 elements).</remarks>
    public const int ParallelThreshold = 1 << 15;

    /// <summary>
    /// Threads for long elementwise calls: <see cref="CpuThreads.Count"/> with the managed GEMM, whose worker team
    /// they share; 1 with OpenBLAS, whose own threads keep spinning between GEMM calls and would compete for the cores.
    /// </summary>
    public int ElementwiseThreads => GemmImplementation is OpenBlasGemm ? 1 : CpuThreads.Count;

    /// <inheritdoc/>
    protected override void MapCore<F>(Tensor<T> x, Tensor<T> y, F f)
    {
        if (VectorLoops<F>.Unary is { } loop)
        {
            Split(ElementwiseThreads, loop, x, y, null, null, f, y.Length);
            return;
        }
        Split(ElementwiseThreads, ScalarLoops<F>.Unary!, x, y, null, null, f, y.Length);
    }

    /// <inheritdoc/>
    protected override void MapCore<F>(Tensor<T> a, Tensor<T> b, Tensor<T> y, F f)
    {
        if (VectorLoops<F>.Binary is { } loop)
        {
            Split(ElementwiseThreads, loop, a, b, y, null, f, y.Length);
            return;
        }
        Split(ElementwiseThreads, ScalarLoops<F>.Binary!, a, b, y, null, f, y.Length);
    }

    /// <inheritdoc/>
    protected override void MapCore<F>(Tensor<T> a, Tensor<T> b, Tensor<T> c, Tensor<T> y, F f)
    {
        if (VectorLoops<F>.Ternary is { } loop)
        {
            Split(ElementwiseThreads, loop, a, b, c, y, f, y.Length);
            return;
        }
        Split(ElementwiseThreads, ScalarLoops<F>.Ternary!, a, b, c, y, f, y.Length);
    }

    /// <inheritdoc/>
    protected override void UpdateCore<F>(Tensor<T> parameter, Tensor<T> gradient, F f)
    {
        if (VectorLoops<F>.Update is { } loop)
        {
            Split(ElementwiseThreads, loop, parameter, gradient, null, null, f, parameter.Length);
            return;
        }
        base.UpdateCore(parameter, gradient, f);
    }

    /// <inheritdoc/>
    protected override void UpdateCore<F>(Tensor<T> parameter, Tensor<T> gradient, Tensor<T> state, F f)
    {
        if (VectorLoops<F>.UpdateWithState is { } loop)
        {
            Split(ElementwiseThreads, loop, parameter, gradient, state, null, f, parameter.Length);
            return;
        }
        base.UpdateCore(parameter, gradient, state, f);
    }

    /// <inheritdoc/>
    protected override void UpdateCore<F>(Tensor<T> parameter, Tensor<T> gradient, Tensor<T> state1, Tensor<T> state2, F f)
    {
        if (VectorLoops<F>.UpdateWithTwoStates is { } loop)
        {
            Split(ElementwiseThreads, loop, parameter, gradient, state1, state2, f, parameter.Length);
            return;
        }
        base.UpdateCore(parameter, gradient, state1, state2, f);
    }

    /// <inheritdoc/>
    protected override void GenerateCore<F>(Tensor<T> y, F f)
    {
        if (VectorLoops<F>.Generate is { } loop)
        {
            Split(ElementwiseThreads, loop, y, null, null, null, f, y.Length);
            return;
        }
        base.GenerateCore(y, f);
    }

    // ---- the vector loops, one per arity, each over a range of elements ---------------------

    /// <summary>A vector loop over elements [start, end) of up to four tensors (which ones: the arity's).</summary>
    private delegate void RangeLoop<F>(Tensor<T> t0, Tensor<T>? t1, Tensor<T>? t2, Tensor<T>? t3, F f, int start, int end)
        where F : struct;

    /// <summary>
    /// Runs <paramref name="loop"/> over all <paramref name="length"/> elements: on the calling thread when short, else
    /// in one chunk per thread. Chunks start at multiples of the vector width, so every element takes the same path
    /// (vector or scalar tail) and gets the same bits as on one thread; each element belongs to one chunk.
    /// </summary>
    private static void Split<F>(int maxThreads, RangeLoop<F> loop, Tensor<T> t0, Tensor<T>? t1, Tensor<T>? t2, Tensor<T>? t3, F f, int length)
        where F : struct
    {
        int threads = length < ParallelThreshold ? 1 : maxThreads;
        if (threads == 1)
        {
            loop(t0, t1, t2, t3, f, 0, length);
            return;
        }
        Chunks<F> body = Chunks<F>.ForThisThread;
        int w = Vector<T>.Count;
        body.Set(loop, t0, t1, t2, t3, f, length, ((length / threads) + w) / w * w);
        try
        {
            WorkerTeam.Shared.Run(body, ((length - 1) / body.Chunk) + 1, threads);
        }
        finally
        {
            body.Clear();
        }
    }

    /// <summary>One split call's arguments, reused per calling thread (so a training step allocates nothing).</summary>
    private sealed class Chunks<F> : ITaskBody
        where F : struct
    {
        [ThreadStatic]
        private static Chunks<F>? t_instance;

        private RangeLoop<F>? _loop;
        private Tensor<T>? _t0, _t1, _t2, _t3;
        private F _f;
        private int _length;

        public static Chunks<F> ForThisThread => t_instance ??= new Chunks<F>();

        public int Chunk { get; private set; }

        public void Set(RangeLoop<F> loop, Tensor<T> t0, Tensor<T>? t1, Tensor<T>? t2, Tensor<T>? t3, F f, int length, int chunk)
        {
            (_loop, _t0, _t1, _t2, _t3, _f, _length, Chunk) = (loop, t0, t1, t2, t3, f, length, chunk);
        }

        public void Clear() => (_loop, _t0, _t1, _t2, _t3) = (null, null, null, null, null);

        public void Execute(int index)
        {
            int start = index * Chunk;
            _loop!(_t0!, _t1, _t2, _t3, _f, start, Math.Min(_length, start + Chunk));
        }
    }

    /// <summary>For one formula type F, the vector loop of each arity it supports (null where F has no vector form).</summary>
    /// <remarks>Built once per F by closing the generic loops below over F (a struct, so the JIT specialises and
    /// inlines it); the per-call cost is one delegate call.</remarks>
    private static class VectorLoops<F>
        where F : struct
    {
        public static readonly RangeLoop<F>? Unary = Close(typeof(IVectorUnaryFunction<T>), nameof(UnaryLoop));
        public static readonly RangeLoop<F>? Binary = Close(typeof(IVectorBinaryFunction<T>), nameof(BinaryLoop));
        public static readonly RangeLoop<F>? Ternary = Close(typeof(IVectorTernaryFunction<T>), nameof(TernaryLoop));
        public static readonly RangeLoop<F>? Update = Close(typeof(IVectorUpdate<T>), nameof(UpdateLoop));
        public static readonly RangeLoop<F>? UpdateWithState = Close(typeof(IVectorUpdateWithState<T>), nameof(UpdateWithStateLoop));
        public static readonly RangeLoop<F>? UpdateWithTwoStates = Close(typeof(IVectorUpdateWithTwoStates<T>), nameof(UpdateWithTwoStatesLoop));
        public static readonly RangeLoop<F>? Generate = Close(typeof(IVectorIndexFunction<T>), nameof(GenerateLoop));

        private static RangeLoop<F>? Close(Type vectorInterface, string loop) => Vector.IsHardwareAccelerated ? CloseLoop<F>(vectorInterface, loop) : null;
    }

    /// <summary>For one formula type F, the plain loop of each arity it implements (the formulas without a vector form).</summary>
    private static class ScalarLoops<F>
        where F : struct
    {
        public static readonly RangeLoop<F>? Unary = CloseLoop<F>(typeof(IUnaryFunction<T>), nameof(UnaryScalarLoop));
        public static readonly RangeLoop<F>? Binary = CloseLoop<F>(typeof(IBinaryFunction<T>), nameof(BinaryScalarLoop));
        public static readonly RangeLoop<F>? Ternary = CloseLoop<F>(typeof(ITernaryFunction<T>), nameof(TernaryScalarLoop));
    }

    /// <summary>The generic loop method <paramref name="loop"/> closed over F, or null when F does not implement
    /// <paramref name="formulaInterface"/>.</summary>
    private static RangeLoop<F>? CloseLoop<F>(Type formulaInterface, string loop)
        where F : struct
    {
        if (!formulaInterface.IsAssignableFrom(typeof(F)))
        {
            return null;
        }
        MethodInfo open = typeof(CpuBackend<T>).GetMethod(loop, BindingFlags.NonPublic | BindingFlags.Static)!;
        return open.MakeGenericMethod(typeof(F)).CreateDelegate<RangeLoop<F>>();
    }

    // The reference's loops over a range of elements: element i gets exactly the reference's value on any thread.

    private static void UnaryScalarLoop<F>(Tensor<T> x, Tensor<T>? y, Tensor<T>? unused2, Tensor<T>? unused3, F f, int start, int end)
        where F : struct, IUnaryFunction<T>
    {
        Span<T> sx = Data(x), sy = Data(y!);
        for (int i = start; i < end; i++)
        {
            sy[i] = f.Apply(sx[i]);
        }
    }

    private static void BinaryScalarLoop<F>(Tensor<T> a, Tensor<T>? b, Tensor<T>? y, Tensor<T>? unused3, F f, int start, int end)
        where F : struct, IBinaryFunction<T>
    {
        Span<T> sa = Data(a), sb = Data(b!), sy = Data(y!);
        for (int i = start; i < end; i++)
        {
            sy[i] = f.Apply(sa[i], sb[i]);
        }
    }

    private static void TernaryScalarLoop<F>(Tensor<T> a, Tensor<T>? b, Tensor<T>? c, Tensor<T>? y, F f, int start, int end)
        where F : struct, ITernaryFunction<T>
    {
        Span<T> sa = Data(a), sb = Data(b!), sc = Data(c!), sy = Data(y!);
        for (int i = start; i < end; i++)
        {
            sy[i] = f.Apply(sa[i], sb[i], sc[i]);
        }
    }

    // Each loop: whole vectors from start while they fit before end, then the scalar form for the rest.

    private static void UnaryLoop<F>(Tensor<T> x, Tensor<T>? y, Tensor<T>? unused2, Tensor<T>? unused3, F f, int start, int end)
        where F : struct, IVectorUnaryFunction<T>
    {
        Span<T> sx = Data(x), sy = Data(y!);
        int w = Vector<T>.Count, i = start;
        for (; i <= end - w; i += w)
        {
            f.Apply(new Vector<T>(sx[i..])).CopyTo(sy[i..]);
        }
        for (; i < end; i++)
        {
            sy[i] = f.Apply(sx[i]);
        }
    }

    private static void BinaryLoop<F>(Tensor<T> a, Tensor<T>? b, Tensor<T>? y, Tensor<T>? unused3, F f, int start, int end)
        where F : struct, IVectorBinaryFunction<T>
    {
        Span<T> sa = Data(a), sb = Data(b!), sy = Data(y!);
        int w = Vector<T>.Count, i = start;
        for (; i <= end - w; i += w)
        {
            f.Apply(new Vector<T>(sa[i..]), new Vector<T>(sb[i..])).CopyTo(sy[i..]);
        }
        for (; i < end; i++)
        {
            sy[i] = f.Apply(sa[i], sb[i]);
        }
    }

    private static void TernaryLoop<F>(Tensor<T> a, Tensor<T>? b, Tensor<T>? c, Tensor<T>? y, F f, int start, int end)
        where F : struct, IVectorTernaryFunction<T>
    {
        Span<T> sa = Data(a), sb = Data(b!), sc = Data(c!), sy = Data(y!);
        int w = Vector<T>.Count, i = start;
        for (; i <= end - w; i += w)
        {
            f.Apply(new Vector<T>(sa[i..]), new Vector<T>(sb[i..]), new Vector<T>(sc[i..])).CopyTo(sy[i..]);
        }
        for (; i < end; i++)
        {
            sy[i] = f.Apply(sa[i], sb[i], sc[i]);
        }
    }

    private static void UpdateLoop<F>(Tensor<T> parameter, Tensor<T>? gradient, Tensor<T>? unused2, Tensor<T>? unused3, F f, int start, int end)
        where F : struct, IVectorUpdate<T>
    {
        Span<T> p = Data(parameter), g = Data(gradient!);
        int w = Vector<T>.Count, i = start;
        for (; i <= end - w; i += w)
        {
            var pv = new Vector<T>(p[i..]);
            f.Apply(ref pv, new Vector<T>(g[i..]));
            pv.CopyTo(p[i..]);
        }
        for (; i < end; i++)
        {
            f.Apply(ref p[i], g[i]);
        }
    }

    private static void UpdateWithStateLoop<F>(Tensor<T> parameter, Tensor<T>? gradient, Tensor<T>? state, Tensor<T>? unused3, F f, int start, int end)
        where F : struct, IVectorUpdateWithState<T>
    {
        Span<T> p = Data(parameter), g = Data(gradient!), s = Data(state!);
        int w = Vector<T>.Count, i = start;
        for (; i <= end - w; i += w)
        {
            var pv = new Vector<T>(p[i..]);
            var sv = new Vector<T>(s[i..]);
            f.Apply(ref pv, new Vector<T>(g[i..]), ref sv);
            pv.CopyTo(p[i..]);
            sv.CopyTo(s[i..]);
        }
        for (; i < end; i++)
        {
            f.Apply(ref p[i], g[i], ref s[i]);
        }
    }

    private static void UpdateWithTwoStatesLoop<F>(Tensor<T> parameter, Tensor<T>? gradient, Tensor<T>? state1, Tensor<T>? state2, F f, int start, int end)
        where F : struct, IVectorUpdateWithTwoStates<T>
    {
        Span<T> p = Data(parameter), g = Data(gradient!), s1 = Data(state1!), s2 = Data(state2!);
        int w = Vector<T>.Count, i = start;
        for (; i <= end - w; i += w)
        {
            var pv = new Vector<T>(p[i..]);
            var v1 = new Vector<T>(s1[i..]);
            var v2 = new Vector<T>(s2[i..]);
            f.Apply(ref pv, new Vector<T>(g[i..]), ref v1, ref v2);
            pv.CopyTo(p[i..]);
            v1.CopyTo(s1[i..]);
            v2.CopyTo(s2[i..]);
        }
        for (; i < end; i++)
        {
            f.Apply(ref p[i], g[i], ref s1[i], ref s2[i]);
        }
    }

    private static void GenerateLoop<F>(Tensor<T> y, Tensor<T>? unused1, Tensor<T>? unused2, Tensor<T>? unused3, F f, int start, int end)
        where F : struct, IVectorIndexFunction<T>
    {
        Span<T> sy = Data(y);
        int w = Vector<T>.Count, i = start;
        for (; i <= end - w; i += w)
        {
            f.ApplyVector(i).CopyTo(sy[i..]);
        }
        for (; i < end; i++)
        {
            sy[i] = f.Apply(i);
        }
    }
}
