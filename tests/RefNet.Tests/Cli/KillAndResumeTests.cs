// A real training process killed by SIGKILL at a random point, then resumed from its newest checkpoint, ends with
// bitwise the weights of an uninterrupted run: `refnet reproduce mnist-mlp --checkpoint DIR` and `--resume FILE`.
// The kill point is drawn from a fixed, logged seed; MNIST (make data) is needed.
using System.Diagnostics;
using System.Text.RegularExpressions;
using RefNet.Tests.Common;
using Xunit;
using Xunit.Abstractions;

namespace RefNet.Tests.Cli;

[Collection(RefNet.Tests.Common.ChildProcessCollection.Name)]
public sealed partial class KillAndResumeTests(ITestOutputHelper log) : IDisposable
{
    private const int KillSeed = 20261204;

    private readonly string _dir = Directory.CreateTempSubdirectory("refnet-kill-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ProcessStartInfo Cli(string mnist, string outDir, params string[] extra)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "RefNet.Cli.dll"));
        foreach (string a in (string[])["reproduce", "mnist-mlp", "--limit", "3000", "--epochs", "6", "--seed", "3", "--data", mnist, "--out", outDir, .. extra])
        {
            psi.ArgumentList.Add(a);
        }
        return psi;
    }

    private static (int Code, string Output) RunToEnd(ProcessStartInfo psi)
    {
        using Process p = Process.Start(psi)!;
        Task<string> err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output + err.Result);
    }

    [GeneratedRegex("Final weights SHA-256: ([0-9a-f]{64})")]
    private static partial Regex Sha();

    [SkippableFact]
    public void KilledBySigkill_MidEpoch_ThenResumed_EndsWithTheUninterruptedWeights()
    {
        string? mnist = DataPaths.Mnist();
        Skip.If(mnist is null, DataPaths.MnistMissing);
        (int code, string straight) = RunToEnd(Cli(mnist!, Path.Combine(_dir, "straight")));
        Assert.True(code == 0 || code == 1, straight); // 1: a short run can miss the 20-epoch band; the weights are what counts
        string expected = Sha().Match(straight).Groups[1].Value;
        Assert.NotEmpty(expected);

        string checkpoints = Path.Combine(_dir, "ckpt");
        using Process victim = Process.Start(Cli(mnist!, Path.Combine(_dir, "killed"), "--checkpoint", checkpoints))!;
        victim.OutputDataReceived += (_, _) => { };
        victim.ErrorDataReceived += (_, _) => { };
        victim.BeginOutputReadLine();
        victim.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        double WhenExists(string file)
        {
            while (!File.Exists(Path.Combine(checkpoints, file)))
            {
                Assert.False(victim.HasExited, $"the run ended before writing {file}");
                Assert.True(clock.Elapsed.TotalMinutes < 5, $"no {file} after 5 minutes");
                Thread.Sleep(2);
            }
            return clock.Elapsed.TotalMilliseconds;
        }
        double first = WhenExists("epoch-01.rfn"), second = WhenExists("epoch-02.rfn");
        // Kill somewhere inside epoch 3 (or at its checkpoint): a seeded fraction of one epoch's time after epoch 2's file.
        double fraction = 0.05 + (0.9 * new Random(KillSeed).NextDouble());
        int delay = (int)(fraction * (second - first));
        log.WriteLine($"kill seed {KillSeed}: epoch time {second - first:F0} ms, SIGKILL {delay} ms after epoch-02.rfn");
        Thread.Sleep(delay);
        Assert.False(victim.HasExited, "the run finished before the kill");
        victim.Kill(entireProcessTree: true); // SIGKILL on Linux
        victim.WaitForExit();

        string newest = Directory.GetFiles(checkpoints, "epoch-*.rfn").Order(StringComparer.Ordinal).Last();
        log.WriteLine($"resuming from {Path.GetFileName(newest)}");
        (int resumedCode, string resumed) = RunToEnd(Cli(mnist!, Path.Combine(_dir, "resumed"), "--resume", newest));
        Assert.True(resumedCode == 0, resumed);
        Assert.Contains($"Resumed from {newest} after epoch", resumed);
        Assert.Equal(expected, Sha().Match(resumed).Groups[1].Value);
    }
}
