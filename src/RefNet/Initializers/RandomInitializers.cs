// Keras' fixed-scale random initializers: random_normal, random_uniform and truncated_normal.
// Defaults are Keras 2's (σ = 0.05, range ±0.05); draws come from the layer's seeded System.Random.
namespace RefNet.Initializers;

/// <summary>Keras random_normal: N(mean, stddev²); defaults mean 0, stddev 0.05.</summary>
/// <param name="mean">μ.</param>
/// <param name="stddev">σ.</param>
public sealed class RandomNormal(double mean = 0.0, double stddev = 0.05) : Initializer
{
    /// <summary>μ.</summary>
    public double Mean { get; } = mean;

    /// <summary>σ.</summary>
    public double StdDev { get; } = stddev >= 0 ? stddev : throw new ArgumentOutOfRangeException(nameof(stddev), $"stddev must be non-negative, got {stddev}");

    /// <inheritdoc/>
    public override string Name => "random_normal";

    /// <inheritdoc/>
    public override void Fill(Span<double> values, int[] shape, Random random)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = Mean + (StdDev * Gaussian.Next(random));
        }
    }
}

/// <summary>Keras random_uniform: U(minval, maxval); defaults −0.05, 0.05.</summary>
/// <param name="minValue">Lower bound.</param>
/// <param name="maxValue">Upper bound.</param>
public sealed class RandomUniform(double minValue = -0.05, double maxValue = 0.05) : Initializer
{
    /// <summary>Lower bound.</summary>
    public double MinValue { get; } = minValue <= maxValue ? minValue : throw new ArgumentException($"minValue {minValue} is above maxValue {maxValue}", nameof(minValue));

    /// <summary>Upper bound.</summary>
    public double MaxValue { get; } = maxValue;

    /// <inheritdoc/>
    public override string Name => "random_uniform";

    /// <inheritdoc/>
    public override void Fill(Span<double> values, int[] shape, Random random)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = MinValue + ((MaxValue - MinValue) * random.NextDouble());
        }
    }
}

/// <summary>Keras truncated_normal: N(mean, stddev²) with values beyond 2σ re-drawn; defaults mean 0, stddev 0.05.</summary>
/// <remarks>stddev is that of the untruncated normal (the samples' actual spread is ≈ 0.88·stddev), as in Keras.</remarks>
/// <param name="mean">μ.</param>
/// <param name="stddev">σ before truncation.</param>
public sealed class TruncatedNormal(double mean = 0.0, double stddev = 0.05) : Initializer
{
    /// <summary>μ.</summary>
    public double Mean { get; } = mean;

    /// <summary>σ before truncation.</summary>
    public double StdDev { get; } = stddev >= 0 ? stddev : throw new ArgumentOutOfRangeException(nameof(stddev), $"stddev must be non-negative, got {stddev}");

    /// <inheritdoc/>
    public override string Name => "truncated_normal";

    /// <inheritdoc/>
    public override void Fill(Span<double> values, int[] shape, Random random)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = Mean + (StdDev * Gaussian.NextTruncated(random));
        }
    }
}
