// The vectorized CPU backend against the plain-loop specification: every overridden operation must give
// bitwise the same result (same IEEE operations in the same order), including NaN, ±0 and odd lengths.
using RefNet.Activations;
using System.Numerics;
using System.Runtime.InteropServices;
using RefNet.Backends;
using RefNet.Backends.Cpu;
using RefNet.Tensors;
using Xunit;

namespace RefNet.Tests.Backends;

public class CpuBackendTests
{
    private static readonly int[] Lengths = [1, 3, 7, 8, 17, 33, 130, 1025];

    [Fact]
    public void Float_EveryOverride_IsBitwiseEqualToPlainLoop() => CheckAll<float>();

    [Fact]
    public void Double_EveryOverride_IsBitwiseEqualToPlainLoop() => CheckAll<double>();

    [Fact]
    public void DefaultInstance_IsTheFastBackend_AndReferenceIsPlain()
    {
        Assert.IsType<CpuBackend<float>>(CpuBackend<float>.Instance);
        Assert.IsType<ReferenceBackend<double>>(ReferenceBackend<double>.Instance);
        Assert.IsNotType<CpuBackend<double>>(ReferenceBackend<double>.Instance);
        Assert.Equal("reference", ReferenceBackend<double>.Instance.Name);
    }

    [Fact]
    public void DropoutMask_KeepsAboutOneMinusRate_AndScales()
    {
        var mask = new Tensor<float>(10000);
        CpuBackend<float>.Instance.DropoutMask(42, 0.2f, mask);
        float[] m = mask.ToArray();
        int kept = m.Count(v => v != 0);
        Assert.All(m.Where(v => v != 0), v => Assert.Equal(1f / 0.8f, v));
        // Binomial(10000, 0.8): σ = 40, so 5σ = 200.
        Assert.InRange(kept, 8000 - 200, 8000 + 200);
    }

