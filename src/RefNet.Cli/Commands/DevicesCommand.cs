// refnet devices: the accelerators ILGPU sees (CUDA GPUs, and its CPU accelerator) and how to select them.
// Also adds a "devices" section to `refnet info`.
using System.Globalization;
using RefNet.Backends.Ilgpu;

namespace RefNet.Cli.Commands;

/// <summary><c>refnet devices</c>: lists the devices usable with <c>--device</c>.</summary>
public sealed class DevicesCommand : ICommand
{
    static DevicesCommand()
    {
        InfoCommand.ExtraSections.Add(() => ("devices", Lines()));
    }

    /// <inheritdoc/>
    public string Name => "devices";

    /// <inheritdoc/>
    public string Description => "list the devices for --device (cpu, ILGPU's CPU accelerator, CUDA GPUs)";

    /// <inheritdoc/>
    public int Run(string[] args, TextWriter output)
    {
        if (args.Length > 0)
        {
            throw new UsageException($"unknown argument '{args[0]}' (devices takes none)");
        }
        foreach (string line in Lines())
        {
            output.WriteLine(line);
        }
        return 0;
    }

    /// <summary>One line per device, plus the CUDA status when there is no CUDA device.</summary>
    public static IEnumerable<string> Lines()
    {
        var lines = new List<string> { "cpu        RefNet CPU backend (host memory, the reference; default)" };
        IReadOnlyList<IlgpuDeviceInfo> devices = IlgpuDevices.List();
        foreach (IlgpuDeviceInfo d in devices)
        {
            string memory = d.Kind == "cuda"
                ? string.Create(CultureInfo.InvariantCulture, $"{d.MemoryBytes / 1048576.0:F0} MiB")
                : "host memory, simulated GPU threads (slow: for tests)";
            lines.Add($"{d.Kind,-10} {d.Name}: {memory}, {d.Multiprocessors} multiprocessor(s), warp {d.WarpSize}, up to {d.MaxThreadsPerGroup} threads/group");
        }
        if (!devices.Any(d => d.Kind == "cuda"))
        {
            lines.Add("cuda       not available: ILGPU found no CUDA device (no NVIDIA GPU or no libcuda.so.1); --device cuda will fail");
        }
        return lines;
    }
}
