// The binary weights file: a header (magic, version, dtype, optional model JSON, parameter names and shapes),
// the raw little-endian values, and a SHA-256 of everything before it. Written atomically.
using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace RefNet.Serialization;

/// <summary>Reads and writes RefNet weight files (format versions 1 and 2).</summary>
/// <remarks>
/// Layout, all integers little-endian:
/// <code>
/// "RFNW"            4 bytes magic
/// version           int32 (1; 2 when the file carries a training state)
/// dtype             int32: bytes per element, 4 = float32, 8 = float64
/// configLength      int32, then that many bytes of UTF-8 model JSON (0 for weights-only files)
/// stateLength       version 2 only: int32, then that many bytes of UTF-8 training-state JSON (the optimizer's config
///                   and iteration count, the dropout steps, the completed epochs; its "parameter_entries" says how
///                   many of the entries below are the network's parameters: the rest are optimizer slots)
/// parameterCount    int32
/// per parameter:    nameLength int32, UTF-8 name, rank int32, rank × int32 dims
/// payloadLength     int64 = Σ elements × dtype
/// payload           the values of every parameter in order, row-major
/// sha256            32 bytes over every byte above
/// </code>
/// Reading checks structure, length and checksum before returning anything, so callers can validate a whole
/// file before touching a network.
/// </remarks>
public static class WeightsFile
{
    /// <summary>The format version written by this build for a file without a training state (weights, or a model).</summary>
    public const int Version = 1;

    /// <summary>The format version of a file that also carries a training state (optimizer slots, iteration count).</summary>
    public const int VersionWithState = 2;

    private static ReadOnlySpan<byte> Magic => "RFNW"u8;

    /// <summary>One parameter's entry: name, shape and values.</summary>
    /// <param name="Name">Parameter name, e.g. "dense_1/kernel".</param>
    /// <param name="Shape">Dimensions.</param>
    public sealed record Entry(string Name, int[] Shape);

    /// <summary>A parsed file.</summary>
    /// <param name="ElementSize">4 (float32) or 8 (float64).</param>
    /// <param name="ConfigJson">Model JSON, or null for a weights-only file.</param>
    /// <param name="Entries">Parameter names and shapes, in order.</param>
    /// <param name="Payload">The raw values of all parameters, concatenated.</param>
    /// <param name="StateJson">The training-state JSON of a version-2 file, else null.</param>
    public sealed record Contents(int ElementSize, string? ConfigJson, IReadOnlyList<Entry> Entries, byte[] Payload, string? StateJson = null)
    {
        /// <summary>The values of parameter <paramref name="index"/> as <typeparamref name="T"/> (element size must match).</summary>
        public ReadOnlySpan<T> Values<T>(int index)
            where T : unmanaged
        {
            long offset = 0;
            for (int i = 0; i < index; i++)
            {
                offset += Count(Entries[i].Shape);
            }
            ReadOnlySpan<T> all = MemoryMarshal.Cast<byte, T>(Payload);
            return all.Slice((int)offset, (int)Count(Entries[index].Shape));
        }
    }

