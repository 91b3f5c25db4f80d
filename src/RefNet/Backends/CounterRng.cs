// A counter-based random number generator: the value at index i is a pure function of (seed, i).
// Used for dropout masks so that every backend, and every thread count, draws the same mask.
namespace RefNet.Backends;

/// <summary>SplitMix64-style hashing of (seed, index) into uniform numbers.</summary>
public static class CounterRng
{
    /// <summary>A 64-bit hash of (seed, index) (SplitMix64 finaliser applied to seed + (index+1)·golden gamma).</summary>
    public static ulong Hash(ulong seed, ulong index)
    {
        ulong z = seed + ((index + 1UL) * 0x9E3779B97F4A7C15UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary><see cref="Hash(ulong, ulong)"/> of the indices first, first + 1, … per lane (the same operations, vectorized).</summary>
    public static System.Numerics.Vector<ulong> Hash(ulong seed, System.Numerics.Vector<ulong> first)
    {
        System.Numerics.Vector<ulong> z = new System.Numerics.Vector<ulong>(seed) + ((first + System.Numerics.Vector<ulong>.One) * new System.Numerics.Vector<ulong>(0x9E3779B97F4A7C15UL));
        z = (z ^ (z >>> 30)) * new System.Numerics.Vector<ulong>(0xBF58476D1CE4E5B9UL);
        z = (z ^ (z >>> 27)) * new System.Numerics.Vector<ulong>(0x94D049BB133111EBUL);
        return z ^ (z >>> 31);
    }

    /// <summary>A uniform number in [0, 1) with 24 random bits (exact in float and double).</summary>
    public static double Uniform(ulong seed, ulong index) => (Hash(seed, index) >> 40) * (1.0 / 16777216.0);

    /// <summary>Mixes two values into a new seed (used to derive per-step dropout seeds).</summary>
    public static ulong Mix(ulong a, ulong b) => Hash(a, b);
}
