// e^−a for a ≥ 0, written in +, −, ×, ÷ and comparisons only, so that one formula runs as scalar code (the reference,
// GPU kernels) and as Vector<T> code (the fast CPU backend) with the same IEEE operations per lane, hence the same bits.
// Sigmoid and tanh are built on it; libm's exp/tanh cannot be vectorised bit-for-bit (tanhf costs ~25 ns an element).
//
//   k = round(a·log₂e)                          (the 1.5·2^p "magic" addition rounds to nearest)
//   r = (a − k·C1) − k·C2,  C1 + C2 = ln 2       (Cody–Waite: C1 = 0.693359375 has 9 bits, so k·C1 is exact)
//   m = e^−r − 1 = t + t²(1/2! + t(1/3! + … + t/14!)),  t = −r,  |t| ≤ ln2/2   (Taylor; remainder < 5e-18)
//   e^−a = (1 + m)·2^−⌊k/2⌋·2^−⌈k/2⌉              (each a normal power of two: scalar code multiplies the squares 2^−1, 2^−2,
//                                               2^−4, … picked by its bits, vector code writes the exponent field; both exact)
using System.Numerics;
using System.Runtime.CompilerServices;

namespace RefNet.Activations;

/// <summary>The constants of e^−a in the element type, made once on the host and passed to each formula struct
/// (GPU kernels take them as a parameter; nothing is converted inside a kernel).</summary>
public readonly struct NegativeExp<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T _log2E, _c1, _c2, _magic, _half, _quarter, _two, _underflow, _saturated;
    private readonly T _k3, _k4, _k5, _k6, _k7, _k8, _k9, _k10, _k11, _k12, _k13, _k14;

    private NegativeExp(bool unused)
    {
        _log2E = T.CreateChecked(1.4426950408889634);
        _c1 = T.CreateChecked(0.693359375);
        _c2 = T.CreateChecked(-2.1219444005469058277e-4);
        // 1.5·2^23 (float) or 1.5·2^52 (double): adding and subtracting it rounds a value below 2^22 to an integer.
        bool single = T.CreateChecked(16777217.0) == T.CreateChecked(16777216.0);
        _magic = T.CreateChecked(single ? 12582912.0 : 6755399441055744.0);
        _half = T.CreateChecked(0.5);
        _quarter = T.CreateChecked(0.25);
        _two = T.CreateChecked(2.0);
        // e^−a is 0 in T from a ≈ 104 (float) or 745.2 (double) on; tanh(a) rounds to 1 from a ≈ 9 (float) or 19 (double).
        _underflow = T.CreateChecked(single ? 110.0 : 746.0);
        _saturated = T.CreateChecked(20.0);
        double f = 2;
        T[] k = new T[15];
        for (int n = 3; n <= 14; n++)
        {
            f *= n;
            k[n] = T.CreateChecked(1.0 / f);
        }
        (_k3, _k4, _k5, _k6, _k7, _k8, _k9, _k10, _k11, _k12, _k13, _k14) = (k[3], k[4], k[5], k[6], k[7], k[8], k[9], k[10], k[11], k[12], k[13], k[14]);
    }

    /// <summary>The constants for T.</summary>
    public static NegativeExp<T> Constants { get; } = new(true);

    /// <summary>Bits of k/2 that <see cref="Of(T, int)"/> needs up to <see cref="Underflow"/> (k ≤ 1 076, k/2 ≤ 538 &lt; 2^10).</summary>
    public const int UnderflowBits = 10;

    /// <summary>Bits of k/2 for e^−2a with a ≤ <see cref="Saturated"/> (k ≤ 58, k/2 ≤ 29 &lt; 2^5).</summary>
    public const int SaturatedBits = 5;

    /// <summary>2 in T.</summary>
    public T Two => _two;

    /// <summary>A bound beyond which e^−a is 0 in T (110 for float, 746 for double): clamp a to it.</summary>
    public T Underflow => _underflow;

    /// <summary>A bound beyond which tanh a is 1 in T (20): clamp a to it.</summary>
    public T Saturated => _saturated;

    /// <summary>k = round(a·log₂e) and m = e^−(a − k·ln 2) − 1, so e^−a = 2^−k·(1 + m); m carries no cancellation when k = 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Reduce(T a, out T m)
    {
        T k = ((a * _log2E) + _magic) - _magic;
        T t = (k * _c1) - a + (k * _c2);
        T q = (((((((((((((_k14 * t) + _k13) * t) + _k12) * t) + _k11) * t) + _k10) * t) + _k9) * t) + _k8) * t) + _k7;
        q = (((((((((q * t) + _k6) * t) + _k5) * t) + _k4) * t) + _k3) * t) + _half;
        m = t + (t * t * q);
        return k;
    }

    /// <summary><see cref="Reduce(T, out T)"/> per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector<T> Reduce(Vector<T> a, out Vector<T> m)
    {
        var magic = new Vector<T>(_magic);
        Vector<T> k = ((a * new Vector<T>(_log2E)) + magic) - magic;
        Vector<T> t = (k * new Vector<T>(_c1)) - a + (k * new Vector<T>(_c2));
        Vector<T> q = (((((((((((((new Vector<T>(_k14) * t) + new Vector<T>(_k13)) * t) + new Vector<T>(_k12)) * t) + new Vector<T>(_k11)) * t)
            + new Vector<T>(_k10)) * t) + new Vector<T>(_k9)) * t) + new Vector<T>(_k8)) * t) + new Vector<T>(_k7);
        q = (((((((((q * t) + new Vector<T>(_k6)) * t) + new Vector<T>(_k5)) * t) + new Vector<T>(_k4)) * t) + new Vector<T>(_k3)) * t) + new Vector<T>(_half);
        m = t + (t * t * q);
        return k;
    }

    /// <summary>x·2^−k for a whole k in [0, 2^(bits+1)): k = k₁ + k₂ with k₁ = ⌊k/2⌋, and x·2^−k₁·2^−k₂, two roundings
    /// at most, by powers of two that are normal numbers (so both are exact and the vector form can build them from the
    /// exponent bits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Scale(T x, T k, int bits)
    {
        T k1 = ((k * _half) - _quarter + _magic) - _magic; // ⌊k/2⌋: k/2 − 1/4 rounds to it for whole k
        return x * PowerOfHalf(k1, bits) * PowerOfHalf(k - k1, bits);
    }

    /// <summary><see cref="Scale(T, T, int)"/> per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector<T> Scale(Vector<T> x, Vector<T> k, int bits)
    {
        var magic = new Vector<T>(_magic);
        Vector<T> k1 = ((k * new Vector<T>(_half)) - new Vector<T>(_quarter) + magic) - magic;
        return x * PowerOfHalf(k1) * PowerOfHalf(k - k1);
    }

    /// <summary>2^−k for a whole k in [0, 2^bits) as a product of the squares 2^−1, 2^−2, 2^−4, … picked by k's bits (exact).</summary>
    private T PowerOfHalf(T k, int bits)
    {
        T power = T.One;
        T factor = _half;
        for (int b = 0; b < bits; b++)
        {
            T rest = ((k * _half) - _quarter + _magic) - _magic;
            power = k - (rest + rest) == T.One ? power * factor : power;
            factor *= factor;
            k = rest;
        }
        return power;
    }

    /// <summary>2^−k per lane, written into the exponent field (the same exact power of two as the scalar product).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> PowerOfHalf(Vector<T> k)
    {
        // The whole number k (< 2^22) added to 2^23 (2^52) sits in the low bits of the significand: reading the sum's
        // bits and subtracting 2^23's (2^52's) gives k as an integer without a float-to-integer conversion (which for
        // double needs AVX-512DQ).
        if (typeof(T) == typeof(float))
        {
            var shift = new Vector<float>(8388608f);
            Vector<int> n = Vector.As<float, int>(Vector.As<T, float>(k) + shift) - Vector.As<float, int>(shift);
            return Vector.As<int, T>(Vector.ShiftLeft(new Vector<int>(127) - n, 23));
        }
        var shiftD = new Vector<double>(4503599627370496.0);
        Vector<long> m = Vector.As<double, long>(Vector.As<T, double>(k) + shiftD) - Vector.As<double, long>(shiftD);
        return Vector.As<long, T>(Vector.ShiftLeft(new Vector<long>(1023) - m, 52));
    }

    /// <summary>2^−k for a whole k with ⌈k/2⌉ &lt; 2^bits and below T's exponent range (k ≤ 252 float, 2 044 double); exact.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T PowerOfHalfK(T k, int bits) => Scale(T.One, k, bits);

    /// <summary><see cref="PowerOfHalfK(T, int)"/> per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector<T> PowerOfHalfK(Vector<T> k, int bits) => Scale(Vector<T>.One, k, bits);

    /// <summary>e^−a for 0 ≤ a ≤ <see cref="Underflow"/> with <see cref="UnderflowBits"/>, or a ≤ 2·<see cref="Saturated"/>
    /// with <see cref="SaturatedBits"/> (NaN stays NaN). Clamp a first: beyond, the powers of two are no longer normal
    /// numbers and the vector form's exponent field overflows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Of(T a, int bits)
    {
        T k = Reduce(a, out T m);
        return Scale(T.One + m, k, bits);
    }

    /// <summary><see cref="Of(T, int)"/> per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector<T> Of(Vector<T> a, int bits)
    {
        Vector<T> k = Reduce(a, out Vector<T> m);
        return Scale(Vector<T>.One + m, k, bits);
    }
}
