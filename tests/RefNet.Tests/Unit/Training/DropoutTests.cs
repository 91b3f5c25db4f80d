// Dropout's semantics: identity at inference, inverted scaling in training, seeded masks, a binomial
// kept fraction, and a backward pass that multiplies by the same mask.
using System.Numerics;
using RefNet.Layers;
using RefNet.Tensors;
using Xunit;

namespace RefNet.Tests.Unit.Training;

public class DropoutTests
{
    private static Dropout<T> Layer<T>(double rate, int seed, int features)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var d = new Dropout<T>(rate, seed: seed);
        d.Build(new Shape(features));
        return d;
    }

    private static Tensor<T> RandomTensor<T>(int rows, int cols, int seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var r = new Random(seed);
        var data = new T[rows * cols];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = T.CreateChecked((r.NextDouble() * 4) - 2);
        }
        return Tensor<T>.FromArray(new Shape(rows, cols), data);
    }

    [Fact]
    public void Inference_IsIdentity_Bitwise()
    {
        Dropout<float> d = Layer<float>(0.5, 3, 10);
        Tensor<float> x = RandomTensor<float>(4, 10, 1);
        Assert.Equal(x.ToArray(), d.Forward(x, training: false).ToArray());
        Tensor<float> g = RandomTensor<float>(4, 10, 2);
        Assert.Equal(g.ToArray(), d.Backward(g).ToArray());
    }

    [Fact]
    public void RateZero_IsIdentity_InTraining()
    {
        Dropout<double> d = Layer<double>(0.0, 3, 10);
        Tensor<double> x = RandomTensor<double>(4, 10, 1);
        Assert.Equal(x.ToArray(), d.Forward(x, training: true).ToArray());
    }

    [Fact]
    public void Training_ScalesKeptInputsByOneOverKeepProbability_Float32() => CheckTraining<float>(0.3);

    [Fact]
    public void Training_ScalesKeptInputsByOneOverKeepProbability_Float64() => CheckTraining<double>(0.45);

    private static void CheckTraining<T>(double rate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Dropout<T> d = Layer<T>(rate, 7, 50);
        Tensor<T> x = RandomTensor<T>(8, 50, 4);
        T[] y = d.Forward(x, training: true).ToArray();
        T[] mask = d.Mask!.ToArray();
        T scale = T.One / (T.One - T.CreateChecked(rate));
        T[] xs = x.ToArray();
        int dropped = 0;
        for (int i = 0; i < y.Length; i++)
        {
            Assert.True(mask[i] == T.Zero || mask[i] == scale, $"mask[{i}] = {mask[i]}");
            Assert.Equal(xs[i] * mask[i], y[i]);
            if (mask[i] == T.Zero)
            {
                dropped++;
                Assert.Equal(T.Zero, y[i]);
            }
            else
            {
                Assert.Equal(xs[i] * scale, y[i]);
            }
        }
        Assert.InRange(dropped, 1, y.Length - 1);
    }

    [Fact]
    public void Backward_MultipliesByTheSameMask()
    {
        Dropout<double> d = Layer<double>(0.4, 9, 30);
        Tensor<double> x = RandomTensor<double>(5, 30, 1);
        d.Forward(x, training: true);
        double[] mask = d.Mask!.ToArray();
        Tensor<double> g = RandomTensor<double>(5, 30, 2);
        double[] gs = g.ToArray();
        double[] dx = d.Backward(g).ToArray();
        for (int i = 0; i < dx.Length; i++)
        {
            Assert.Equal(gs[i] * mask[i], dx[i]);
        }
    }

    [Fact]
    public void SameSeed_SameMasks_NextStep_NewMask()
    {
        Dropout<float> a = Layer<float>(0.5, 21, 200);
        Dropout<float> b = Layer<float>(0.5, 21, 200);
        Dropout<float> c = Layer<float>(0.5, 22, 200);
        Tensor<float> x = RandomTensor<float>(2, 200, 3);
        float[] ma1 = Mask(a, x), mb1 = Mask(b, x), mc1 = Mask(c, x);
        Assert.Equal(ma1, mb1);
        Assert.NotEqual(ma1, mc1);
        float[] ma2 = Mask(a, x);
        Assert.NotEqual(ma1, ma2);
        Assert.Equal(ma2, Mask(b, x));
    }

    private static float[] Mask(Dropout<float> d, Tensor<float> x)
    {
        d.Forward(x, training: true);
        return d.Mask!.ToArray();
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.5)]
    [InlineData(0.8)]
    public void KeptFraction_IsWithinFiveSigmaOfBinomial(double rate)
    {
        const int n = 20_000;
        Dropout<double> d = Layer<double>(rate, 5, n);
        var x = new Tensor<double>(1, n);
        x.Span.Fill(1.0);
        for (int step = 0; step < 3; step++)
        {
            d.Forward(x, training: true);
            int kept = d.Mask!.ToArray().Count(m => m != 0);
            double p = 1 - rate;
            double sigma = Math.Sqrt(n * p * (1 - p));
            Assert.True(Math.Abs(kept - (n * p)) <= 5 * sigma, $"step {step}: kept {kept} of {n}, expected {n * p} ± {5 * sigma:F1}");
        }
    }

    [Fact]
    public void InvalidRate_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout<float>(1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout<float>(-0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout<float>(double.NaN));
    }
}
