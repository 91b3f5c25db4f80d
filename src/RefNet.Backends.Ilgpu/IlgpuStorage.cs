// Device storage for tensors of the ILGPU backend: one ILGPU memory buffer per tensor.
// Host code reads it only through CopyTo (a device-to-host copy); kernels use its view.
using System.Numerics;
using ILGPU;
using ILGPU.Runtime;
using RefNet.Tensors;

namespace RefNet.Backends.Ilgpu;

/// <summary>Tensor storage in an accelerator's memory (a <see cref="MemoryBuffer1D{T, TStride}"/>).</summary>
/// <typeparam name="T">float or double.</typeparam>
public sealed class IlgpuStorage<T> : TensorStorage<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly MemoryBuffer1D<T, Stride1D.Dense> _buffer;
    private readonly TransferCounter _transfers;

    /// <summary>Allocates <paramref name="length"/> zeroed elements on <paramref name="accelerator"/>.</summary>
    internal IlgpuStorage(Accelerator accelerator, int length, TransferCounter transfers)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Accelerator = accelerator;
        _transfers = transfers;
        Length = length;
        _buffer = accelerator.Allocate1D<T>(Math.Max(length, 1));
        _buffer.MemSetToZero();
    }

    /// <summary>The accelerator that holds the memory.</summary>
    public Accelerator Accelerator { get; }

    /// <inheritdoc/>
    public override int Length { get; }

    /// <summary>The elements as a kernel argument.</summary>
    internal ArrayView<T> View => _buffer.View.SubView(0, Length);

    /// <inheritdoc/>
    public override void CopyTo(Span<T> destination)
    {
        if (destination.Length != Length)
        {
            throw new ArgumentException($"Expected a destination of {Length} elements but got {destination.Length}", nameof(destination));
        }
        if (Length > 0)
        {
            View.CopyToCPU(destination);
            _transfers.ToHost<T>(Length);
        }
    }

    /// <inheritdoc/>
    public override void CopyFrom(ReadOnlySpan<T> source)
    {
        if (source.Length != Length)
        {
            throw new ArgumentException($"Expected {Length} elements but got {source.Length}", nameof(source));
        }
        if (Length > 0)
        {
            View.CopyFromCPU(source);
            _transfers.ToDevice<T>(Length);
        }
    }

    /// <summary>Frees the device memory.</summary>
    public override void Dispose()
    {
        _buffer.Dispose();
        base.Dispose();
    }
}

/// <summary>Bytes copied between host and device by one backend (to check that training keeps data on the device).</summary>
internal sealed class TransferCounter
{
    /// <summary>Bytes copied host → device.</summary>
    public long BytesToDevice { get; private set; }

    /// <summary>Bytes copied device → host.</summary>
    public long BytesToHost { get; private set; }

    /// <summary>Records <paramref name="count"/> elements copied to the device.</summary>
    public unsafe void ToDevice<TElement>(long count)
        where TElement : unmanaged
        => BytesToDevice += count * sizeof(TElement);

    /// <summary>Records <paramref name="count"/> elements copied to the host.</summary>
    public unsafe void ToHost<TElement>(long count)
        where TElement : unmanaged
        => BytesToHost += count * sizeof(TElement);
}
