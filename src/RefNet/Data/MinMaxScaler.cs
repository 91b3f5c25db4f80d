// MinMaxScaler: per-column rescaling to a feature range, with scikit-learn's formulas.
// x' = x·scale + min, scale = (hi − lo)/(dataMax − dataMin), min = lo − dataMin·scale; constant columns use range 1.
using System.Numerics;
using RefNet.Tensors;

namespace RefNet.Data;

/// <summary>Scales each column to [lo, hi] (default [0, 1]) using the minimum and maximum seen by <see cref="Fit{T}"/>.</summary>
/// <remarks>
/// scikit-learn <c>MinMaxScaler(feature_range=(lo, hi))</c>: <c>scale_ = (hi − lo) / data_range_</c>,
/// <c>min_ = lo − data_min_ · scale_</c>, transform <c>x·scale_ + min_</c>, inverse <c>(x − min_) / scale_</c>.
/// A constant column has data range 0, which is replaced by 1 (scikit-learn's <c>_handle_zeros_in_scale</c>),
/// so it maps to lo. Statistics are kept in double; values outside the fitted range are not clipped.
/// Non-finite inputs (NaN, ±∞) are rejected.
/// </remarks>
public sealed class MinMaxScaler
{
    private double[]? _scale;
    private double[]? _min;

    /// <summary>A scaler to the range [<paramref name="low"/>, <paramref name="high"/>].</summary>
    /// <param name="low">Lower end of the target range.</param>
    /// <param name="high">Upper end; must exceed <paramref name="low"/>.</param>
    public MinMaxScaler(double low = 0, double high = 1)
    {
        if (!(low < high))
        {
            throw new ArgumentException($"feature range must have low < high (got [{low}, {high}])");
        }
        Low = low;
        High = high;
    }

    /// <summary>Lower end of the target range.</summary>
    public double Low { get; }

    /// <summary>Upper end of the target range.</summary>
    public double High { get; }

    /// <summary>Per-column minimum seen by Fit (scikit-learn <c>data_min_</c>).</summary>
    public double[]? DataMin { get; private set; }

    /// <summary>Per-column maximum seen by Fit (scikit-learn <c>data_max_</c>).</summary>
    public double[]? DataMax { get; private set; }

    /// <summary>Learns each column's minimum and maximum from the rows of <paramref name="x"/>.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="x">A 2-D host tensor (N, columns) with N ≥ 1.</param>
    /// <returns>This scaler.</returns>
    public MinMaxScaler Fit<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Shape.Rank != 2 || x.Rows == 0)
        {
            throw new ArgumentException($"MinMaxScaler.Fit expects a 2-D tensor with at least one row but got {x.Shape}", nameof(x));
        }
        int cols = x.Columns;
        var lo = Enumerable.Repeat(double.PositiveInfinity, cols).ToArray();
        var hi = Enumerable.Repeat(double.NegativeInfinity, cols).ToArray();
        ReadOnlySpan<T> data = x.Span;
        for (int r = 0; r < x.Rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                double v = double.CreateChecked(data[r * cols + c]);
                if (!double.IsFinite(v))
                {
                    throw new ArgumentException($"MinMaxScaler.Fit: value {v} at row {r}, column {c} is not finite", nameof(x));
                }
                lo[c] = Math.Min(lo[c], v);
                hi[c] = Math.Max(hi[c], v);
            }
        }
        DataMin = lo;
        DataMax = hi;
        _scale = new double[cols];
        _min = new double[cols];
        for (int c = 0; c < cols; c++)
        {
            double range = hi[c] - lo[c];
            if (range == 0)
            {
                range = 1;
            }
            _scale[c] = (High - Low) / range;
            _min[c] = Low - lo[c] * _scale[c];
        }
        return this;
    }

    /// <summary>x·scale + min per column, into a new tensor.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="x">A 2-D host tensor with the fitted number of columns.</param>
    public Tensor<T> Transform<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckFitted(x);
        return Map(x, (v, c) => v * _scale![c] + _min![c]);
    }

    /// <summary>Fit, then Transform, on the same data.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="x">A 2-D host tensor.</param>
    public Tensor<T> FitTransform<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Fit(x).Transform(x);

    /// <summary>(x − min)/scale per column: undoes <see cref="Transform{T}"/>.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="x">A 2-D host tensor with the fitted number of columns.</param>
    public Tensor<T> InverseTransform<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckFitted(x);
        return Map(x, (v, c) => (v - _min![c]) / _scale![c]);
    }

    private void CheckFitted<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        if (_scale is null)
        {
            throw new InvalidOperationException("Call MinMaxScaler.Fit before Transform/InverseTransform");
        }
        if (x.Shape.Rank != 2 || x.Columns != _scale.Length)
        {
            throw new ShapeMismatchException("MinMaxScaler", $"(*, {_scale.Length})", x.Shape);
        }
    }

    private static Tensor<T> Map<T>(Tensor<T> x, Func<double, int, double> f)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int cols = x.Columns;
        var result = new Tensor<T>(x.Rows, cols);
        ReadOnlySpan<T> src = x.Span;
        Span<T> dst = result.Span;
        for (int i = 0; i < src.Length; i++)
        {
            dst[i] = T.CreateChecked(f(double.CreateChecked(src[i]), i % cols));
        }
        return result;
    }
}
