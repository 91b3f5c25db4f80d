// The one exception type for unreadable or unsuitable model/weights files: it names the file and the problem.
// Loading validates everything before any weight is written, so a failed load leaves the network unchanged.
namespace RefNet.Serialization;

/// <summary>What is wrong with a model or weights file.</summary>
public enum ModelFileProblem
{
    /// <summary>The file does not start with the RefNet magic bytes.</summary>
    NotAModelFile,

    /// <summary>The format version is not one this build reads.</summary>
    UnsupportedVersion,

    /// <summary>The file ends before its declared contents.</summary>
    Truncated,

    /// <summary>The checksum does not match, or the header is inconsistent.</summary>
    Corrupted,

    /// <summary>The file holds another element type (float32 vs float64) than the network.</summary>
    DtypeMismatch,

    /// <summary>The parameter count or a parameter shape differs from the network's.</summary>
    ArchitectureMismatch,

    /// <summary>A whole-model load found no architecture (the file was written by SaveWeights).</summary>
    MissingConfig,
}

/// <summary>A model or weights file could not be used; <see cref="FilePath"/> and <see cref="Problem"/> say which and why.</summary>
public sealed class ModelFileException : IOException
{
    /// <summary>Creates the exception; the message starts with the file path.</summary>
    public ModelFileException(string filePath, ModelFileProblem problem, string detail, Exception? inner = null)
        : base($"{filePath}: {Describe(problem)}: {detail}", inner)
    {
        FilePath = filePath;
        Problem = problem;
    }

    /// <summary>The file that was read.</summary>
    public string FilePath { get; }

    /// <summary>The kind of problem.</summary>
    public ModelFileProblem Problem { get; }

    private static string Describe(ModelFileProblem problem) => problem switch
    {
        ModelFileProblem.NotAModelFile => "not a RefNet weights file",
        ModelFileProblem.UnsupportedVersion => "unsupported format version",
        ModelFileProblem.Truncated => "file is truncated",
        ModelFileProblem.Corrupted => "file is corrupted",
        ModelFileProblem.DtypeMismatch => "element type does not match the network",
        ModelFileProblem.ArchitectureMismatch => "architecture does not match the network",
        ModelFileProblem.MissingConfig => "file has no model configuration",
        _ => problem.ToString(),
    };
}
