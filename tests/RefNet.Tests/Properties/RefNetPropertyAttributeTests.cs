// [RefNetProperty] must replay its fixed seed in CI (REFNET_RANDOM_SEEDS unset) and carry RefNet's generators.
using Xunit;

namespace RefNet.Tests.Properties;

public class RefNetPropertyAttributeTests
{
    [Fact]
    public void ReplaysTheFixedSeed_UnlessRandomSeedsAreAsked()
    {
        var attribute = new RefNetPropertyAttribute();
        Assert.Equal(RefNetPropertyAttribute.RandomSeeds ? null : RefNetPropertyAttribute.FixedReplay, attribute.Replay);
        Assert.Equal(RefNetArbitraries.MaxTest, attribute.MaxTest);
        Assert.Equal([typeof(RefNetArbitraries)], attribute.Arbitrary);
        Assert.Matches(@"^\(\d+,\d+\)$", RefNetPropertyAttribute.FixedReplay);
    }
}
