// refnet conventions / diff-profiles / reproduce --keras, run in-process, and README's profile table kept equal to
// the one generated from the profiles.
using RefNet.Conventions;
using RefNet.Tests.Common;
using Xunit;

namespace RefNet.Tests.Cli;

public sealed class ConventionsCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = RefNet.Cli.Cli.Run(args, output, error);
        return (code, output.ToString().Replace("\r\n", "\n"), error.ToString());
    }

    [Fact]
    public void Conventions_OneProfile_PrintsEveryValueWithItsSource()
    {
        var (code, output, _) = Run("conventions", "--keras", "2.0.8");
        Assert.Equal(0, code);
        Assert.StartsWith("Keras 2.0.8 (--keras 2.0.8, keras_version \"2.0.8\")", output);
        foreach (string key in ConventionTable.Keys)
        {
            Assert.Contains($"  {key} ", output);
        }
        Assert.Equal(ConventionTable.Keys.Count, output.Split('\n').Count(l => l.Contains("source: keras-team/keras@2.0.8", StringComparison.Ordinal)));
        Assert.Contains("hard_sigmoid", output);
        Assert.Contains("1E-08", output);
    }

    [Fact]
    public void Conventions_AllProfiles_OneColumnEach()
    {
        var (code, output, _) = Run("conventions");
        Assert.Equal(0, code);
        string[] lines = output.Split('\n');
        Assert.StartsWith("convention", lines[0]);
        foreach (KerasProfile p in KerasProfile.All)
        {
            Assert.Contains(p.Id, lines[0]);
        }
        Assert.Contains(lines, l => l.StartsWith("gru.reset_after", StringComparison.Ordinal) && l.Contains("false (true unsupported)", StringComparison.Ordinal));
    }

    [Fact]
    public void DiffProfiles_ListsOnlyTheDifferences()
    {
        var (code, output, _) = Run("diff-profiles", "2.3.1", "tf-2.15");
        Assert.Equal(0, code);
        Assert.StartsWith("Keras 2.3.1 vs tf.keras 2.15: 9 of", output);
        Assert.Contains("gru.reset_after", output);
        Assert.Contains("crossentropy.logits_after_activation", output);
        Assert.DoesNotContain("optimizer.epsilon", output);
        Assert.DoesNotContain("rnn.recurrent_activation", output);
    }

    [Theory]
    [InlineData("diff-profiles", "2.0.8", "3.0")]
    [InlineData("diff-profiles", "2.0.8")]
    [InlineData("conventions", "--keras", "banana")]
    [InlineData("conventions", "--keras")]
    [InlineData("reproduce", "mnist-mlp", "--keras", "1.2.2")]
    public void BadProfileArguments_AreOneLineUsageErrors(params string[] args)
    {
        var (code, _, err) = Run(args);
        Assert.Equal(2, code);
        Assert.Single(err.TrimEnd('\n').Split('\n'));
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public void Readme_ProfileTable_IsTheGeneratedOne()
    {
        string readme = File.ReadAllText(Path.Combine(GoldenFile.RepositoryRoot, "README.md")).Replace("\r\n", "\n");
        int begin = readme.IndexOf("<!-- conventions-table:begin", StringComparison.Ordinal);
        int end = readme.IndexOf("<!-- conventions-table:end -->", StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, "README has no conventions table markers");
        string table = readme[(readme.IndexOf('\n', begin) + 1)..end];
        Assert.Equal(ConventionTable.Markdown(), table);
    }
}
