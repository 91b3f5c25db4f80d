// Where a tensor's numbers live: host memory for the CPU backend, device memory for others.
// Only a backend reads or writes storage directly; layers go through the backend's operations.
using System.Numerics;

namespace RefNet.Tensors;

/// <summary>The memory behind a tensor. Each backend owns one kind of storage.</summary>
/// <typeparam name="T">float or double.</typeparam>
public abstract class TensorStorage<T> : IDisposable
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Number of elements.</summary>
    public abstract int Length { get; }

    /// <summary>Copies every element into <paramref name="destination"/> on the host.</summary>
    public abstract void CopyTo(Span<T> destination);

    /// <summary>Overwrites every element from host memory.</summary>
    public abstract void CopyFrom(ReadOnlySpan<T> source);

    /// <summary>Releases device memory, if any. Host storage needs no disposal.</summary>
    public virtual void Dispose()
    {
        GC.SuppressFinalize(this);
    }
}

/// <summary>Host storage: a plain managed array. Used by <see cref="Backends.CpuBackend{T}"/>.</summary>
public sealed class HostStorage<T> : TensorStorage<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Wraps an existing array (no copy).</summary>
    public HostStorage(T[] data) => Data = data;

    /// <summary>The elements, row-major.</summary>
    public T[] Data { get; }

    /// <inheritdoc/>
    public override int Length => Data.Length;

    /// <inheritdoc/>
    public override void CopyTo(Span<T> destination) => Data.AsSpan().CopyTo(destination);

    /// <inheritdoc/>
    public override void CopyFrom(ReadOnlySpan<T> source)
    {
        if (source.Length != Data.Length)
        {
            throw new ArgumentException($"Expected {Data.Length} elements but got {source.Length}", nameof(source));
        }
        source.CopyTo(Data);
    }
}
