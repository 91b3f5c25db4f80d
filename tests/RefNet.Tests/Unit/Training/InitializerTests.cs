// Initializers: Keras 2 bounds and variances checked statistically (tolerances derived from the sampling
// distribution, 5σ), orthogonality, seeding, and the FromName lookup.
using RefNet.Initializers;
using Xunit;

namespace RefNet.Tests.Unit.Training;

public class InitializerTests
{
    private static double[] Sample(Initializer init, int[] shape, int seed = 1)
    {
        int n = shape.Aggregate(1, (a, b) => a * b);
        var values = new double[n];
        init.Fill(values, shape, new Random(seed));
        return values;
    }

    private static (double Mean, double MeanSquare) Moments(double[] v) => (v.Average(), v.Average(x => x * x));

    /// <summary>Checks E[x] ≈ 0 and E[x²] ≈ variance within 5 standard errors.
    /// For |x| ≤ bound, Var(x²) ≤ E[x⁴] ≤ bound²·variance, which bounds the standard error of the mean square.</summary>
    private static void AssertZeroMeanWithVariance(double[] v, double variance, double bound)
    {
        (double mean, double meanSquare) = Moments(v);
        double n = v.Length;
        double meanTolerance = 5 * Math.Sqrt(variance / n);
        double squareTolerance = 5 * Math.Sqrt(bound * bound * variance / n);
        Assert.True(Math.Abs(mean) <= meanTolerance, $"mean {mean} vs 0 ± {meanTolerance}");
        Assert.True(Math.Abs(meanSquare - variance) <= squareTolerance, $"E[x²] {meanSquare} vs {variance} ± {squareTolerance}");
    }

    [Fact]
    public void GlorotUniform_784x512_HasKerasLimitAndVariance()
    {
        double limit = Math.Sqrt(6.0 / (784 + 512));
        Assert.Equal(0.0680414, limit, 7);
        double[] v = Sample(new GlorotUniform(), [784, 512]);
        Assert.All(v, x => Assert.InRange(x, -limit, limit));
        AssertZeroMeanWithVariance(v, limit * limit / 3, limit);
        Assert.True(v.Max() > 0.99 * limit && v.Min() < -0.99 * limit, "samples should fill the range");
    }

    [Fact]
    public void HeUniform_UsesFanIn()
    {
        double limit = Math.Sqrt(6.0 / 300);
        double[] v = Sample(new HeUniform(), [300, 200]);
        Assert.All(v, x => Assert.InRange(x, -limit, limit));
        AssertZeroMeanWithVariance(v, 2.0 / 300, limit);
    }

    [Fact]
    public void LecunUniform_UsesFanIn()
    {
        double limit = Math.Sqrt(3.0 / 300);
        double[] v = Sample(new LecunUniform(), [300, 100]);
        Assert.All(v, x => Assert.InRange(x, -limit, limit));
    }

    [Theory]
    [InlineData("glorot_normal", 400, 200, 2.0 / 600)]
    [InlineData("he_normal", 400, 200, 2.0 / 400)]
    [InlineData("lecun_normal", 400, 200, 1.0 / 400)]
    public void NormalVarianceScaling_IsTruncatedAtTwoSigma_WithVarianceScaleOverFan(string name, int fanIn, int fanOut, double variance)
    {
        // σ = √variance / 0.8796…, truncated at ±2σ, so the samples' variance is exactly scale/n.
        double sigma = Math.Sqrt(variance) / 0.87962566103423978;
        double[] v = Sample(Initializer.FromName(name), [fanIn, fanOut]);
        Assert.All(v, x => Assert.InRange(x, -2 * sigma, 2 * sigma));
        AssertZeroMeanWithVariance(v, variance, 2 * sigma);
        Assert.True(v.Max(Math.Abs) > 1.9 * sigma, "tails up to the truncation point should occur");
    }

    [Fact]
    public void ConvKernel_FansIncludeTheReceptiveField()
    {
        // (3, 3, 4, 8): fan_in = 36, fan_out = 72 → glorot limit √(6/108).
        double limit = Math.Sqrt(6.0 / 108);
        double[] v = Sample(new GlorotUniform(), [3, 3, 4, 8]);
        Assert.All(v, x => Assert.InRange(x, -limit, limit));
        Assert.True(v.Max() > 0.9 * limit);
    }

