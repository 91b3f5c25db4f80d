// IDX reader: the big-endian binary format of MNIST and Fashion-MNIST, raw or gzip-compressed.
// Validates every header field and the payload length; favours clear errors over speed.
using System.Buffers.Binary;
using System.IO.Compression;
using RefNet.Serialization;

namespace RefNet.Data;

/// <summary>Images from an IDX3 file (magic 2051): <see cref="Count"/> images of <see cref="Rows"/>×<see cref="Cols"/> bytes.</summary>
/// <param name="Count">Number of images.</param>
/// <param name="Rows">Image height in pixels.</param>
/// <param name="Cols">Image width in pixels.</param>
/// <param name="Pixels">Count·Rows·Cols bytes, image after image, row-major (0 = background, 255 = ink).</param>
public sealed record IdxImages(int Count, int Rows, int Cols, byte[] Pixels)
{
    /// <summary>Pixels per image (Rows·Cols; 784 for MNIST).</summary>
    public int PixelsPerImage => Rows * Cols;
}

/// <summary>Reads IDX files (LeCun's MNIST format): a big-endian header, then unsigned bytes.</summary>
/// <remarks>
/// Layout: 0x00 0x00, a type byte (0x08 = unsigned byte), a dimension count, then one big-endian int32
/// per dimension, then the data. Images are magic 2051 (0x00000803: 3 dimensions), labels are magic 2049
/// (0x00000801: 1 dimension). A file starting with the gzip magic bytes 1f 8b is decompressed on the fly,
/// so both the npm package's raw files and the original <c>*-ubyte.gz</c> files load. Offsets in errors
/// are positions in the decompressed stream.
/// </remarks>
public static class Idx
{
    /// <summary>Magic number of an unsigned-byte, 3-dimensional IDX file (images).</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic number of an unsigned-byte, 1-dimensional IDX file (labels).</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>Reads an images file (magic 2051).</summary>
    /// <param name="path">Raw or .gz IDX3 file.</param>
    /// <exception cref="DataFormatException">Wrong magic, non-positive dimension, truncated header or payload, or trailing bytes.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static IdxImages ReadImages(string path)
    {
        using Stream stream = OpenMaybeGzip(path);
        var reader = new Reader(stream, path);
        reader.ExpectMagic(ImagesMagic, "images (2051 = 0x00000803)");
        int count = reader.ReadDimension("image count");
        int rows = reader.ReadDimension("row count");
        int cols = reader.ReadDimension("column count");
        // In double first: three header dimensions of up to 2³¹ − 1 overflow a long (found by fuzzing).
        if ((double)count * rows * cols > Array.MaxLength)
        {
            throw new DataFormatException(path, 4, $"{count}×{rows}×{cols} images do not fit in one array");
        }
        byte[] pixels = reader.ReadPayload(count * rows * cols, $"{count} images of {rows}×{cols} bytes");
        return new IdxImages(count, rows, cols, pixels);
    }

    /// <summary>Reads a labels file (magic 2049).</summary>
    /// <param name="path">Raw or .gz IDX1 file.</param>
    /// <returns>One byte per sample (the class index).</returns>
    /// <exception cref="DataFormatException">Wrong magic, truncated header or payload, or trailing bytes.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static byte[] ReadLabels(string path)
    {
        using Stream stream = OpenMaybeGzip(path);
        var reader = new Reader(stream, path);
        reader.ExpectMagic(LabelsMagic, "labels (2049 = 0x00000801)");
        int count = reader.ReadDimension("label count", allowZero: true);
        return reader.ReadPayload(count, $"{count} labels");
    }

