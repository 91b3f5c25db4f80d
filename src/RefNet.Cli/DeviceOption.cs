// The shared `--device cpu|ilgpu-cpu|cuda` option: any command that trains can take it and get a backend.
// A missing CUDA device is an error with a one-line message, never a silent fall-back to another device.
using System.Numerics;
using RefNet.Backends;
using RefNet.Backends.Ilgpu;

namespace RefNet.Cli;

/// <summary>Parses <c>--device</c> and creates the matching backend.</summary>
public static class DeviceOption
{
    /// <summary>The usage text of the option.</summary>
    public const string Usage = "--device cpu|ilgpu-cpu|cuda";

    /// <summary>The accepted device names: the CPU backend, ILGPU's CPU accelerator (a slow GPU simulator), CUDA.</summary>
    public static IReadOnlyList<string> Names { get; } = ["cpu", "ilgpu-cpu", "cuda"];

    /// <summary>Removes <c>--device NAME</c> (or <c>--device=NAME</c>) from <paramref name="args"/>; returns NAME, "cpu" when absent.</summary>
    /// <exception cref="UsageException">The option has no value or an unknown one.</exception>
    public static string Take(ref string[] args)
    {
        var rest = new List<string>(args.Length);
        string device = "cpu";
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--device")
            {
                device = i + 1 < args.Length ? args[++i] : throw new UsageException($"--device needs a value ({string.Join(", ", Names)})");
            }
            else if (args[i].StartsWith("--device=", StringComparison.Ordinal))
            {
                device = args[i]["--device=".Length..];
            }
            else
            {
                rest.Add(args[i]);
            }
        }
        if (!Names.Contains(device))
        {
            throw new UsageException($"unknown device '{device}' (use {string.Join(", ", Names)})");
        }
        args = [.. rest];
        return device;
    }

    /// <summary>The backend for a device name from <see cref="Take"/>.</summary>
    /// <param name="device">"cpu", "ilgpu-cpu" or "cuda".</param>
    /// <param name="cpu">Creates the CPU backend (the default <see cref="CpuBackend{T}.Instance"/> when null).</param>
    /// <exception cref="IlgpuDeviceNotFoundException">"cuda" was requested and no CUDA device exists.</exception>
    /// <remarks>ILGPU backends own an accelerator: dispose them (they implement <see cref="IDisposable"/>).</remarks>
    public static IBackend<T> Create<T>(string device, Func<IBackend<T>>? cpu = null)
        where T : unmanaged, IFloatingPointIeee754<T>
        => device switch
        {
            "cpu" => cpu is null ? CpuBackend<T>.Instance : cpu(),
            "ilgpu-cpu" => IlgpuBackend<T>.Create(IlgpuDevice.Cpu),
            "cuda" => IlgpuBackend<T>.Create(IlgpuDevice.Cuda),
            _ => throw new UsageException($"unknown device '{device}' (use {string.Join(", ", Names)})"),
        };
}
