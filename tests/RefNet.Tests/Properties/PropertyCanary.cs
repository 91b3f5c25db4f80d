// Canary for FsCheck [Property] discovery: version skew between FsCheck.Xunit and xunit has silently
// dropped [Property] tests before (fscheck#639, #714, #738). The fact below fails if they did not run.
using FsCheck.Xunit;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace RefNet.Tests.Properties;

/// <summary>Counts property executions so a [Fact] can prove [Property] methods were discovered and run.</summary>
public static class PropertyCanary
{
    private static int _runs;

    public static int Runs => Volatile.Read(ref _runs);

    public static void Record() => Interlocked.Increment(ref _runs);
}

/// <summary>Runs this class's tests in method-name order (A_... before B_...).</summary>
public sealed class ByMethodNameOrderer : ITestCaseOrderer
{
    public IEnumerable<TTestCase> OrderTestCases<TTestCase>(IEnumerable<TTestCase> testCases)
        where TTestCase : ITestCase =>
        testCases.OrderBy(t => t.TestMethod.Method.Name, StringComparer.Ordinal);
}

[TestCaseOrderer("RefNet.Tests.Properties.ByMethodNameOrderer", "RefNet.Tests")]
public class PropertyDiscoveryCanary
{
    private static int _canaryRuns;

    [Property(MaxTest = 10, QuietOnSuccess = true)]
    public void A_PropertyRunsItsCases(int value)
    {
        Interlocked.Increment(ref _canaryRuns);
        PropertyCanary.Record();
        Assert.Equal(value, value);
    }

    [Fact]
    public void B_PropertyWasDiscoveredAndRanTenTimes() =>
        Assert.True(Volatile.Read(ref _canaryRuns) >= 10,
            $"the [Property] canary ran {_canaryRuns} times; FsCheck.Xunit discovery is broken (check package versions)");
}
