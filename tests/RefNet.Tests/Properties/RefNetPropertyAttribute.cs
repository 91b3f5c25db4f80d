// [RefNetProperty]: FsCheck's [Property] with RefNet's generators and a fixed, logged seed, so CI runs the same cases every
// time (a property once failed CI by chance). `make test-random` sets REFNET_RANDOM_SEEDS=1 to draw new seeds instead;
// FsCheck then prints a failing case's replay seed.
using FsCheck.Xunit;

namespace RefNet.Tests.Properties;

/// <summary>A property test over <see cref="RefNetArbitraries"/>, replayed from <see cref="FixedReplay"/> unless REFNET_RANDOM_SEEDS=1.</summary>
public sealed class RefNetPropertyAttribute : PropertyAttribute
{
    /// <summary>The seed every CI run uses: FsCheck's (seed, gamma) pair.</summary>
    public const string FixedReplay = "(20261201,16475562905348454043)";

    /// <summary>Creates the attribute with RefNet's generators and case count.</summary>
    public RefNetPropertyAttribute()
    {
        Arbitrary = [typeof(RefNetArbitraries)];
        MaxTest = RefNetArbitraries.MaxTest;
        QuietOnSuccess = true;
        if (!RandomSeeds)
        {
            Replay = FixedReplay;
        }
    }

    /// <summary>Whether this run draws fresh seeds (REFNET_RANDOM_SEEDS=1, as `make test-random` sets).</summary>
    public static bool RandomSeeds => Environment.GetEnvironmentVariable("REFNET_RANDOM_SEEDS") == "1";
}
