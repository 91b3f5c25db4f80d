// How ILGPU results are compared with the reference backend.
// On ILGPU's CPU accelerator: bit for bit. Every kernel runs the same formula struct as the reference backend, in
// the same order (GEMM: p ascending per element; row functions: left to right; column sums: r ascending), on the
// same .NET arithmetic, so any difference is a bug. The one op with a different association by design, the
// whole-tensor Sum (256 strided partials, then their sum), is compared bitwise with a replica of that tree.
// On CUDA: the tolerance model (gradcheck.md §9), errors measured against a magnitude shadow M = Σ|terms|, so
// cancellation never makes a bound meaninglessly tight or loose. Each CUDA tolerance has a named cause: ptxas
// contracts a·b + c into one fused multiply-add (one rounding fewer per term: the c·√K·u bound), float
// transcendentals use the hardware's approximate instructions (tanh.approx.f32: up to ~134 ulp), and double
// exp/log/tanh are ILGPU's software routines, not glibc's (1e-10 relative).
using System.Numerics;
using Xunit;

namespace RefNet.Backends.Ilgpu.Tests;

/// <summary>Tolerances and the comparison helper shared by every ILGPU equivalence test.</summary>
public static class Equivalence
{
    /// <summary>c in the float bound c·√K·u·M.</summary>
    public const double C = 4.0;

    /// <summary>Absolute floor τ added to every bound (only matters when M = 0).</summary>
    public const double Floor = 1e-30;

    /// <summary>Relative tolerance for double (per unit of M).</summary>
    public const double DoubleRelative = 1e-12;

    /// <summary>Relative tolerance for double transcendental functions on CUDA (ILGPU uses its own software exp/log/tanh there).</summary>
    public const double DoubleRelativeCudaTranscendental = 1e-10;

    /// <summary>Extra factor for float transcendental functions on CUDA: tanh.approx.f32 is off by up to ~134 ulp.</summary>
    public const double FloatCudaTranscendentalFactor = 64.0;

    /// <summary>Unit roundoff u of <typeparamref name="T"/>: 2⁻²⁴ (float) or 2⁻⁵³ (double).</summary>
    public static double UnitRoundoff<T>() => typeof(T) == typeof(float) ? Math.Pow(2, -24) : Math.Pow(2, -53);

    /// <summary>
    /// Allowed |ilgpu − cpu| per unit of magnitude M for a result that is a sum of <paramref name="k"/> terms:
    /// float c·√K·u (×64 for transcendental ops on CUDA), double 1e-12 (1e-10 for transcendental ops on CUDA).
    /// </summary>
    public static double Relative<T>(int k, bool cuda = false, bool transcendental = false)
    {
        if (typeof(T) == typeof(double))
        {
            return cuda && transcendental ? DoubleRelativeCudaTranscendental : DoubleRelative;
        }
        double bound = C * Math.Sqrt(Math.Max(k, 1)) * UnitRoundoff<T>();
        return cuda && transcendental ? bound * FloatCudaTranscendentalFactor : bound;
    }

    /// <summary>Null when |actual_i − expected_i| ≤ relative·M_i + τ for every i (NaN must match NaN), else a message naming the worst element.</summary>
    public static string? Check(double[] expected, double[] actual, double[] magnitude, double relative, string what)
    {
        if (expected.Length != actual.Length)
        {
            return $"{what}: expected {expected.Length} elements but got {actual.Length}";
        }
        int worst = -1;
        double worstRatio = 1.0;
        for (int i = 0; i < expected.Length; i++)
        {
            if (double.IsNaN(expected[i]) && double.IsNaN(actual[i]))
            {
                continue;
            }
            double bound = (relative * magnitude[i]) + Floor;
            double error = Math.Abs(actual[i] - expected[i]);
            double ratio = double.IsNaN(error) ? double.PositiveInfinity : error / bound;
            if (ratio > worstRatio)
            {
                worstRatio = ratio;
                worst = i;
            }
        }
        if (worst < 0)
        {
            return null;
        }
        double e = expected[worst];
        double a = actual[worst];
        return $"{what}: element {worst} expected {e:R} got {a:R} (|Δ| = {Math.Abs(a - e):E3}, bound {relative * magnitude[worst] + Floor:E3}, {worstRatio:F1}× over)";
    }

