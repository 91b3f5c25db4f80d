// Standard normal samples from a seeded System.Random (Box–Muller), plain and truncated at ±2σ.
// Shared by the normal initializers; deterministic for a given Random.
namespace RefNet.Initializers;

/// <summary>Normal and truncated-normal draws from a <see cref="Random"/>.</summary>
internal static class Gaussian
{
    /// <summary>One N(0, 1) sample: √(−2 ln u₁)·cos(2π u₂), u₁ ∈ (0, 1], u₂ ∈ [0, 1) (one sample per pair).</summary>
    public static double Next(Random random)
    {
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>N(0, 1) conditioned on |z| ≤ 2: draws are rejected and re-drawn, as TensorFlow's truncated_normal does.</summary>
    public static double NextTruncated(Random random)
    {
        while (true)
        {
            double z = Next(random);
            if (Math.Abs(z) <= 2.0)
            {
                return z;
            }
        }
    }
}
