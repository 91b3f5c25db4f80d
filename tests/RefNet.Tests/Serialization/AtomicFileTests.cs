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

    [Fact]
    public void OrphansOfAKilledWriter_AreRemovedByTheNextWrite_OnlyWhenOldEnough_AndOnlyOfThatFile()
    {
        // What a process killed mid-write leaves: ".m.rfn.<guid>.tmp". A fresh one may be a live writer's: kept.
        string old = Path.Combine(_dir, ".m.rfn.0123456789abcdef0123456789abcdef.tmp");
        string fresh = Path.Combine(_dir, ".m.rfn.fedcba9876543210fedcba9876543210.tmp");
        string other = Path.Combine(_dir, ".n.rfn.0123456789abcdef0123456789abcdef.tmp");
        foreach (string f in (string[])[old, fresh, other])
        {
            File.WriteAllText(f, "half");
        }
        File.SetLastWriteTimeUtc(old, DateTime.UtcNow - AtomicFile.OrphanAge - TimeSpan.FromMinutes(1));
        File.SetLastWriteTimeUtc(other, DateTime.UtcNow - AtomicFile.OrphanAge - TimeSpan.FromMinutes(1));
        AtomicFile.WriteAllText(Path.Combine(_dir, "m.rfn"), "whole");
        Assert.False(File.Exists(old));
        Assert.True(File.Exists(fresh));
        Assert.True(File.Exists(other));
        Assert.Equal("whole", File.ReadAllText(Path.Combine(_dir, "m.rfn")));
    }
}
