// Which ILGPU accelerator a backend runs on, the error when the requested one is missing, and device listing.
// CUDA is chosen only when present (or explicitly requested); the CPU accelerator simulates a GPU for tests.
using System.Reflection;
using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace RefNet.Backends.Ilgpu;

/// <summary>The accelerator an <see cref="IlgpuBackend{T}"/> uses.</summary>
public enum IlgpuDevice
{
    /// <summary>CUDA when a CUDA device is present, otherwise ILGPU's CPU accelerator.</summary>
    Auto,

    /// <summary>ILGPU's CPU accelerator: runs the GPU kernels on simulated GPU threads (slow; for tests and debugging).</summary>
    Cpu,

    /// <summary>The first NVIDIA CUDA device; an <see cref="IlgpuDeviceNotFoundException"/> when there is none.</summary>
    Cuda,
}

/// <summary>Which matrix-product kernel an <see cref="IlgpuBackend{T}"/> launches (both give the same sums in the same order).</summary>
public enum IlgpuGemm
{
    /// <summary>Shared-memory tiles (16 × 16 on CUDA, 4 × 4 on the CPU accelerator): the GPU kernel; default on CUDA.</summary>
    Tiled,

    /// <summary>A grid-stride loop over output elements, no barriers: default on the CPU accelerator, where barriers are slow.</summary>
    GridStride,
}

/// <summary>The requested ILGPU device does not exist on this machine (never replaced silently by another one).</summary>
public sealed class IlgpuDeviceNotFoundException : InvalidOperationException
{
    /// <summary>Creates the exception with a one-line message.</summary>
    public IlgpuDeviceNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a one-line message and the driver error behind it.</summary>
    public IlgpuDeviceNotFoundException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

/// <summary>One device ILGPU can see.</summary>
/// <param name="Kind">"cuda" or "ilgpu-cpu" (the <c>--device</c> name that selects it).</param>
/// <param name="Name">The device name.</param>
/// <param name="MemoryBytes">Device memory in bytes.</param>
/// <param name="Multiprocessors">Number of multiprocessors.</param>
/// <param name="MaxThreadsPerGroup">Largest group size.</param>
/// <param name="WarpSize">Threads per warp.</param>
public sealed record IlgpuDeviceInfo(string Kind, string Name, long MemoryBytes, int Multiprocessors, int MaxThreadsPerGroup, int WarpSize);

/// <summary>ILGPU context set-up shared by the backend and the <c>refnet devices</c> command.</summary>
public static class IlgpuDevices
{
    private static int _resolverInstalled;

    /// <summary>
    /// The simulated device used for <see cref="IlgpuDevice.Cpu"/>: 4 threads per warp, 4 warps, 1 multiprocessor
    /// (16 OS threads at most, enough for a 4 × 4 GEMM tile; ILGPU's larger presets spend their time in barriers).
    /// </summary>
    public static CPUDevice SmallCpuDevice { get; } = new(numThreadsPerWarp: 4, numWarpsPerMultiprocessor: 4, numMultiprocessors: 1);

    /// <summary>Creates an ILGPU context with CUDA (when <paramref name="withCuda"/>), the small CPU device and ILGPU.Algorithms.</summary>
    public static Context CreateContext(bool withCuda)
    {
        InstallCudaResolver();
        return Context.Create(builder =>
        {
            builder.EnableAlgorithms();
            if (withCuda)
            {
                builder.Cuda();
            }
            builder.CPU(SmallCpuDevice);
        });
    }

    /// <summary>Every device ILGPU sees on this machine (CUDA devices first).</summary>
    public static IReadOnlyList<IlgpuDeviceInfo> List()
    {
        using Context context = CreateContext(withCuda: true);
        var result = new List<IlgpuDeviceInfo>();
        foreach (Device d in context.Devices.OrderBy(d => d.AcceleratorType == AcceleratorType.Cuda ? 0 : 1))
        {
            string kind = d.AcceleratorType == AcceleratorType.Cuda ? "cuda" : d.AcceleratorType == AcceleratorType.CPU ? "ilgpu-cpu" : d.AcceleratorType.ToString().ToLowerInvariant();
            result.Add(new IlgpuDeviceInfo(kind, d.Name, d.MemorySize, d.NumMultiprocessors, d.MaxNumThreadsPerGroup, d.WarpSize));
        }
        return result;
    }

    /// <summary>True when ILGPU finds at least one CUDA device.</summary>
    public static bool CudaAvailable()
    {
        using Context context = CreateContext(withCuda: true);
        return context.GetCudaDevices().Count > 0;
    }

    /// <summary>
    /// ILGPU imports the CUDA driver as "cuda", which the runtime looks up as libcuda.so; containers often ship only
    /// libcuda.so.1. This resolver tries both names (and nvcuda on Windows) for ILGPU's assembly; installed once.
    /// </summary>
    private static void InstallCudaResolver()
    {
        if (Interlocked.Exchange(ref _resolverInstalled, 1) == 1)
        {
            return;
        }
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(Context).Assembly, ResolveCuda);
        }
        catch (InvalidOperationException)
        {
            // Another component already installed a resolver for ILGPU; keep it.
        }
    }

    private static IntPtr ResolveCuda(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName is not ("cuda" or "nvcuda" or "libcuda"))
        {
            return IntPtr.Zero;
        }
        foreach (string candidate in new[] { "libcuda.so", "libcuda.so.1", "nvcuda.dll", "nvcuda" })
        {
            if (NativeLibrary.TryLoad(candidate, assembly, searchPath, out IntPtr handle))
            {
                return handle;
            }
        }
        return IntPtr.Zero;
    }
}
