// Each tolerance of the equivalence model must catch an error just above it: plant one, expect a rejection.
// Pure arithmetic on the helper; no accelerator needed.
using Xunit;

namespace RefNet.Backends.Ilgpu.Tests;

public sealed class EquivalenceToleranceTests
{
    public static TheoryData<string, int, bool, bool> Cases() => new()
    {
        { "float", 1, false, false },      // elementwise float: 4 ulp-ish
        { "float", 64, false, false },     // reduction of length 64: 4·8·u
        { "float", 16, true, true },       // CUDA transcendental float
        { "double", 1, false, false },     // 1e-12 relative
        { "double", 16, true, true },      // CUDA transcendental double: 1e-10
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void PlantedErrorAboveTolerance_IsRejected_AndHalfOfIt_IsAccepted(string type, int k, bool cuda, bool transcendental)
    {
        double relative = type == "float"
            ? Equivalence.Relative<float>(k, cuda, transcendental)
            : Equivalence.Relative<double>(k, cuda, transcendental);
        var rng = new Random(k);
        double[] expected = Enumerable.Range(0, 12).Select(_ => rng.NextDouble() * 4 - 2).ToArray();
        double[] magnitude = expected.Select(v => Math.Abs(v) + 0.5).ToArray();
        double tolerance = relative * magnitude[5] + Equivalence.Floor;

        double[] twice = (double[])expected.Clone();
        twice[5] += 2 * tolerance;
        string? rejected = Equivalence.Check(expected, twice, magnitude, relative, "planted");
        Assert.NotNull(rejected);
        Assert.Contains("element 5", rejected);

        double[] half = (double[])expected.Clone();
        half[5] -= 0.5 * tolerance;
        Assert.Null(Equivalence.Check(expected, half, magnitude, relative, "planted"));
    }

    [Fact]
    public void FloatReductionBound_GrowsAsSqrtK()
    {
        double r1 = Equivalence.Relative<float>(1);
        double r100 = Equivalence.Relative<float>(100);
        Assert.Equal(10.0, r100 / r1, 12);
        Assert.Equal(4 * Math.Pow(2, -24), r1);
    }

    [Fact]
    public void NaN_MustMatchNaN()
    {
        double[] one = [1.0];
        Assert.NotNull(Equivalence.Check(one, [double.NaN], one, 1e-3, "nan"));
        Assert.Null(Equivalence.Check([double.NaN], [double.NaN], one, 1e-3, "nan"));
    }
}
