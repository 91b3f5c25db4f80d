// FsCheck generators for gradient-check properties: small shapes and a seed, never raw doubles.
// Values are drawn inside each property from System.Random(seed), so every case replays exactly.
using FsCheck;
using FsCheck.Fluent;

namespace RefNet.Tests.Properties;

/// <summary>A random case: batch 1–5, widths 1–8, and the seed that fills every tensor.</summary>
public sealed record ShapeCase(int Batch, int Inputs, int Units, int Seed)
{
    public override string ToString() => $"batch {Batch}, inputs {Inputs}, units {Units}, seed {Seed}";
}

public static class RefNetArbitraries
{
    /// <summary>How many cases each gradient property runs (finite differences cost 4 forwards per element).</summary>
    public const int MaxTest = 30;

    private static Gen<ShapeCase> ShapeCaseGen =>
        from batch in Gen.Choose(1, 5)
        from inputs in Gen.Choose(1, 8)
        from units in Gen.Choose(1, 8)
        from seed in Gen.Choose(0, 1_000_000)
        select new ShapeCase(batch, inputs, units, seed);

    // Shrink the shape, keep the seed: a smaller failing case is still replayable.
    private static IEnumerable<ShapeCase> Shrink(ShapeCase c)
    {
        if (c.Batch > 1)
        {
            yield return c with { Batch = c.Batch - 1 };
        }
        if (c.Inputs > 1)
        {
            yield return c with { Inputs = c.Inputs - 1 };
        }
        if (c.Units > 1)
        {
            yield return c with { Units = c.Units - 1 };
        }
    }

    public static Arbitrary<ShapeCase> ShapeCase() => Arb.From(ShapeCaseGen, Shrink);
}
