// Bad environment variables are typed errors naming the variable and its value: in the library (GemmSelector.Select,
// CpuThreads.Parse) and from the CLI (exit code 1 with one line), never an internal error or a silent fallback.
using System.Diagnostics;
using RefNet.Backends.Cpu;
using Xunit;

namespace RefNet.Tests.Cli;

[Collection(RefNet.Tests.Common.ChildProcessCollection.Name)]
public sealed class EnvironmentErrorTests
{
    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("2.5")]
    [InlineData("99999999999")]
    public void BadThreadCounts_AreArgumentExceptionsNamingTheVariable(string value)
    {
        var e = Assert.Throws<ArgumentException>(() => CpuThreads.Parse(value));
        Assert.Contains($"REFNET_THREADS='{value}' is not a positive integer", e.Message);
    }

    [Fact]
    public void ThreadCounts_UnsetOrPositive_AreRead()
    {
        Assert.Equal(Environment.ProcessorCount, CpuThreads.Parse(null));
        Assert.Equal(Environment.ProcessorCount, CpuThreads.Parse(" "));
        Assert.Equal(3, CpuThreads.Parse(" 3 "));
    }

    [Fact]
    public void AnUnknownGemm_NamesTheVariable()
    {
        var e = Assert.Throws<ArgumentException>(() => GemmSelector.Select("foo"));
        Assert.StartsWith("REFNET_GEMM='foo': Unknown GEMM 'foo'", e.Message);
    }

    [Theory]
    [InlineData("REFNET_GEMM", "foo", "gradcheck", "refnet gradcheck: REFNET_GEMM='foo': Unknown GEMM 'foo'")]
    [InlineData("REFNET_GEMM", "foo", "info", "refnet info: REFNET_GEMM='foo': Unknown GEMM 'foo'")]
    [InlineData("REFNET_THREADS", "abc", "info", "refnet info: REFNET_THREADS='abc' is not a positive integer")]
    public void TheCli_ExitsWithOne_AndOneLineNamingTheVariable(string variable, string value, string command, string expected)
    {
        // A child process: the variables are read once per process, by static initializers.
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "RefNet.Cli.dll"));
        psi.ArgumentList.Add(command);
        psi.Environment[variable] = value;
        (int code, string error) = Run(psi);
        Assert.Equal(1, code);
        Assert.StartsWith(expected, error.Trim());
        Assert.DoesNotContain("internal error", error);
        Assert.Single(error.Trim().Split('\n'));
    }

    private static (int Code, string Error) Run(ProcessStartInfo psi)
    {
        using Process p = Process.Start(psi)!;
        Task<string> output = p.StandardOutput.ReadToEndAsync();
        string error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        _ = output.Result;
        return (p.ExitCode, error);
    }
}
