// ILGPU kernels that run the formula structs of RefNet's activations, losses and optimizers: one generic kernel per
// arity, compiled once per formula type. Twins: the loops of ReferenceBackend, element for element in the same order.
using System.Numerics;
using ILGPU;

namespace RefNet.Backends.Ilgpu.Kernels;

/// <summary>Elementwise maps, updates, generators and two-pass row functions over a formula struct F.</summary>
internal static class FormulaKernels
{
    /// <summary>y[i] = f(x[i]).</summary>
    public static void Map1<T, F>(ArrayView<T> x, ArrayView<T> y, F f)
        where T : unmanaged, IFloatingPointIeee754<T>
        where F : struct, IUnaryFunction<T>
    {
        for (int i = GridStride.Start, step = GridStride.Step; i < y.IntLength; i += step)
        {
            y[i] = f.Apply(x[i]);
        }
    }

    /// <summary>y[i] = f(a[i], b[i]).</summary>
    public static void Map2<T, F>(ArrayView<T> a, ArrayView<T> b, ArrayView<T> y, F f)
        where T : unmanaged, IFloatingPointIeee754<T>
        where F : struct, IBinaryFunction<T>
    {
        for (int i = GridStride.Start, step = GridStride.Step; i < y.IntLength; i += step)
        {
            y[i] = f.Apply(a[i], b[i]);
        }
    }

    /// <summary>y[i] = f(a[i], b[i], c[i]).</summary>
    public static void Map3<T, F>(ArrayView<T> a, ArrayView<T> b, ArrayView<T> c, ArrayView<T> y, F f)
        where T : unmanaged, IFloatingPointIeee754<T>
        where F : struct, ITernaryFunction<T>
    {
        for (int i = GridStride.Start, step = GridStride.Step; i < y.IntLength; i += step)
        {
            y[i] = f.Apply(a[i], b[i], c[i]);
        }
    }

    /// <summary>f(ref p[i], g[i]).</summary>
    public static void Update0<T, F>(ArrayView<T> p, ArrayView<T> g, F f)
        where T : unmanaged, IFloatingPointIeee754<T>
        where F : struct, IUpdate<T>
    {
        for (int i = GridStride.Start, step = GridStride.Step; i < p.IntLength; i += step)
        {
            T pi = p[i];
            f.Apply(ref pi, g[i]);
            p[i] = pi;
        }
    }

    /// <summary>f(ref p[i], g[i], ref s[i]).</summary>
    public static void Update1<T, F>(ArrayView<T> p, ArrayView<T> g, ArrayView<T> s, F f)
        where T : unmanaged, IFloatingPointIeee754<T>
        where F : struct, IUpdateWithState<T>
    {
        for (int i = GridStride.Start, step = GridStride.Step; i < p.IntLength; i += step)
        {
            T pi = p[i];
            T si = s[i];
            f.Apply(ref pi, g[i], ref si);
            p[i] = pi;
            s[i] = si;
        }
    }

    /// <summary>f(ref p[i], g[i], ref s1[i], ref s2[i]).</summary>
    public static void Update2<T, F>(ArrayView<T> p, ArrayView<T> g, ArrayView<T> s1, ArrayView<T> s2, F f)
        where T : unmanaged, IFloatingPointIeee754<T>
        where F : struct, IUpdateWithTwoStates<T>
    {
        for (int i = GridStride.Start, step = GridStride.Step; i < p.IntLength; i += step)
        {
            T pi = p[i];
            T a = s1[i];
            T b = s2[i];
            f.Apply(ref pi, g[i], ref a, ref b);
            p[i] = pi;
            s1[i] = a;
            s2[i] = b;
        }
    }

    /// <summary>y[i] = f(i).</summary>
    public static void Generate<T, F>(ArrayView<T> y, F f)
        where T : unmanaged, IFloatingPointIeee754<T>
        where F : struct, IIndexFunction<T>
    {
        for (int i = GridStride.Start, step = GridStride.Step; i < y.IntLength; i += step)
        {
            y[i] = f.Apply(i);
        }
    }

    /// <summary>Row r (one thread per row): the two folds in ascending j, then y[r, j] = f.Apply(…).</summary>
    public static void MapRows<T, F>(ArrayView<T> a, ArrayView<T> b, ArrayView<T> y, int cols, F f)
        where T : unmanaged, IFloatingPointIeee754<T>
        where F : struct, IRowMap<T>
    {
        int rows = y.IntLength / cols;
        for (int r = GridStride.Start, step = GridStride.Step; r < rows; r += step)
        {
            int o = r * cols;
            T r1 = f.Initial1;
            for (int j = 0; j < cols; j++)
            {
                r1 = f.Step1(r1, a[o + j], b[o + j]);
            }
            T r2 = f.Initial2;
            for (int j = 0; j < cols; j++)
            {
                r2 = f.Step2(r2, a[o + j], b[o + j], r1);
            }
            for (int j = 0; j < cols; j++)
            {
                y[o + j] = f.Apply(a[o + j], b[o + j], r1, r2);
            }
        }
    }

    /// <summary>Row r (one thread per row): perRow[r] = f.Finish(r₁, r₂) after the two folds in ascending j.</summary>
    public static void ReduceRows<T, F>(ArrayView<T> a, ArrayView<T> b, ArrayView<T> perRow, int cols, F f)
        where T : unmanaged, IFloatingPointIeee754<T>
        where F : struct, IRowReduction<T>
    {
        for (int r = GridStride.Start, step = GridStride.Step; r < perRow.IntLength; r += step)
        {
            int o = r * cols;
            T r1 = f.Initial1;
            for (int j = 0; j < cols; j++)
            {
                r1 = f.Step1(r1, a[o + j], b[o + j]);
            }
            T r2 = f.Initial2;
            for (int j = 0; j < cols; j++)
            {
                r2 = f.Step2(r2, a[o + j], b[o + j], r1);
            }
            perRow[r] = f.Finish(r1, r2);
        }
    }

    /// <summary>partials[t] = Σ_{i ≡ t (mod P)} f(x[i]) in ascending i (first stage of a whole-tensor sum, see <see cref="ReductionKernels"/>).</summary>
    public static void PartialSums<T, F>(ArrayView<T> x, ArrayView<T> partials, F f)
        where T : unmanaged, IFloatingPointIeee754<T>
        where F : struct, IUnaryFunction<T>
    {
        for (int t = GridStride.Start, step = GridStride.Step; t < ReductionKernels.Partials; t += step)
        {
            T sum = T.Zero;
            for (int i = t; i < x.IntLength; i += ReductionKernels.Partials)
            {
                sum += f.Apply(x[i]);
            }
            partials[t] = sum;
        }
    }

    /// <summary>counts[t] = #{i ≡ t (mod P) : f(a[i], b[i])} (first stage of a count; integers, so order does not matter).</summary>
    public static void PartialCounts<T, F>(ArrayView<T> a, ArrayView<T> b, ArrayView<int> counts, F f)
        where T : unmanaged, IFloatingPointIeee754<T>
        where F : struct, IBinaryPredicate<T>
    {
        for (int t = GridStride.Start, step = GridStride.Step; t < ReductionKernels.Partials; t += step)
        {
            int count = 0;
            for (int i = t; i < a.IntLength; i += ReductionKernels.Partials)
            {
                if (f.Test(a[i], b[i]))
                {
                    count++;
                }
            }
            counts[t] = count;
        }
    }
}
