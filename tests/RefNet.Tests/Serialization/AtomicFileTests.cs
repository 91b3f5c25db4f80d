// Tests of AtomicFile: a failed write leaves the old file and no temporary file behind.
using RefNet.Serialization;
using Xunit;

namespace RefNet.Tests.Serialization;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("refnet-atomic-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void WriteAllText_ReplacesTheFile_AndLeavesNoTemporaryFile()
    {
        string path = Path.Combine(_dir, "a.txt");
        File.WriteAllText(path, "old");
        AtomicFile.WriteAllText(path, "new ü");
        Assert.Equal("new ü", File.ReadAllText(path));
        Assert.Equal(["a.txt"], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void Write_ThatThrowsHalfway_KeepsTheOldFile_AndDeletesTheTemporaryFile()
    {
        string path = Path.Combine(_dir, "a.bin");
        File.WriteAllText(path, "old");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.WriteByte(1);
            throw new InvalidOperationException("disk full");
        }));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal(["a.bin"], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }
}
