// IDX reader tests: files written by the test itself (raw and gzip), byte-level corruptions with
// their expected offsets computed from the format (16-byte image header, 8-byte label header).
using System.IO.Compression;
using RefNet.Data;
using Xunit;

namespace RefNet.Tests.Data;

public sealed class IdxTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("refnet-idx-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // Header written by hand (independent of Idx.Write*): magic, then dimensions, big-endian int32.
    private static byte[] Header(params int[] ints) =>
        ints.SelectMany(v => new[] { (byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v }).ToArray();

    private string Write(string name, byte[] bytes, bool gzip = false)
    {
        string path = Path.Combine(_dir, name);
        if (gzip)
        {
            using var f = File.Create(path);
            using var z = new GZipStream(f, CompressionLevel.Optimal);
            z.Write(bytes);
        }
        else
        {
            File.WriteAllBytes(path, bytes);
        }
        return path;
    }

    private static byte[] Pixels(int n) => Enumerable.Range(0, n).Select(i => (byte)(i * 37 % 256)).ToArray();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadImages_ReadsHeaderAndPixels(bool gzip)
    {
        byte[] pixels = Pixels(3 * 2 * 4);
        string path = Write("img", [.. Header(2051, 3, 2, 4), .. pixels], gzip);
        IdxImages images = Idx.ReadImages(path);
        Assert.Equal((3, 2, 4), (images.Count, images.Rows, images.Cols));
        Assert.Equal(pixels, images.Pixels);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadLabels_ReadsLabels(bool gzip)
    {
        byte[] labels = [5, 0, 4, 1, 9, 2, 1, 3, 1, 4];
        string path = Write("lab", [.. Header(2049, labels.Length), .. labels], gzip);
        Assert.Equal(labels, Idx.ReadLabels(path));
    }

    [Fact]
    public void WriteThenRead_RoundTrips_RawAndGzip()
    {
        var images = new IdxImages(2, 3, 3, Pixels(18));
        Idx.WriteImages(Path.Combine(_dir, "a"), images);
        Idx.WriteImages(Path.Combine(_dir, "b.gz"), images, gzip: true);
        Assert.Equal(images.Pixels, Idx.ReadImages(Path.Combine(_dir, "a")).Pixels);
        Assert.Equal(images.Pixels, Idx.ReadImages(Path.Combine(_dir, "b.gz")).Pixels);
        byte[] gz = File.ReadAllBytes(Path.Combine(_dir, "b.gz"));
        Assert.Equal(new byte[] { 0x1f, 0x8b }, gz[..2]);
    }

    private static DataFormatException Fails(Action read, string path, long offset)
    {
        var e = Assert.Throws<DataFormatException>(read);
        Assert.Contains(path, e.Message);
        Assert.Contains($"offset {offset}", e.Message);
        Assert.Equal(offset, e.Offset);
        Assert.Equal(path, e.File);
        return e;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BadMagic_NamesFileAndOffsetZero(bool gzip)
    {
        string path = Write("bad", [.. Header(2049, 1), 7], gzip); // a labels file read as images
        var e = Fails(() => Idx.ReadImages(path), path, 0);
        Assert.Contains("2049", e.Message);
        Assert.Contains("labels file", e.Message);
    }

    [Fact]
    public void NotIdxAtAll_IsReported()
    {
        string path = Write("text", "hello world, not IDX"u8.ToArray());
        var e = Fails(() => Idx.ReadLabels(path), path, 0);
        Assert.Contains("not an IDX file", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedHeader_ReportsWhereTheFileEnds(bool gzip)
    {
        // Magic and count complete (8 bytes), then 2 of the 4 bytes of the row count.
        byte[] bytes = Header(2051, 5, 28, 28)[..10];
        string path = Write("trunc-header", bytes, gzip);
        var e = Fails(() => Idx.ReadImages(path), path, 10);
        Assert.Contains("row count", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedPayload_ReportsOffsetOfTheEnd(bool gzip)
    {
        // Header claims 2 images of 2×2 = 8 bytes, only 5 follow: the file ends at 16 + 5 = 21.
        string path = Write("trunc-payload", [.. Header(2051, 2, 2, 2), 1, 2, 3, 4, 5], gzip);
        var e = Fails(() => Idx.ReadImages(path), path, 21);
        Assert.Contains("5 of the 8", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void HugeClaimedCount_FailsAtTheRealEnd_WithoutAllocatingTheClaim(bool gzip)
    {
        // 1 000 000 images of 28×28 claimed (784 MB), 40 pixel bytes present: the file ends at 16 + 40 = 56.
        string path = Write("huge", [.. Header(2051, 1_000_000, 28, 28), .. Pixels(40)], gzip);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Fails(() => Idx.ReadImages(path), path, 56);
        Assert.Contains("40 of the 784000000", e.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 100_000_000, "allocated the claimed size");
    }

    [Fact]
    public void TrailingBytes_CountMismatch_IsReported()
    {
        // Header says 3 labels, 4 follow: the surplus byte is at 8 + 3 = 11.
        string path = Write("extra", [.. Header(2049, 3), 1, 2, 3, 4]);
        var e = Fails(() => Idx.ReadLabels(path), path, 11);
        Assert.Contains("header count does not match", e.Message);
    }

    [Fact]
    public void NegativeDimension_IsReported()
    {
        string path = Write("neg", Header(2051, 1, -28, 28));
        var e = Fails(() => Idx.ReadImages(path), path, 8);
        Assert.Contains("row count is -28", e.Message);
    }

    [Fact]
    public void CorruptGzip_IsATypedError()
    {
        byte[] gz;
        using (var ms = new MemoryStream())
        {
            using (var z = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true))
            {
                z.Write([.. Header(2049, 100), .. new byte[100]]);
            }
            gz = ms.ToArray();
        }
        for (int i = 12; i < gz.Length - 8; i++)
        {
            gz[i] ^= 0x5a;
        }
        string path = Write("corrupt.gz", gz);
        var e = Assert.Throws<DataFormatException>(() => Idx.ReadLabels(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("offset", e.Message);
    }

    [Fact]
    public void MissingFile_IsFileNotFound_NamingThePath()
    {
        string path = Path.Combine(_dir, "nope");
        var e = Assert.Throws<FileNotFoundException>(() => Idx.ReadLabels(path));
        Assert.Contains(path, e.Message);
    }
}
