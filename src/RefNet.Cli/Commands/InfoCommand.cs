// refnet info: what this machine and build give RefNet — runtime, cores, SIMD, GEMM, threads.
// Sections are built by small methods so that more (e.g. GPU devices) can be appended later.
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using RefNet.Backends.Cpu;

namespace RefNet.Cli.Commands;

/// <summary><c>refnet info</c>: runtime, CPU count, SIMD support, the GEMM in use and the thread count.</summary>
public sealed class InfoCommand : ICommand
{
    /// <inheritdoc/>
    public string Name => "info";

    /// <inheritdoc/>
    public string Description => "show runtime, CPU, SIMD support, the GEMM implementation in use and threads";

    /// <summary>Extra sections appended after the built-in ones (title, lines); e.g. a GPU backend can add "devices".</summary>
    public static List<Func<(string Title, IEnumerable<string> Lines)>> ExtraSections { get; } = [];

    /// <inheritdoc/>
    public int Run(string[] args, TextWriter output)
    {
        if (args.Length > 0)
        {
            throw new UsageException($"unknown argument '{args[0]}' (info takes none)");
        }
        var sections = new List<(string Title, IEnumerable<string> Lines)> { Runtime(), Cpu() };
        sections.AddRange(ExtraSections.Select(s => s()));
        foreach ((string title, IEnumerable<string> lines) in sections)
        {
            output.WriteLine($"{title}:");
            foreach (string line in lines)
            {
                output.WriteLine($"  {line}");
            }
        }
        return 0;
    }

    /// <summary>.NET runtime and operating system.</summary>
    public static (string, IEnumerable<string>) Runtime() => ("runtime",
    [
        $"framework:      {RuntimeInformation.FrameworkDescription}",
        $"os:             {RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture})",
        $"process:        {RuntimeInformation.ProcessArchitecture}, server GC {System.Runtime.GCSettings.IsServerGC}",
    ]);

    /// <summary>Cores, SIMD, GEMM and threads of the CPU backend.</summary>
    public static (string, IEnumerable<string>) Cpu()
    {
        GemmChoice choice = GemmSelector.DefaultChoice;
        IGemm gemm = choice.Gemm;
        return ("cpu",
        [
            $"cpu count:      {Environment.ProcessorCount}",
            $"simd:           Vector512 accelerated {Vector512.IsHardwareAccelerated}, Vector256 accelerated {Vector256.IsHardwareAccelerated}, Vector<T> {System.Numerics.Vector<float>.Count * 32} bit",
            $"gemm:           {gemm.Name}",
            $"gemm why:       {choice.Reason}",
            $"gemm detail:    {gemm.Description}",
            $"openblas:       {(OpenBlasGemm.Instance is { } b ? $"loaded from {b.LibraryName}, core {b.CoreName}" : "not found (apt-get install libopenblas0)")}",
            $"cpu simd level: {GemmSelector.CpuLevel}",
            $"managed kernel: {ManagedGemm.Instance.Kernel}",
            $"threads:        {CpuThreads.Count} (REFNET_THREADS or cpu count)",
        ]);
    }
}
