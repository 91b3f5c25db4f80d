// NegativeExp (e^−a in +, −, ×, ÷) and the sigmoid and tanh built on it: against libm's Math.Exp / Math.Tanh (an
// independent implementation) within a few units in the last place over each type's whole range, special values, and
// the vector form bitwise equal to the scalar form on the fast backend.
using System.Numerics;
using RefNet.Activations;
using RefNet.Backends;
using RefNet.Tensors;
using Xunit;

namespace RefNet.Tests.Activations;

public class NegativeExpTests
{
    // The spacing of T's numbers at v (one unit in the last place), from libm's value.
    private static double Ulp<T>(double v)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double a = Math.Abs(v);
        if (typeof(T) == typeof(float))
        {
            float f = (float)a;
            return Math.Max(MathF.BitIncrement(f) - f, float.Epsilon);
        }
        return Math.Max(Math.BitIncrement(a) - a, double.Epsilon);
    }

    private static double[] Grid(double lo, double hi, int n) => [.. Enumerable.Range(0, n).Select(i => lo + ((hi - lo) * i / (n - 1)))];

    [Fact]
    public void Exp_Double_MatchesLibm_WithinThreeUlp() => ExpMatchesLibm<double>(745.0, 3.0);

    [Fact]
    public void Exp_Float_MatchesLibm_WithinTwoUlp() => ExpMatchesLibm<float>(103.0, 2.0);

    private static void ExpMatchesLibm<T>(double top, double ulps)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        NegativeExp<T> exp = NegativeExp<T>.Constants;
        foreach (double x in Grid(0, top, 20001))
        {
            T a = T.CreateChecked(x);
            double expected = Math.Exp(-double.CreateChecked(a));
            double got = double.CreateChecked(exp.Of(a, NegativeExp<T>.UnderflowBits));
            Assert.True(Math.Abs(got - expected) <= ulps * Ulp<T>(expected), $"{typeof(T).Name} e^-{a}: {got:R} vs libm {expected:R}");
        }
        Assert.Equal(T.One, exp.Of(T.Zero, NegativeExp<T>.UnderflowBits));
        Assert.Equal(T.Zero, exp.Of(exp.Underflow, NegativeExp<T>.UnderflowBits));
        Assert.True(T.IsNaN(exp.Of(T.NaN, NegativeExp<T>.UnderflowBits)));
    }

    [Fact]
    public void SigmoidAndTanh_Double_MatchLibm_WithinFourUlp() => SigmoidAndTanhMatchLibm<double>();

    [Fact]
    public void SigmoidAndTanh_Float_MatchLibm_WithinFourUlp() => SigmoidAndTanhMatchLibm<float>();

    private static void SigmoidAndTanhMatchLibm<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double[] x = [.. Grid(-30, 30, 60001), .. Grid(-0.4, 0.4, 8001), .. Grid(-700, 700, 2001)];
        T[] xt = [.. x.Select(T.CreateChecked)];
        T[] tanh = Forward(ActivationFunction.Tanh, ReferenceBackend<T>.Instance, xt);
        T[] sigmoid = Forward(ActivationFunction.Sigmoid, ReferenceBackend<T>.Instance, xt);
        for (int i = 0; i < x.Length; i++)
        {
            double v = double.CreateChecked(xt[i]);
            double t = Math.Tanh(v), s = 1 / (1 + Math.Exp(-v));
            // Below T's smallest normal the result has fewer digits; count there in its absolute spacing.
            Assert.True(Math.Abs(double.CreateChecked(tanh[i]) - t) <= 4 * Ulp<T>(t), $"{typeof(T).Name} tanh({v:R}) = {tanh[i]} vs libm {t:R}");
            Assert.True(Math.Abs(double.CreateChecked(sigmoid[i]) - s) <= 4 * Ulp<T>(s), $"{typeof(T).Name} sigmoid({v:R}) = {sigmoid[i]} vs libm {s:R}");
        }
    }

    private static T[] Forward<T>(ActivationFunction f, IBackend<T> backend, T[] x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Tensor<T> y = backend.Allocate(new Shape(1, x.Length));
        f.Forward(backend, Tensor<T>.FromArray(new Shape(1, x.Length), (T[])x.Clone()), y);
        return y.ToArray();
    }

    [Fact]
    public void SpecialValues()
    {
        double[] x = [double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0, 1e-300, -1e-300, 800, -800];
        double[] tanh = Forward(ActivationFunction.Tanh, ReferenceBackend<double>.Instance, x);
        double[] sigmoid = Forward(ActivationFunction.Sigmoid, ReferenceBackend<double>.Instance, x);
        Assert.True(double.IsNaN(tanh[0]));
        Assert.True(double.IsNaN(sigmoid[0]));
        Assert.Equal(new double[] { 1, -1, 0, 1e-300, -1e-300, 1, -1 }, tanh[1..]);
        Assert.Equal(new double[] { 1, 0, 0.5, 0.5, 0.5, 1, 0 }, sigmoid[1..]);
        Assert.True(double.IsPositive(tanh[3])); // tanh(+0) = +0
        Assert.True(double.IsNegative(Forward(ActivationFunction.Tanh, ReferenceBackend<double>.Instance, [-0.0])[0])); // tanh(−0) = −0
    }

    // The bit pattern (NaN payloads and signs, ±0 included).
    private static long Bits<T>(T v)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? BitConverter.SingleToInt32Bits((float)(object)v) : BitConverter.DoubleToInt64Bits((double)(object)v);

    [SkippableFact]
    public void VectorForm_Double_GivesTheScalarFormsBits() => VectorFormGivesScalarBits<double>();

    [SkippableFact]
    public void VectorForm_Float_GivesTheScalarFormsBits() => VectorFormGivesScalarBits<float>();

    private static void VectorFormGivesScalarBits<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Skip.IfNot(Vector.IsHardwareAccelerated, "no SIMD here: the fast backend runs the scalar form too");
        var random = new Random(31);
        // Odd length: the fast backend runs whole vectors and the scalar form on the tail.
        T[] x = [.. Enumerable.Range(0, 10007).Select(i => T.CreateChecked(i % 97 == 0 ? (i % 2 == 0 ? 1e-30 : -800) : (random.NextDouble() - 0.5) * 60))];
        x[5] = T.NaN;
        x[6] = T.PositiveInfinity;
        x[7] = T.NegativeInfinity;
        x[8] = -T.Zero;
        x[9] = -T.NaN; // a NaN with the other sign bit than T.NaN's
        x[10] = T.CreateChecked(1e-30);
        foreach (ActivationFunction f in new[] { ActivationFunction.Tanh, ActivationFunction.Sigmoid })
        {
            T[] reference = Forward(f, ReferenceBackend<T>.Instance, x);
            T[] fast = Forward(f, new CpuBackend<T>(), x);
            for (int i = 0; i < x.Length; i++)
            {
                Assert.True(Bits(reference[i]) == Bits(fast[i]), $"{typeof(T).Name} {f.Name}({x[i]}): scalar {reference[i]} ({Bits(reference[i]):X}) vs vector {fast[i]} ({Bits(fast[i]):X})");
            }
        }
    }
}