    [Fact]
    public void RandomNormal_HasKerasDefaults()
    {
        double[] v = Sample(new RandomNormal(), [200, 500]);
        (double mean, double meanSquare) = Moments(v);
        double n = v.Length, s2 = 0.05 * 0.05;
        Assert.True(Math.Abs(mean) <= 5 * Math.Sqrt(s2 / n), $"mean {mean}");
        Assert.True(Math.Abs(meanSquare - s2) <= 5 * Math.Sqrt(2 * s2 * s2 / n), $"E[x²] {meanSquare}"); // Var(x²) = 2σ⁴
        double[] shifted = Sample(new RandomNormal(mean: 3, stddev: 0.5), [100, 100]);
        Assert.True(Math.Abs(shifted.Average() - 3) <= 5 * 0.5 / 100);
    }

    [Fact]
    public void RandomUniform_StaysInItsRange()
    {
        double[] v = Sample(new RandomUniform(), [200, 500]);
        Assert.All(v, x => Assert.InRange(x, -0.05, 0.05));
        AssertZeroMeanWithVariance(v, 0.05 * 0.05 / 3, 0.05);
        double[] w = Sample(new RandomUniform(2, 5), [100, 10]);
        Assert.All(w, x => Assert.InRange(x, 2, 5));
    }

    [Fact]
    public void TruncatedNormal_StaysWithinTwoStdDev()
    {
        double[] v = Sample(new TruncatedNormal(stddev: 0.1), [100, 100]);
        Assert.All(v, x => Assert.InRange(x, -0.2, 0.2));
    }

    [Fact]
    public void ZerosAndOnes_AreConstant()
    {
        Assert.All(Sample(Initializer.FromName("zeros"), [3, 4]), x => Assert.Equal(0.0, x));
        Assert.All(Sample(Initializer.FromName("ones"), [3, 4]), x => Assert.Equal(1.0, x));
    }

    [Theory]
    [InlineData(20, 8, 1.0)]
    [InlineData(8, 20, 1.0)]
    [InlineData(16, 16, 2.0)]
    public void Orthogonal_GivesOrthonormalColumnsOrRows(int rows, int cols, double gain)
    {
        double[] w = Sample(new Orthogonal(gain), [rows, cols], seed: 5);
        // rows ≥ cols: WᵀW = gain²·I; rows < cols: WWᵀ = gain²·I.
        int k = Math.Min(rows, cols);
        for (int a = 0; a < k; a++)
        {
            for (int b = 0; b < k; b++)
            {
                double dot = 0;
                for (int i = 0; i < Math.Max(rows, cols); i++)
                {
                    dot += rows >= cols ? w[(i * cols) + a] * w[(i * cols) + b] : w[(a * cols) + i] * w[(b * cols) + i];
                }
                Assert.Equal(a == b ? gain * gain : 0.0, dot, 12);
            }
        }
    }

    [Fact]
    public void Orthogonal_FlattensConvKernels()
    {
        double[] w = Sample(new Orthogonal(), [3, 3, 4, 8]); // (36, 8)
        double norm = 0;
        for (int i = 0; i < 36; i++)
        {
            norm += w[i * 8] * w[i * 8];
        }
        Assert.Equal(1.0, norm, 12);
    }

    [Theory]
    [InlineData("glorot_uniform")]
    [InlineData("glorot_normal")]
    [InlineData("he_uniform")]
    [InlineData("he_normal")]
    [InlineData("random_normal")]
    [InlineData("random_uniform")]
    [InlineData("truncated_normal")]
    [InlineData("orthogonal")]
    public void SameSeed_SameValues_DifferentSeed_DifferentValues(string name)
    {
        Initializer init = Initializer.FromName(name);
        Assert.Equal(name, init.Name);
        Assert.Equal(Sample(init, [10, 6], seed: 3), Sample(Initializer.FromName(name), [10, 6], seed: 3));
        Assert.NotEqual(Sample(init, [10, 6], seed: 3), Sample(init, [10, 6], seed: 4));
    }

    [Theory]
    [InlineData("HeNormal", "he_normal")]
    [InlineData("GlorotUniform", "glorot_uniform")]
    [InlineData("Orthogonal", "orthogonal")]
    [InlineData("RandomNormal", "random_normal")]
    public void FromName_AcceptsKerasClassNames(string className, string name) =>
        Assert.Equal(name, Initializer.FromName(className).Name);

    [Fact]
    public void FromName_RejectsUnknownNames()
    {
        var ex = Assert.Throws<ArgumentException>(() => Initializer.FromName("xavier"));
        Assert.Contains("xavier", ex.Message);
    }
}
