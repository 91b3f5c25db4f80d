// VarianceScaling and its named forms (Glorot, He, LeCun; uniform and normal), with Keras 2.x formulas.
// Draws come from the layer's seeded System.Random, so the same seed gives the same weights everywhere.
namespace RefNet.Initializers;

/// <summary>How the fan is chosen in <see cref="VarianceScaling"/>.</summary>
public enum FanMode
{
    /// <summary>n = fan_in.</summary>
    FanIn,

    /// <summary>n = fan_out.</summary>
    FanOut,

    /// <summary>n = (fan_in + fan_out) / 2.</summary>
    FanAvg,
}

/// <summary>Keras <c>VarianceScaling(scale, mode, distribution)</c>: samples with variance scale / max(1, n).</summary>
/// <remarks>
/// Uniform: U(−limit, limit) with limit = √(3·scale/n).
/// Normal (implemented as in Keras 2.2.x/2.3.x <c>keras/initializers.py</c> and tf.keras 2.x): a normal truncated at
/// ±2σ (values beyond are re-drawn) with σ = √(scale/n) / 0.87962566103423978, the constant being the standard
/// deviation of N(0, 1) truncated to [−2, 2]; the resulting variance is therefore exactly scale/n.
/// Earlier Keras 2.0.x releases used σ = √(scale/n) without that correction (variance ≈ 0.774·scale/n).
/// Fans come from <see cref="Initializer.ComputeFans"/>.
/// </remarks>
public class VarianceScaling : Initializer
{
    /// <summary>Standard deviation of N(0, 1) truncated to [−2, 2].</summary>
    public const double TruncatedStdDev = 0.87962566103423978;

    /// <summary>Creates the initializer.</summary>
    /// <param name="scale">Variance numerator (1 for Glorot/LeCun, 2 for He).</param>
    /// <param name="mode">Which fan divides the scale.</param>
    /// <param name="uniform">Uniform (true) or truncated normal (false).</param>
    public VarianceScaling(double scale = 1.0, FanMode mode = FanMode.FanIn, bool uniform = false)
    {
        if (!(scale > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(scale), $"scale must be positive, got {scale}");
        }
        Scale = scale;
        Mode = mode;
        Uniform = uniform;
    }

    /// <summary>The variance numerator.</summary>
    public double Scale { get; }

    /// <summary>The fan used.</summary>
    public FanMode Mode { get; }

    /// <summary>True for the uniform distribution, false for the truncated normal.</summary>
    public bool Uniform { get; }

    /// <inheritdoc/>
    public override string Name => "variance_scaling";

    /// <summary>The target variance scale / max(1, n) for a weight shape.</summary>
    public double Variance(int[] shape) => Scale / Fan(shape);

    /// <summary>max(1, n) with n the fan chosen by <see cref="Mode"/>.</summary>
    private double Fan(int[] shape)
    {
        (double fanIn, double fanOut) = ComputeFans(shape);
        double n = Mode switch
        {
            FanMode.FanIn => fanIn,
            FanMode.FanOut => fanOut,
            _ => (fanIn + fanOut) / 2.0,
        };
        return Math.Max(1.0, n);
    }

    /// <inheritdoc/>
    public override void Fill(Span<double> values, int[] shape, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        double variance = Variance(shape);
        if (Uniform)
        {
            // √(3·scale/n); for glorot_uniform this is bitwise √(6/(fan_in + fan_out)).
            double limit = Math.Sqrt(3.0 * Scale / Fan(shape));
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = ((random.NextDouble() * 2.0) - 1.0) * limit;
            }
            return;
        }
        double stddev = Math.Sqrt(variance) / TruncatedStdDev;
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = Gaussian.NextTruncated(random) * stddev;
        }
    }
}

/// <summary>Keras glorot_uniform: U(−limit, limit), limit = √(6 / (fan_in + fan_out)) (Dense's default kernel initializer).</summary>
public sealed class GlorotUniform() : VarianceScaling(1.0, FanMode.FanAvg, uniform: true)
{
    /// <inheritdoc/>
    public override string Name => "glorot_uniform";
}

/// <summary>Keras glorot_normal: truncated normal with variance 2 / (fan_in + fan_out).</summary>
public sealed class GlorotNormal() : VarianceScaling(1.0, FanMode.FanAvg, uniform: false)
{
    /// <inheritdoc/>
    public override string Name => "glorot_normal";
}

/// <summary>Keras he_uniform: U(−limit, limit), limit = √(6 / fan_in).</summary>
public sealed class HeUniform() : VarianceScaling(2.0, FanMode.FanIn, uniform: true)
{
    /// <inheritdoc/>
    public override string Name => "he_uniform";
}

/// <summary>Keras he_normal: truncated normal with variance 2 / fan_in.</summary>
public sealed class HeNormal() : VarianceScaling(2.0, FanMode.FanIn, uniform: false)
{
    /// <inheritdoc/>
    public override string Name => "he_normal";
}

/// <summary>Keras lecun_uniform: U(−limit, limit), limit = √(3 / fan_in).</summary>
public sealed class LecunUniform() : VarianceScaling(1.0, FanMode.FanIn, uniform: true)
{
    /// <inheritdoc/>
    public override string Name => "lecun_uniform";
}

/// <summary>Keras lecun_normal: truncated normal with variance 1 / fan_in.</summary>
public sealed class LecunNormal() : VarianceScaling(1.0, FanMode.FanIn, uniform: false)
{
    /// <inheritdoc/>
    public override string Name => "lecun_normal";
}
