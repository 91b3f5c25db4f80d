// The CPU backend's convolution and pooling loops (per-sample tasks, channel runs) against the reference loops:
// bitwise equal on seeded random geometries, with ties and NaN in the pooled values, on one and on two threads.
using System.Numerics;
using System.Runtime.InteropServices;
using RefNet.Backends;
using RefNet.Backends.Cpu;
using RefNet.Tensors;
using Xunit;
using Xunit.Abstractions;

namespace RefNet.Tests.Backends;

public class CpuWindowTests(ITestOutputHelper log)
{
    private const int Seed = 20261202;

    [Fact]
    public void Float_WindowOperations_AreBitwiseEqualToReference() => Check<float>(Seed, 150);

    [Fact]
    public void Double_WindowOperations_AreBitwiseEqualToReference() => Check<double>(Seed + 1, 150);

    [Fact]
    public void LargeBatch_SplitAcrossThreads_IsBitwiseEqualToReference()
    {
        // 64 × 12 × 12 × 8 = 73 728 elements: above the parallel threshold, so the samples run on the worker team.
        ConvGeometry conv = ConvGeometry.Create(64, 12, 12, 8, (3, 3), (1, 1), (1, 1), same: true);
        ConvGeometry pool = ConvGeometry.Create(64, 12, 12, 8, (2, 2), (2, 2), (1, 1), same: false);
        Assert.True(64 * 12 * 12 * 8 >= CpuBackend<float>.ParallelThreshold);
        int saved = CpuThreads.Count;
        try
        {
            foreach (int threads in new[] { 1, 2 })
            {
                CpuThreads.Count = threads;
                Compare<float>(new Random(threads), conv, pool, "large batch, " + threads + " thread(s)");
            }
        }
        finally
        {
            CpuThreads.Count = saved;
        }
    }

    private void Check<T>(int seed, int cases)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        log.WriteLine($"seed {seed}, {cases} geometries");
        var rng = new Random(seed);
        for (int i = 0; i < cases; i++)
        {
            int n = rng.Next(1, 4), h = rng.Next(1, 10), w = rng.Next(1, 10), c = rng.Next(1, 4) == 3 ? 17 : rng.Next(1, 4);
            int k = rng.Next(1, 5), kw = rng.Next(1, 5), s = rng.Next(1, 4), d = s == 1 ? rng.Next(1, 3) : 1;
            bool same = rng.Next(2) == 0;
            if (!same && ((k - 1) * d + 1 > h || (kw - 1) * d + 1 > w))
            {
                same = true;
            }
            ConvGeometry conv = ConvGeometry.Create(n, h, w, c, (k, kw), (s, s), (d, d), same);
            ConvGeometry pool = ConvGeometry.Create(n, h, w, c, (k, kw), (s, s), (1, 1), same || k > h || kw > w);
            Compare<T>(rng, conv, pool, $"case {i}: {conv}");
        }
    }

    private static void Compare<T>(Random rng, ConvGeometry conv, ConvGeometry pool, string what)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var fast = new CpuBackend<T>(ReferenceGemm.Instance);
        ReferenceBackend<T> plain = ReferenceBackend<T>.Instance;
        Tensor<T> x = Values<T>(rng, conv.InputShape);
        Tensor<T> columns = Values<T>(rng, conv.ColumnsShape);
        Tensor<T> pooledGradient = Values<T>(rng, pool.PooledShape);
        Same(what + " Im2Col", plain, fast, conv.ColumnsShape, (be, y) => be.Im2Col(x, conv, y));
        Same(what + " Col2Im", plain, fast, conv.InputShape, (be, y) => be.Col2Im(columns, conv, y));
        foreach (PoolKind kind in new[] { PoolKind.Max, PoolKind.Average })
        {
            Same($"{what} Pool2D {kind}", plain, fast, pool.PooledShape, (be, y) => be.Pool2D(x, pool, kind, y));
            Same($"{what} Pool2DBackward {kind}", plain, fast, pool.InputShape, (be, y) => be.Pool2DBackward(x, pooledGradient, pool, kind, y));
        }
    }

    // Runs op on both backends into buffers prefilled with garbage (the operation must overwrite every element).
    private static void Same<T>(string what, IBackend<T> plain, IBackend<T> fast, Shape shape, Action<IBackend<T>, Tensor<T>> op)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var expected = new Tensor<T>(shape.ToArray());
        var actual = new Tensor<T>(shape.ToArray());
        expected.Span.Fill(T.CreateChecked(12345));
        actual.Span.Fill(T.CreateChecked(-777));
        op(plain, expected);
        op(fast, actual);
        ReadOnlySpan<byte> e = MemoryMarshal.AsBytes(expected.Span), a = MemoryMarshal.AsBytes(actual.Span);
        if (!e.SequenceEqual(a))
        {
            int i;
            for (i = 0; i < expected.Length; i++)
            {
                if (!MemoryMarshal.AsBytes(expected.Span.Slice(i, 1)).SequenceEqual(MemoryMarshal.AsBytes(actual.Span.Slice(i, 1))))
                {
                    break;
                }
            }
            Assert.Fail($"{what}: element {i} differs: reference {expected.Span[i]}, cpu {actual.Span[i]}");
        }
    }

    // Small integers (many ties in max pooling), some halves, −0 and an occasional NaN or ±∞.
    private static Tensor<T> Values<T>(Random rng, Shape shape)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var t = new Tensor<T>(shape.ToArray());
        Span<T> s = t.Span;
        for (int i = 0; i < s.Length; i++)
        {
            int r = rng.Next(100);
            s[i] = r switch
            {
                0 => T.NaN,
                1 => T.NegativeInfinity,
                2 => T.NegativeZero,
                < 50 => T.CreateChecked(rng.Next(-3, 4)),
                _ => T.CreateChecked((rng.NextDouble() * 2) - 1),
            };
        }
        return t;
    }
}
