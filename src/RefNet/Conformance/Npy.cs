// NPY v1.0/v2.0 files (NumPy's format, numpy/lib/format.py): the language-neutral tensors of the conformance cases.
// Layout: magic "\x93NUMPY", major, minor, header length (uint16 in v1, uint32 in v2, little-endian), an ASCII
// Python dict {'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), } padded with spaces and ended by '\n' so
// that magic + length + header is a multiple of 64 bytes, then the raw little-endian C-order data.
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace RefNet.Conformance;

/// <summary>An array read from or written to an NPY file: its element type, shape and values (held as double).</summary>
/// <param name="Dtype">"float64", "float32" or "int64" (read also accepts int32, uint8 and bool).</param>
/// <param name="Shape">Dimensions, C order; empty for a scalar.</param>
/// <param name="Values">The elements in C order (integers are exact up to 2⁵³).</param>
public sealed record NpyArray(string Dtype, int[] Shape, double[] Values)
{
    /// <summary>Number of elements: the product of <see cref="Shape"/> (1 for a scalar).</summary>
    public long Length => Shape.Aggregate(1L, (a, d) => a * d);

    /// <summary>The shape as NumPy prints it: "(2, 3)", "(4,)", "()".</summary>
    public string ShapeText => Npy.ShapeText(Shape);
}

/// <summary>A file that is not a readable NPY array: names the file, the byte offset and what was wrong.</summary>
public sealed class NpyFormatException : FormatException
{
    /// <summary>Creates the exception; the message starts with "file at byte offset:".</summary>
    public NpyFormatException(string file, long offset, string problem)
        : base($"{file} at byte {offset}: {problem}")
    {
        FilePath = file;
        Offset = offset;
        Problem = problem;
    }

    /// <summary>The file read.</summary>
    public string FilePath { get; }

    /// <summary>Byte offset where the problem was found.</summary>
    public long Offset { get; }

    /// <summary>What was wrong, without the file name.</summary>
    public string Problem { get; }
}

