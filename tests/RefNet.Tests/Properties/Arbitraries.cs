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

/// <summary>A random window geometry: kernel 1–4 per axis (odd and even), stride 1–3, dilation 1–2 (only with stride 1, as
/// Keras 2 requires), valid or same, images up to 7 × 7 with 1–3 channels, batch 1–3, 1–3 filters, and the seed.</summary>
public sealed record WindowCase(int Batch, int Height, int Width, int Channels, int Filters, int KernelHeight, int KernelWidth,
    int Stride, int Dilation, bool Same, int Seed)
{
    public override string ToString() =>
        $"batch {Batch}, image {Height}x{Width}x{Channels}, filters {Filters}, kernel {KernelHeight}x{KernelWidth}, stride {Stride}, dilation {Dilation}, {(Same ? "same" : "valid")}, seed {Seed}";
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

    // A "valid" window never exceeds the image: the image is drawn at least as large as the dilated kernel.
    private static Gen<WindowCase> WindowCaseGen =>
        from kh in Gen.Choose(1, 4)
        from kw in Gen.Choose(1, 4)
        from stride in Gen.Choose(1, 3)
        from dilation in stride == 1 ? Gen.Choose(1, 2) : Gen.Constant(1)
        from same in Gen.Elements(true, false)
        from h in Gen.Choose(same ? 1 : ((kh - 1) * dilation) + 1, 7)
        from w in Gen.Choose(same ? 1 : ((kw - 1) * dilation) + 1, 7)
        from channels in Gen.Choose(1, 3)
        from batch in Gen.Choose(1, 3)
        from filters in Gen.Choose(1, 3)
        from seed in Gen.Choose(0, 1_000_000)
        select new WindowCase(batch, Math.Max(h, 1), Math.Max(w, 1), channels, filters, kh, kw, stride, dilation, same, seed);

    // Shrink batch, channels and filters (the geometry stays as drawn, so the case keeps its kind).
    private static IEnumerable<WindowCase> Shrink(WindowCase c)
    {
        if (c.Batch > 1)
        {
            yield return c with { Batch = c.Batch - 1 };
        }
        if (c.Channels > 1)
        {
            yield return c with { Channels = c.Channels - 1 };
        }
        if (c.Filters > 1)
        {
            yield return c with { Filters = c.Filters - 1 };
        }
    }

    public static Arbitrary<WindowCase> WindowCase() => Arb.From(WindowCaseGen, Shrink);
}