    /// <summary>
    /// Null when every actual element has the same bits as the expected one (NaN matches any NaN; −0 does not
    /// match +0), else a message naming the first differing element, both values and their distance in ulps of
    /// <typeparamref name="T"/>.
    /// </summary>
    public static string? CheckBitwise<T>(ReadOnlySpan<T> expected, ReadOnlySpan<T> actual, string what)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (expected.Length != actual.Length)
        {
            return $"{what}: expected {expected.Length} elements but got {actual.Length}";
        }
        for (int i = 0; i < expected.Length; i++)
        {
            double e = double.CreateChecked(expected[i]);
            double a = double.CreateChecked(actual[i]);
            if (double.IsNaN(e) && double.IsNaN(a))
            {
                continue;
            }
            // float → double is exact, so equal double bits mean equal T bits (sign of zero included).
            if (BitConverter.DoubleToInt64Bits(e) != BitConverter.DoubleToInt64Bits(a))
            {
                int differing = 0;
                for (int j = i; j < expected.Length; j++)
                {
                    differing += BitConverter.DoubleToInt64Bits(double.CreateChecked(expected[j])) != BitConverter.DoubleToInt64Bits(double.CreateChecked(actual[j])) ? 1 : 0;
                }
                return $"{what}: not bitwise equal to the reference at element {i} of {expected.Length}: expected {e:R} got {a:R} "
                    + $"({Ulps(expected[i], actual[i])} ulp of {typeof(T).Name}; {differing} elements differ)";
            }
        }
        return null;
    }

    /// <summary>Fails the test with <see cref="CheckBitwise{T}"/>'s message.</summary>
    public static void AssertBitwise<T>(ReadOnlySpan<T> expected, ReadOnlySpan<T> actual, string what)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        string? message = CheckBitwise(expected, actual, what);
        if (message is not null)
        {
            Assert.Fail(message);
        }
    }

    /// <summary>The number of representable <typeparamref name="T"/> values from a to b (∞ when either is not finite).</summary>
    public static double Ulps<T>(T a, T b)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!T.IsFinite(a) || !T.IsFinite(b))
        {
            return double.PositiveInfinity;
        }
        // Order-preserving integer images of the bit patterns: their difference counts the values in between.
        static long Key(T v)
        {
            long bits = typeof(T) == typeof(float)
                ? BitConverter.SingleToInt32Bits(float.CreateChecked(v))
                : BitConverter.DoubleToInt64Bits(double.CreateChecked(v));
            long signBit = typeof(T) == typeof(float) ? int.MinValue : long.MinValue;
            return bits < 0 ? signBit - bits : bits;
        }
        return Math.Abs((double)Key(a) - Key(b));
    }

    /// <summary>
    /// The ILGPU whole-tensor sum's fixed association, written independently of the kernel: partial t (t = 0 … 255)
    /// adds f(x[i]) for i ≡ t (mod 256), i ascending; the result adds the 256 partials in order.
    /// </summary>
    public static T FixedTreeSum<T>(ReadOnlySpan<T> x, Func<T, T> f)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        const int partials = 256;
        var partial = new T[partials];
        for (int i = 0; i < x.Length; i++)
        {
            partial[i % partials] += f(x[i]);
        }
        T sum = T.Zero;
        foreach (T p in partial)
        {
            sum += p;
        }
        return sum;
    }

    /// <summary>Fails the test with <see cref="Check"/>'s message.</summary>
    public static void AssertClose(double[] expected, double[] actual, double[] magnitude, double relative, string what)
    {
        string? message = Check(expected, actual, magnitude, relative, what);
        if (message is not null)
        {
            Assert.Fail(message);
        }
    }
}
