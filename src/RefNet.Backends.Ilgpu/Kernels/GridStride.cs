// Grid-stride loop bounds shared by every elementwise kernel: thread t handles t, t + stride, t + 2·stride, ...
// A few threads looping is far cheaper on ILGPU's CPU accelerator than one simulated thread per element.
using ILGPU;

namespace RefNet.Backends.Ilgpu.Kernels;

/// <summary>Start and stride of a one-dimensional grid-stride loop.</summary>
internal static class GridStride
{
    /// <summary>The first index this thread handles: its global thread index.</summary>
    public static int Start => Grid.GlobalIndex.X;

    /// <summary>The distance between two indices handled by the same thread: the number of threads in the grid.</summary>
    /// <remarks>Read it once before the loop: on the CPU accelerator it comes from thread-static state.</remarks>
    public static int Step => Grid.DimX * Group.DimX;
}
