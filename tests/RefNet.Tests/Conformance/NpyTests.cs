// NPY files: the bytes NumPy's format specification prescribes (numpy/lib/format.py docstring), round trips, and a typed
// error with the byte offset for every malformed file. NumPy itself reads and writes them in AdapterTests.
using System.Buffers.Binary;
using System.Text;
using RefNet.Conformance;
using Xunit;

namespace RefNet.Tests.Conformance;

public sealed class NpyTests
{
    [Fact]
    public void Write_Float64Vector_HasTheSpecsHeader_PaddedTo64Bytes()
    {
        byte[] bytes = Npy.ToBytes(new NpyArray("float64", [3], [0, 1, 2]));
        Assert.Equal(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 }, bytes[..8]);
        int headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));
        Assert.Equal(0, (10 + headerLength) % 64);
        string header = Encoding.ASCII.GetString(bytes, 10, headerLength);
        Assert.Equal("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", header.TrimEnd(' ', '\n'));
        Assert.EndsWith("\n", header);
        Assert.Equal(10 + headerLength + 24, bytes.Length);
        Assert.Equal(2.0, BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(10 + headerLength + 16)));
    }

    [Theory]
    [InlineData("float64", new[] { 2, 3 })]
    [InlineData("float32", new[] { 4 })]
    [InlineData("int64", new[] { 1, 2, 2 })]
    [InlineData("float64", new int[0])]
    [InlineData("float32", new[] { 0, 5 })]
    public void RoundTrip_KeepsDtypeShapeAndValues(string dtype, int[] shape)
    {
        int n = shape.Aggregate(1, (a, d) => a * d);
        double[] values = [.. Enumerable.Range(0, n).Select(i => dtype == "int64" ? i - 2 : (i * 0.25) - 1)];
        NpyArray back = Npy.Parse(Npy.ToBytes(new NpyArray(dtype, shape, values)), "x.npy");
        Assert.Equal(dtype, back.Dtype);
        Assert.Equal(shape, back.Shape);
        Assert.Equal(values, back.Values);
    }

    [Fact]
    public void Write_Float32_RoundsOnceToNearest()
    {
        NpyArray back = Npy.Parse(Npy.ToBytes(new NpyArray("float32", [1], [0.1])), "x.npy");
        Assert.Equal((double)0.1f, back.Values[0]);
    }

    [Fact]
    public void Read_Version2Header_WithFourByteLength()
    {
        string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
        int pad = 64 - ((12 + header.Length + 1) % 64);
        header = header + new string(' ', pad % 64) + "\n";
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 2, 0 };
        bytes.AddRange(BitConverter.GetBytes((uint)header.Length));
        bytes.AddRange(Encoding.ASCII.GetBytes(header));
        bytes.AddRange(BitConverter.GetBytes(1.5f));
        bytes.AddRange(BitConverter.GetBytes(-2f));
        NpyArray a = Npy.Parse(bytes.ToArray(), "v2.npy");
        Assert.Equal(new[] { 1.5, -2.0 }, a.Values);
    }

    public static TheoryData<string, long, string> Malformed() => new()
    {
        { "not-npy", 0, "not an NPY file" },
        { "version", 6, "version 9.0" },
        { "fortran", 10, "fortran_order is True" },
        { "big-endian", 10, "dtype '>f8' is not supported" },
        { "bad-shape", 10, "shape entry 'x'" },
        { "no-shape", 10, "no valid 'shape'" },
        { "truncated-data", -1, "data is truncated" },
        { "trailing", -2, "bytes follow the data" },
        { "truncated-header", -1, "ends inside the header" },
        { "huge-shape", 10, "more than the" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Read_Malformed_ThrowsNpyFormatException_WithFileOffsetAndReason(string kind, long offset, string reason)
    {
        byte[] good = Npy.ToBytes(new NpyArray("float64", [2, 2], [1, 2, 3, 4]));
        string text = Encoding.Latin1.GetString(good);
        byte[] bad = kind switch
        {
            "not-npy" => Encoding.ASCII.GetBytes("PK\u0003\u0004 a zip file, not NPY"),
            "version" => [.. good[..6], 9, 0, .. good[8..]],
            "fortran" => Encoding.Latin1.GetBytes(text.Replace("False", "True ")),
            "big-endian" => Encoding.Latin1.GetBytes(text.Replace("<f8", ">f8")),
            "bad-shape" => Encoding.Latin1.GetBytes(text.Replace("(2, 2)", "(2, x)")),
            "no-shape" => Encoding.Latin1.GetBytes(text.Replace("'shape'", "'shope'")),
            "truncated-data" => good[..^5],
            "trailing" => [.. good, 0, 0, 0],
            "huge-shape" => WithHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (65536, 65536, 65536, 65536), }"),
            _ => good[..30],
        };
        var e = Assert.Throws<NpyFormatException>(() => Npy.Parse(bad, "results/y.npy"));
        Assert.Equal("results/y.npy", e.FilePath);
        Assert.Contains(reason, e.Message);
        long expectedOffset = offset switch { -1 => bad.Length, -2 => good.Length, _ => offset };
        Assert.Equal(expectedOffset, e.Offset);
        Assert.StartsWith($"results/y.npy at byte {expectedOffset}: ", e.Message);
    }

    // An NPY v1.0 file with this header (padded per the spec) and no data.
    private static byte[] WithHeader(string header)
    {
        header = header.PadRight(header.Length + ((64 - ((10 + header.Length + 1) % 64)) % 64)) + "\n";
        return [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)(header.Length & 0xFF), (byte)(header.Length >> 8), .. Encoding.ASCII.GetBytes(header)];
    }

    [Fact]
    public void Read_MissingFile_IsFileNotFound_NamingIt()
    {
        var e = Assert.Throws<FileNotFoundException>(() => Npy.Read("/nonexistent/dir/x.npy"));
        Assert.Contains("/nonexistent/dir/x.npy", e.Message);
    }

    [Fact]
    public void Write_ValuesNotMatchingTheShape_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => Npy.ToBytes(new NpyArray("float64", [2, 2], [1, 2, 3])));
        Assert.Throws<ArgumentException>(() => Npy.ToBytes(new NpyArray("int64", [1], [0.5])));
    }
}