/// <summary>Reads and writes NPY files (format versions 1.0 and 2.0 on read; 1.0 on write).</summary>
public static partial class Npy
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Largest array read (elements): guards against a header that claims terabytes.</summary>
    public const long MaxElements = 1L << 28;

    /// <summary>The NumPy descr of a dtype name: float64 → "&lt;f8", float32 → "&lt;f4", int64 → "&lt;i8".</summary>
    public static string Descr(string dtype) => dtype switch
    {
        "float64" => "<f8",
        "float32" => "<f4",
        "int64" => "<i8",
        "int32" => "<i4",
        _ => throw new ArgumentException($"NPY writer: unsupported dtype '{dtype}' (float64, float32, int64, int32)", nameof(dtype)),
    };

    /// <summary>Shape text as NumPy prints it: "(2, 3)", "(4,)", "()".</summary>
    public static string ShapeText(IReadOnlyList<int> shape) => shape.Count switch
    {
        0 => "()",
        1 => $"({shape[0]},)",
        _ => $"({string.Join(", ", shape)})",
    };

    /// <summary>The bytes of an NPY v1.0 file holding <paramref name="array"/> (float32 values are rounded once, to nearest).</summary>
    /// <exception cref="ArgumentException">The values do not match the shape, or an int64 value is not an integer.</exception>
    public static byte[] ToBytes(NpyArray array)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (array.Length != array.Values.Length)
        {
            throw new ArgumentException($"NPY writer: shape {array.ShapeText} has {array.Length} elements but {array.Values.Length} values were given", nameof(array));
        }
        string header = $"{{'descr': '{Descr(array.Dtype)}', 'fortran_order': False, 'shape': {ShapeText(array.Shape)}, }}";
        int unpadded = Magic.Length + 2 + 2 + header.Length + 1;
        header = header.PadRight(header.Length + ((64 - (unpadded % 64)) % 64)) + "\n";
        int size = array.Dtype switch { "float64" or "int64" => 8, _ => 4 };
        var bytes = new byte[Magic.Length + 4 + header.Length + (size * array.Values.Length)];
        Magic.CopyTo(bytes, 0);
        bytes[6] = 1;
        bytes[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)header.Length);
        Encoding.ASCII.GetBytes(header, bytes.AsSpan(10));
        Span<byte> data = bytes.AsSpan(10 + header.Length);
        for (int i = 0; i < array.Values.Length; i++)
        {
            double v = array.Values[i];
            switch (array.Dtype)
            {
                case "float64":
                    BinaryPrimitives.WriteDoubleLittleEndian(data[(8 * i)..], v);
                    break;
                case "float32":
                    BinaryPrimitives.WriteSingleLittleEndian(data[(4 * i)..], (float)v);
                    break;
                case "int64":
                    BinaryPrimitives.WriteInt64LittleEndian(data[(8 * i)..], ToInteger(v, long.MinValue, long.MaxValue));
                    break;
                default:
                    BinaryPrimitives.WriteInt32LittleEndian(data[(4 * i)..], (int)ToInteger(v, int.MinValue, int.MaxValue));
                    break;
            }
        }
        return bytes;
    }

    /// <summary>Writes <paramref name="array"/> to <paramref name="path"/> (NPY v1.0).</summary>
    public static void Write(string path, NpyArray array) => File.WriteAllBytes(path, ToBytes(array));

    /// <summary>Reads an NPY file.</summary>
    /// <exception cref="NpyFormatException">Not NPY, an unsupported version or dtype, Fortran order, a malformed header, or truncated data.</exception>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    public static NpyArray Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such file", path);
        }
        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>Parses the bytes of an NPY file; <paramref name="name"/> names it in errors.</summary>
    /// <exception cref="NpyFormatException">See <see cref="Read"/>.</exception>
    public static NpyArray Parse(ReadOnlySpan<byte> bytes, string name)
    {
        if (bytes.Length < 10 || !bytes[..6].SequenceEqual(Magic))
        {
            throw new NpyFormatException(name, 0, "not an NPY file (it must start with \\x93NUMPY)");
        }
        byte major = bytes[6];
        int lengthSize = major switch
        {
            1 => 2,
            2 or 3 => 4,
            _ => throw new NpyFormatException(name, 6, $"NPY format version {major}.{bytes[7]} is not supported (1.0, 2.0, 3.0)"),
        };
        if (bytes.Length < 8 + lengthSize)
        {
            throw new NpyFormatException(name, bytes.Length, "file ends inside the header length");
        }
        long headerLength = lengthSize == 2
            ? BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..])
            : BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]);
        int headerStart = 8 + lengthSize;
        if (headerStart + headerLength > bytes.Length)
        {
            throw new NpyFormatException(name, bytes.Length, $"file ends inside the header ({headerLength} bytes declared at byte 8)");
        }
        string header = Encoding.Latin1.GetString(bytes.Slice(headerStart, (int)headerLength));
        (string descr, bool fortran, int[] shape) = ParseHeader(header, name, headerStart);
        if (fortran)
        {
            throw new NpyFormatException(name, headerStart, "fortran_order is True: write C-order arrays (np.ascontiguousarray before np.save)");
        }
        (string dtype, int size) = descr switch
        {
            "<f8" => ("float64", 8),
            "<f4" => ("float32", 4),
            "<i8" => ("int64", 8),
            "<i4" => ("int32", 4),
            "|u1" or "<u1" => ("uint8", 1),
            "|b1" => ("bool", 1),
            _ => throw new NpyFormatException(name, headerStart, $"dtype '{descr}' is not supported (little-endian <f8, <f4, <i8, <i4, |u1, |b1)"),
        };
        long count = 1;
        foreach (int d in shape)
        {
            count *= d;
            if (count > MaxElements)
            {
                break; // a product past the limit is refused below, before it can overflow
            }
        }
        if (count > MaxElements)
        {
            throw new NpyFormatException(name, headerStart, $"shape {ShapeText(shape)} has {count} elements, more than the {MaxElements} this reader accepts");
        }
        long dataStart = headerStart + headerLength;
        long need = count * size;
        if (bytes.Length - dataStart < need)
        {
            throw new NpyFormatException(name, bytes.Length, $"data is truncated: shape {ShapeText(shape)} of {descr} needs {need} bytes after byte {dataStart}, the file has {bytes.Length - dataStart}");
        }
        if (bytes.Length - dataStart > need)
        {
            throw new NpyFormatException(name, dataStart + need, $"{bytes.Length - dataStart - need} bytes follow the data of shape {ShapeText(shape)}");
        }
        var values = new double[count];
        ReadOnlySpan<byte> data = bytes[(int)dataStart..];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = size switch
            {
                8 when dtype == "float64" => BinaryPrimitives.ReadDoubleLittleEndian(data[(8 * i)..]),
                8 => BinaryPrimitives.ReadInt64LittleEndian(data[(8 * i)..]),
                4 when dtype == "float32" => BinaryPrimitives.ReadSingleLittleEndian(data[(4 * i)..]),
                4 => BinaryPrimitives.ReadInt32LittleEndian(data[(4 * i)..]),
                _ => data[i],
            };
        }
        return new NpyArray(dtype, shape, values);
    }

    private static (string Descr, bool Fortran, int[] Shape) ParseHeader(string header, string name, int offset)
    {
        string body = header.TrimEnd(' ', '\n', '\0');
        if (!body.StartsWith('{') || !body.EndsWith('}'))
        {
            throw new NpyFormatException(name, offset, $"header is not a Python dict: '{Clip(header)}'");
        }
        Match descr = DescrPattern().Match(body);
        Match fortran = FortranPattern().Match(body);
        Match shape = ShapePattern().Match(body);
        if (!descr.Success || !fortran.Success || !shape.Success)
        {
            string missing = !descr.Success ? "descr" : !fortran.Success ? "fortran_order" : "shape";
            throw new NpyFormatException(name, offset, $"header has no valid '{missing}' entry: '{Clip(header)}'");
        }
        var dims = new List<int>();
        foreach (string part in shape.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(part.TrimEnd('L'), NumberStyles.None, CultureInfo.InvariantCulture, out int d))
            {
                throw new NpyFormatException(name, offset, $"shape entry '{part}' is not a non-negative 32-bit integer");
            }
            dims.Add(d);
        }
        return (descr.Groups[1].Value, fortran.Groups[1].Value == "True", [.. dims]);
    }

    private static string Clip(string s) => s.Length > 120 ? s[..120] + "…" : s.TrimEnd();

    private static long ToInteger(double v, long min, long max) =>
        double.IsInteger(v) && v >= min && v <= max ? (long)v : throw new ArgumentException($"NPY writer: {v} is not an integer in [{min}, {max}]");

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