    /// <summary>Writes a file atomically: to a temporary file in the same directory, then renamed over <paramref name="path"/>.</summary>
    /// <param name="path">Destination.</param>
    /// <param name="configJson">Model JSON to embed, or null.</param>
    /// <param name="entries">Names and shapes.</param>
    /// <param name="values">Host values of each entry (same order).</param>
    /// <param name="stateJson">Training-state JSON, or null (then the file is version 1, byte for byte as before).</param>
    public static void Write<T>(string path, string? configJson, IReadOnlyList<Entry> entries, IReadOnlyList<T[]> values, string? stateJson = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count != entries.Count)
        {
            throw new ArgumentException($"{entries.Count} parameter entries but {values.Count} value arrays", nameof(values));
        }
        RequireLittleEndian();
        using var body = new MemoryStream();
        using (var w = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(stateJson is null ? Version : VersionWithState);
            w.Write(Marshal.SizeOf<T>());
            byte[] config = configJson is null ? [] : Encoding.UTF8.GetBytes(configJson);
            w.Write(config.Length);
            w.Write(config);
            if (stateJson is not null)
            {
                byte[] state = Encoding.UTF8.GetBytes(stateJson);
                w.Write(state.Length);
                w.Write(state);
            }
            w.Write(entries.Count);
            long payload = 0;
            for (int i = 0; i < entries.Count; i++)
            {
                byte[] name = Encoding.UTF8.GetBytes(entries[i].Name);
                w.Write(name.Length);
                w.Write(name);
                w.Write(entries[i].Shape.Length);
                foreach (int d in entries[i].Shape)
                {
                    w.Write(d);
                }
                if (values[i].Length != Count(entries[i].Shape))
                {
                    throw new ArgumentException($"Parameter '{entries[i].Name}' has {values[i].Length} values for shape ({string.Join(", ", entries[i].Shape)})", nameof(values));
                }
                payload += (long)values[i].Length * Marshal.SizeOf<T>();
            }
            w.Write(payload);
            foreach (T[] v in values)
            {
                w.Write(MemoryMarshal.AsBytes(v.AsSpan()));
            }
        }
        byte[] hash = SHA256.HashData(body.GetBuffer().AsSpan(0, (int)body.Length));
        body.Write(hash);
        AtomicFile.Write(path, s => s.Write(body.GetBuffer(), 0, (int)body.Length));
    }

    /// <summary>Reads and fully validates a file (structure, lengths, checksum).</summary>
    /// <exception cref="ModelFileException">The file is not a RefNet weights file, is truncated or corrupted, or has an unsupported version.</exception>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    public static Contents Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        RequireLittleEndian();
        byte[] bytes = File.ReadAllBytes(path);
        var r = new Reader(path, bytes);
        if (bytes.Length < Magic.Length || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new ModelFileException(path, ModelFileProblem.NotAModelFile, "the first bytes are not \"RFNW\"");
        }
        r.Skip(Magic.Length);
        int version = r.Int32("version");
        if (version is not (Version or VersionWithState))
        {
            throw new ModelFileException(path, ModelFileProblem.UnsupportedVersion, $"version {version}, this build reads versions {Version} and {VersionWithState}");
        }
        int elementSize = r.Int32("dtype");
        if (elementSize is not (4 or 8))
        {
            throw new ModelFileException(path, ModelFileProblem.Corrupted, $"dtype field is {elementSize} at offset 8, expected 4 or 8");
        }
        int configLength = r.Length("config length");
        string? config = configLength == 0 ? null : Encoding.UTF8.GetString(r.Bytes(configLength, "model config"));
        string? state = version == VersionWithState ? Encoding.UTF8.GetString(r.Bytes(r.Length("training state length"), "training state")) : null;
        int count = r.Length("parameter count");
        var entries = new List<Entry>();
        long expectedPayload = 0;
        for (int i = 0; i < count; i++)
        {
            string name = Encoding.UTF8.GetString(r.Bytes(r.Length($"name length of parameter {i}"), $"name of parameter {i}"));
            int rank = r.Length($"rank of parameter {i} '{name}'");
            if (rank > 8)
            {
                throw new ModelFileException(path, ModelFileProblem.Corrupted, $"parameter {i} '{name}' has rank {rank}");
            }
            var shape = new int[rank];
            for (int d = 0; d < rank; d++)
            {
                shape[d] = r.Length($"dimension {d} of parameter {i} '{name}'");
            }
            entries.Add(new Entry(name, shape));
            // Each dimension is at most the file size, so a corrupted header can overflow a long: check it.
            try
            {
                expectedPayload = checked(expectedPayload + (Count(shape) * elementSize));
            }
            catch (OverflowException)
            {
                throw new ModelFileException(path, ModelFileProblem.Corrupted,
                    $"parameter {i} '{name}' has shape ({string.Join(", ", shape)}), too large for any file");
            }
        }
        long payloadLength = r.Int64("payload length");
        if (payloadLength != expectedPayload)
        {
            throw new ModelFileException(path, ModelFileProblem.Corrupted,
                $"payload length field says {payloadLength} bytes but the shapes need {expectedPayload}");
        }
        long remaining = bytes.Length - r.Offset;
        if (remaining < payloadLength + 32)
        {
            throw new ModelFileException(path, ModelFileProblem.Truncated,
                $"{bytes.Length} bytes, expected {r.Offset + payloadLength + 32} (payload {payloadLength} bytes from offset {r.Offset}, then a 32-byte SHA-256)");
        }
        if (remaining > payloadLength + 32)
        {
            throw new ModelFileException(path, ModelFileProblem.Corrupted,
                $"{remaining - payloadLength - 32} unexpected bytes after the checksum");
        }
        int payloadStart = r.Offset;
        int hashStart = payloadStart + (int)payloadLength;
        byte[] actual = SHA256.HashData(bytes.AsSpan(0, hashStart));
        if (!actual.AsSpan().SequenceEqual(bytes.AsSpan(hashStart, 32)))
        {
            throw new ModelFileException(path, ModelFileProblem.Corrupted,
                $"SHA-256 of the first {hashStart} bytes is {Convert.ToHexString(actual)}, the file records {Convert.ToHexString(bytes, hashStart, 32)}");
        }
        return new Contents(elementSize, config, entries, bytes[payloadStart..hashStart], state);
    }

    private static long Count(int[] shape)
    {
        long n = 1;
        foreach (int d in shape)
        {
            n = checked(n * d);
        }
        return n;
    }

    private static void RequireLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("RefNet weight files are little-endian; this machine is big-endian");
        }
    }

    /// <summary>Bounds-checked little-endian reads that report truncation with the offset and the field.</summary>
    private sealed class Reader(string path, byte[] bytes)
    {
        public int Offset { get; private set; }

        public void Skip(int n) => Offset += n;

        public int Int32(string field) => BitConverter.ToInt32(Bytes(4, field));

        public long Int64(string field) => BitConverter.ToInt64(Bytes(8, field));

        /// <summary>A non-negative int32 (lengths, counts, dimensions) no larger than the file.</summary>
        public int Length(string field)
        {
            int start = Offset;
            int v = Int32(field);
            if (v < 0 || v > bytes.Length)
            {
                throw new ModelFileException(path, ModelFileProblem.Corrupted, $"{field} is {v} at offset {start}");
            }
            return v;
        }

        public ReadOnlySpan<byte> Bytes(int n, string field)
        {
            if ((long)Offset + n > bytes.Length)
            {
                throw new ModelFileException(path, ModelFileProblem.Truncated,
                    $"ends at byte {bytes.Length} while reading the {field} ({n} bytes at offset {Offset})");
            }
            ReadOnlySpan<byte> span = bytes.AsSpan(Offset, n);
            Offset += n;
            return span;
        }
    }
}
