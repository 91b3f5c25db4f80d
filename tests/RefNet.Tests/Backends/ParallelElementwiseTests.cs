// CpuBackend splits long elementwise calls across threads in chunks of whole vectors. Every element must still get
// exactly the reference backend's bits, for any thread count, at lengths just around the split points.
using RefNet.Backends;
using RefNet.Backends.Cpu;
using RefNet.Tensors;
using Xunit;

namespace RefNet.Tests.Backends;

[Collection("CpuThreads")]
public sealed class ParallelElementwiseTests
{
    public static TheoryData<int, int> Cases()
    {
        var d = new TheoryData<int, int>();
        foreach (int threads in new[] { 1, 2, 3, 4 })
        {
            // Below the threshold (one thread whatever the count), at it, and long with a ragged tail.
            foreach (int length in new[] { CpuBackend<float>.ParallelThreshold - 1, CpuBackend<float>.ParallelThreshold, (3 * CpuBackend<float>.ParallelThreshold) + 13 })
            {
                d.Add(threads, length);
            }
        }
        return d;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryArity_IsBitwiseEqualToTheReference_ForAnyThreadCount(int threads, int length)
    {
        Check<float>(threads, length);
        Check<double>(threads, length);
    }

    /// <summary>The bit pattern (float → double is exact, so equal bits mean equal bits in T, sign of zero included).</summary>
    private static long Bits<T>(T v)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> => BitConverter.DoubleToInt64Bits(double.CreateChecked(v));

    private static void Check<T>(int threads, int length)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        int saved = CpuThreads.Count;
        try
        {
            CpuThreads.Count = threads;
            var fast = new CpuBackend<T>(ManagedGemm.Instance);
            var reference = ReferenceBackend<T>.Instance;
            var rng = new Random(length + threads);
            T[] x = [.. Enumerable.Range(0, length).Select(_ => T.CreateChecked((rng.NextDouble() * 8) - 4))];
            T[] g = [.. Enumerable.Range(0, length).Select(_ => T.CreateChecked(rng.NextDouble() - 0.5))];
            T[] s = [.. Enumerable.Range(0, length).Select(_ => T.CreateChecked(rng.NextDouble()))];
            var shape = new Shape(length);
            T[] Run(IBackend<T> b, Action<IBackend<T>, Tensor<T>, Tensor<T>, Tensor<T>, Tensor<T>, Tensor<T>> op)
            {
                Tensor<T> tx = Tensor<T>.FromArray(shape, [.. x]), tg = Tensor<T>.FromArray(shape, [.. g]);
                Tensor<T> t1 = Tensor<T>.FromArray(shape, [.. s]), t2 = Tensor<T>.FromArray(shape, [.. s]);
                Tensor<T> y = Tensor<T>.FromArray(shape, new T[length]);
                op(b, tx, tg, t1, t2, y);
                return [.. y.ToArray(), .. tx.ToArray(), .. t1.ToArray(), .. t2.ToArray()];
            }
            var ops = new (string Name, Action<IBackend<T>, Tensor<T>, Tensor<T>, Tensor<T>, Tensor<T>, Tensor<T>> Op)[]
            {
                ("relu (one input)", (b, tx, tg, t1, t2, y) => b.Activation(ActivationKind.Relu, tx, y)),
                ("subtract (two inputs)", (b, tx, tg, t1, t2, y) => b.Subtract(tx, tg, y)),
                ("sigmoid backward (three inputs)", (b, tx, tg, t1, t2, y) => b.ActivationBackward(ActivationKind.Sigmoid, t1, tg, y)),
                ("sgd (no state)", (b, tx, tg, t1, t2, y) => b.SgdUpdate(tx, tg, null, T.CreateChecked(0.1), T.Zero, false)),
                ("rmsprop (one state)", (b, tx, tg, t1, t2, y) => b.RmsPropUpdate(tx, tg, t1, T.CreateChecked(0.001), T.CreateChecked(0.9), T.CreateChecked(1e-7))),
                ("adam (two states)", (b, tx, tg, t1, t2, y) => b.AdamUpdate(tx, tg, t1, t2, T.CreateChecked(0.001), T.CreateChecked(0.9), T.CreateChecked(0.999), T.CreateChecked(1e-7))),
                ("dropout mask (generator)", (b, tx, tg, t1, t2, y) => b.DropoutMask(987654321, T.CreateChecked(0.3), y)),
            };
            foreach ((string name, var op) in ops)
            {
                T[] expected = Run(reference, op);
                T[] actual = Run(fast, op);
                int first = Enumerable.Range(0, expected.Length).FirstOrDefault(i => Bits(expected[i]) != Bits(actual[i]), -1);
                Assert.True(first < 0, $"{name}, {typeof(T).Name}, {threads} threads, length {length}: first difference at {first % length} of tensor {first / Math.Max(1, length)}");
            }
        }
        finally
        {
            CpuThreads.Count = saved;
        }
    }
}
