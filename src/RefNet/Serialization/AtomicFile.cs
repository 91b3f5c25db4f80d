// AtomicFile: the one way RefNet writes a whole file: into a unique temporary file next to the target,
// flushed to disk, then renamed over it, so a reader never sees half a file. Favours clarity over speed.
using System.Text;

namespace RefNet.Serialization;

/// <summary>Writes whole files atomically (temporary file in the same folder + rename).</summary>
public static class AtomicFile
{
    /// <summary>Writes a file atomically: the content goes to a temporary file that is renamed over <paramref name="path"/>.</summary>
    /// <param name="path">The file to create or replace; its folder is created if missing.</param>
    /// <param name="write">Writes the whole content to the stream it is given.</param>
    /// <remarks>If <paramref name="write"/> throws, the temporary file is deleted and <paramref name="path"/> is untouched.
    /// After a successful write, temporaries of the same target older than <see cref="OrphanAge"/> are removed.</remarks>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(directory);
        string temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
        RemoveOrphans(directory, Path.GetFileName(full));
    }

    /// <summary>How old a temporary file of the same target must be before a later write removes it as an orphan (left by
    /// a process killed mid-write); younger ones may belong to a writer still running.</summary>
    public static readonly TimeSpan OrphanAge = TimeSpan.FromMinutes(10);

    // A killed writer leaves ".name.<guid>.tmp"; the next successful write of the same file deletes those old enough.
    private static void RemoveOrphans(string directory, string name)
    {
        DateTime cutoff = DateTime.UtcNow - OrphanAge;
        foreach (string orphan in Directory.EnumerateFiles(directory, $".{name}.*.tmp"))
        {
            try
            {
                if (File.GetLastWriteTimeUtc(orphan) < cutoff)
                {
                    File.Delete(orphan);
                }
            }
            catch (IOException)
            {
                // Another process removed or holds it: leave it.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 (no byte-order mark) to <paramref name="path"/> atomically.</summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="text">The whole content.</param>
    public static void WriteAllText(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        byte[] bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text);
        Write(path, s => s.Write(bytes));
    }
}
