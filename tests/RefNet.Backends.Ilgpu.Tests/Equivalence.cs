// The tolerance model for CPU-vs-ILGPU comparisons (gradcheck.md §9): errors are measured against a magnitude
// shadow M = Σ|terms|, so cancellation never makes a bound meaninglessly tight or loose.
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
