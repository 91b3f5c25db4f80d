// DataFormatException: a data file that is not what it claims to be (bad magic, truncated, bad cell).
// The message always names the file and where in it the problem was found.
namespace RefNet.Data;

/// <summary>A dataset file is malformed; the message names the file and the byte offset (or line/column).</summary>
public sealed class DataFormatException : IOException
{
    /// <summary>Creates the exception for a problem at a byte offset of a binary file.</summary>
    /// <param name="file">Path of the file (or a description of the stream).</param>
    /// <param name="offset">Byte offset (in the decompressed stream for .gz files) where the problem was found.</param>
    /// <param name="problem">What was wrong.</param>
    public DataFormatException(string file, long offset, string problem)
        : base($"{file}: at byte offset {offset}: {problem}")
    {
        File = file;
        Offset = offset;
    }

    /// <summary>Creates the exception for a problem at a line and column of a text file.</summary>
    /// <param name="file">Path of the file.</param>
    /// <param name="line">1-based line number.</param>
    /// <param name="column">Column name (or 1-based index) that holds the bad value.</param>
    /// <param name="problem">What was wrong.</param>
    public DataFormatException(string file, int line, string column, string problem)
        : base($"{file}: line {line}, column '{column}': {problem}")
    {
        File = file;
        Offset = -1;
        Line = line;
        Column = column;
    }

    /// <summary>The file that was being read.</summary>
    public string File { get; }

    /// <summary>Byte offset of the problem (in the decompressed stream for .gz files); -1 for text files.</summary>
    public long Offset { get; }

    /// <summary>1-based line of the problem in a text file; 0 for binary files.</summary>
    public int Line { get; }

    /// <summary>Column of the problem in a text file; null for binary files.</summary>
    public string? Column { get; }
}