    /// <summary>Writes an images file (raw, or gzip when <paramref name="gzip"/>); used by tests and tools.</summary>
    /// <param name="path">Destination (written atomically: temporary file, then rename).</param>
    /// <param name="images">The images.</param>
    /// <param name="gzip">Compress with gzip.</param>
    public static void WriteImages(string path, IdxImages images, bool gzip = false)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Pixels.Length != (long)images.Count * images.Rows * images.Cols)
        {
            throw new ArgumentException($"{images.Count}×{images.Rows}×{images.Cols} images need {(long)images.Count * images.Rows * images.Cols} bytes but Pixels has {images.Pixels.Length}", nameof(images));
        }
        WriteAtomically(path, gzip, s =>
        {
            WriteInt32(s, ImagesMagic);
            WriteInt32(s, images.Count);
            WriteInt32(s, images.Rows);
            WriteInt32(s, images.Cols);
            s.Write(images.Pixels);
        });
    }

    /// <summary>Writes a labels file (raw, or gzip when <paramref name="gzip"/>); used by tests and tools.</summary>
    /// <param name="path">Destination (written atomically: temporary file, then rename).</param>
    /// <param name="labels">One byte per sample.</param>
    /// <param name="gzip">Compress with gzip.</param>
    public static void WriteLabels(string path, byte[] labels, bool gzip = false)
    {
        ArgumentNullException.ThrowIfNull(labels);
        WriteAtomically(path, gzip, s =>
        {
            WriteInt32(s, LabelsMagic);
            WriteInt32(s, labels.Length);
            s.Write(labels);
        });
    }

    /// <summary>Opens a file, transparently decompressing it when it starts with the gzip magic bytes 1f 8b.</summary>
    /// <param name="path">File to open.</param>
    /// <returns>A readable stream positioned at the first (decompressed) byte.</returns>
    public static Stream OpenMaybeGzip(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such file", path);
        }
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        int b0 = file.ReadByte();
        int b1 = file.ReadByte();
        file.Position = 0;
        if (b0 == 0x1f && b1 == 0x8b)
        {
            return new BufferedStream(new GZipStream(file, CompressionMode.Decompress), 1 << 16);
        }
        return file;
    }

    private static void WriteInt32(Stream s, int value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(b, value);
        s.Write(b);
    }

    private static void WriteAtomically(string path, bool gzip, Action<Stream> write) =>
        AtomicFile.Write(path, file =>
        {
            if (gzip)
            {
                using var z = new GZipStream(file, CompressionLevel.Fastest, leaveOpen: true);
                write(z);
            }
            else
            {
                write(file);
            }
        });

    /// <summary>Sequential big-endian reader that knows its offset, so every error can name it.</summary>
    private sealed class Reader(Stream stream, string path)
    {
        private long _offset;

        public void ExpectMagic(int expected, string what)
        {
            long at = _offset;
            int magic = ReadInt32("magic number");
            if (magic != expected)
            {
                string hint = magic switch
                {
                    ImagesMagic => " (this is an images file)",
                    LabelsMagic => " (this is a labels file)",
                    _ when (magic & ~0xFFFF) != 0 => " (not an IDX file: the first two bytes must be 0)",
                    _ => string.Empty,
                };
                throw new DataFormatException(path, at, $"magic number is {magic} (0x{magic:X8}) but IDX {what} was expected{hint}");
            }
        }

        public int ReadDimension(string what, bool allowZero = false)
        {
            long at = _offset;
            int value = ReadInt32(what);
            if (value < 0 || (value == 0 && !allowZero))
            {
                throw new DataFormatException(path, at, $"{what} is {value}; it must be positive");
            }
            return value;
        }

        public byte[] ReadPayload(int length, string what)
        {
            // A corrupted header can claim gigabytes: check a raw file's size before allocating, and let
            // a compressed stream's buffer grow only as far as the data actually goes.
            if (stream.CanSeek && stream.Length - _offset < length)
            {
                long available = stream.Length - _offset;
                throw new DataFormatException(path, stream.Length, $"file ends after {available} of the {length} payload bytes ({what}); the file is truncated or the header count is wrong");
            }
            var data = new byte[stream.CanSeek ? length : Math.Min(length, 1 << 24)];
            int read = ReadFully(data);
            while (read == data.Length && data.Length < length)
            {
                Array.Resize(ref data, (int)Math.Min(length, 2L * data.Length));
                read += ReadFully(data.AsSpan(read));
            }
            if (read < length)
            {
                throw new DataFormatException(path, _offset, $"file ends after {read} of the {length} payload bytes ({what}); the file is truncated or the header count is wrong");
            }
            Span<byte> extra = stackalloc byte[1];
            if (ReadFully(extra) > 0)
            {
                throw new DataFormatException(path, _offset - 1, $"unexpected bytes after the {length} payload bytes ({what}); the header count does not match the data");
            }
            return data;
        }

        private int ReadInt32(string what)
        {
            Span<byte> b = stackalloc byte[4];
            long at = _offset;
            int read = ReadFully(b);
            if (read < 4)
            {
                throw new DataFormatException(path, at + read, $"file ends inside the header while reading the {what} (a 4-byte big-endian integer)");
            }
            return BinaryPrimitives.ReadInt32BigEndian(b);
        }

        private int ReadFully(Span<byte> buffer)
        {
            int total = 0;
            while (total < buffer.Length)
            {
                int n;
                try
                {
                    n = stream.Read(buffer[total..]);
                }
                catch (InvalidDataException e)
                {
                    throw new DataFormatException(path, _offset + total, $"corrupt gzip stream: {e.Message}");
                }
                if (n == 0)
                {
                    break;
                }
                total += n;
            }
            _offset += total;
            return total;
        }
    }
}