    private static void CheckAll<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var fast = new CpuBackend<T>(ReferenceGemm.Instance);
        ReferenceBackend<T> plain = ReferenceBackend<T>.Instance;
        foreach (int n in Lengths)
        {
            var rng = new Random(n);
            Tensor<T> a = Values<T>(rng, n), b = Values<T>(rng, n), c = Values<T>(rng, n);
            Same("Add", plain, fast, be => be.Add(a, b, Out(be, a)));
            Same("Subtract", plain, fast, be => be.Subtract(a, b, Out(be, a)));
            Same("Multiply", plain, fast, be => be.Multiply(a, b, Out(be, a)));
            Same("Scale", plain, fast, be => be.Scale(a, T.CreateChecked(-0.3), Out(be, a)));
            Same("Axpy", plain, fast, be => be.Axpy(T.CreateChecked(0.7), a, Copy(be, b)));
            Same("Relu", plain, fast, be => be.Activation(ActivationKind.Relu, a, Out(be, a)));
            Same("Relu backward", plain, fast, be => be.ActivationBackward(ActivationKind.Relu, a, b, Out(be, a)));
            foreach (int cols in new[] { 1, 3, 10, 33 })
            {
                var x = new Tensor<T>(new Shape(n, cols), new HostStorage<T>(Values<T>(rng, n * cols).ToArray()));
                Tensor<T> v = Values<T>(rng, cols);
                Same("AddRowVector", plain, fast, be => be.AddRowVector(x, v, Out(be, x)));
                Same("SumRows", plain, fast, be => be.SumRows(x, Out(be, v)));
            }
            foreach (double rate in new[] { 0.0, 0.2, 0.5, 0.9 })
            {
                foreach (ulong seed in new ulong[] { 0, 7, ulong.MaxValue })
                {
                    Same($"DropoutMask rate {rate}", plain, fast, be => be.DropoutMask(seed, T.CreateChecked(rate), Out(be, a)));
                }
            }
            Tensor<T> g = Values<T>(rng, n, finite: true);
            Same("SgdUpdate", plain, fast, be => be.SgdUpdate(Copy(be, Values<T>(new Random(2), n, finite: true)), g, null, T.CreateChecked(0.01), T.Zero, false));
            Same("RmsPropUpdate", plain, fast, be =>
            {
                Tensor<T> acc = Abs(Values<T>(new Random(3), n, finite: true));
                Tensor<T> p = Values<T>(new Random(4), n, finite: true);
                be.RmsPropUpdate(p, g, acc, T.CreateChecked(0.001), T.CreateChecked(0.9), T.CreateChecked(1e-7));
                return Concat(p, acc);
            });
            Same("AdamUpdate", plain, fast, be =>
            {
                Tensor<T> m = Values<T>(new Random(5), n, finite: true);
                Tensor<T> vv = Abs(Values<T>(new Random(6), n, finite: true));
                Tensor<T> p = Values<T>(new Random(7), n, finite: true);
                be.AdamUpdate(p, g, m, vv, T.CreateChecked(0.001), T.CreateChecked(0.9), T.CreateChecked(0.999), T.CreateChecked(1e-7));
                return Concat(Concat(p, m), vv);
            });
        }
    }

    // Runs the same operation on both backends with fresh outputs and compares every bit.
    private static void Same<T>(string what, IBackend<T> plain, IBackend<T> fast, Func<IBackend<T>, Tensor<T>> op)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] expected = op(plain).ToArray();
        T[] actual = op(fast).ToArray();
        Assert.Equal(expected.Length, actual.Length);
        ReadOnlySpan<byte> e = MemoryMarshal.AsBytes(expected.AsSpan());
        ReadOnlySpan<byte> a = MemoryMarshal.AsBytes(actual.AsSpan());
        if (!e.SequenceEqual(a))
        {
            int i = Enumerable.Range(0, expected.Length).First(k => !MemoryMarshal.AsBytes(expected.AsSpan(k, 1)).SequenceEqual(MemoryMarshal.AsBytes(actual.AsSpan(k, 1))));
            Assert.Fail($"{typeof(T).Name} {what} (length {expected.Length}) differs at {i}: plain {expected[i]} vs fast {actual[i]}");
        }
    }

    private static void Same<T>(string what, IBackend<T> plain, IBackend<T> fast, Action<IBackend<T>> op)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Tensor<T>? last = null;
        Same(what, plain, fast, be =>
        {
            s_lastOutput = null;
            op(be);
            last = (Tensor<T>?)s_lastOutput;
            return last ?? throw new InvalidOperationException("no output recorded");
        });
    }

    [ThreadStatic]
    private static object? s_lastOutput;

    // Output helpers record the tensor an Action-style operation wrote into.
    private static Tensor<T> Out<T>(IBackend<T> be, Tensor<T> like)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var t = be.Allocate(like.Shape);
        s_lastOutput = t;
        return t;
    }

    private static Tensor<T> Copy<T>(IBackend<T> be, Tensor<T> source)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var t = be.Allocate(source.Shape);
        be.Copy(source, t);
        s_lastOutput = t;
        return t;
    }

    private static Tensor<T> Abs<T>(Tensor<T> t)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<T> s = t.Span;
        for (int i = 0; i < s.Length; i++)
        {
            s[i] = T.Abs(s[i]);
        }
        return t;
    }

    private static Tensor<T> Concat<T>(Tensor<T> x, Tensor<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] all = [.. x.ToArray(), .. y.ToArray()];
        return Tensor<T>.FromArray(new Shape(all.Length), all);
    }

    // Random values in [−2, 2] with special values (NaN, ±0, ±∞, tiny, huge) sprinkled in unless finite.
    private static Tensor<T> Values<T>(Random rng, int n, bool finite = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] specials = finite
            ? [T.Zero, T.CreateChecked(1e-30), T.CreateChecked(-3.5)]
            : [T.NaN, T.Zero, T.NegativeZero, T.PositiveInfinity, T.NegativeInfinity, T.CreateChecked(1e-30), T.CreateChecked(-1e30)];
        var data = new T[n];
        for (int i = 0; i < n; i++)
        {
            data[i] = rng.Next(8) == 0 ? specials[rng.Next(specials.Length)] : T.CreateChecked((rng.NextDouble() * 4) - 2);
        }
        return Tensor<T>.FromArray(new Shape(n), data);
    }
}
