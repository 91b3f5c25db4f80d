// Reads golden files (published reference numbers with their sources) from the repository's golden/ folder.
// Tests take expected values from here, never from the code under test.
using System.Text.Json;

namespace RefNet.Tests.Common;

/// <summary>One golden JSON file: its parsed root plus typed accessors for cases.</summary>
public sealed class GoldenFile
{
    private GoldenFile(string path, JsonElement root)
    {
        Path = path;
        Root = root;
    }

    /// <summary>Absolute path of the file.</summary>
    public string Path { get; }

    /// <summary>The parsed document.</summary>
    public JsonElement Root { get; }

    /// <summary>The repository root: the first folder above the test binaries that holds RefNet.sln.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>Loads golden/<paramref name="relativePath"/>, e.g. "published/softmax.json".</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static GoldenFile Load(string relativePath)
    {
        string path = System.IO.Path.Combine(RepositoryRoot, "golden", relativePath);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Golden file not found: {path}", path);
        }
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        return new GoldenFile(path, doc.RootElement.Clone());
    }

    /// <summary>Reads golden/<paramref name="relativePath"/> as text (e.g. a summary table), with '\n' line endings.</summary>
    public static string ReadText(string relativePath)
    {
        string path = System.IO.Path.Combine(RepositoryRoot, "golden", relativePath);
        return File.ReadAllText(path).Replace("\r\n", "\n");
    }

    /// <summary>The case with <c>"id": <paramref name="id"/></c> in the file's <c>cases</c> array.</summary>
    /// <exception cref="KeyNotFoundException">No such case.</exception>
    public JsonElement Case(string id)
    {
        foreach (JsonElement c in Root.GetProperty("cases").EnumerateArray())
        {
            if (c.GetProperty("id").GetString() == id)
            {
                return c;
            }
        }
        throw new KeyNotFoundException($"Golden case '{id}' not found in {Path}");
    }

    /// <summary>Every case id in the file.</summary>
    public IEnumerable<string> CaseIds() => Root.GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("id").GetString()!);

    /// <summary>A numeric array property as double[].</summary>
    public static double[] Doubles(JsonElement e) => e.EnumerateArray().Select(x => x.GetDouble()).ToArray();

    /// <summary>A numeric matrix property (array of arrays) as double[,].</summary>
    public static double[,] Matrix(JsonElement e)
    {
        double[][] rows = e.EnumerateArray().Select(Doubles).ToArray();
        var m = new double[rows.Length, rows.Length == 0 ? 0 : rows[0].Length];
        for (int i = 0; i < rows.Length; i++)
        {
            if (rows[i].Length != m.GetLength(1))
            {
                throw new FormatException($"Golden matrix row {i} has {rows[i].Length} entries, expected {m.GetLength(1)}");
            }
            for (int j = 0; j < rows[i].Length; j++)
            {
                m[i, j] = rows[i][j];
            }
        }
        return m;
    }

    private static string FindRepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "RefNet.sln")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException($"RefNet.sln not found above {AppContext.BaseDirectory}");
    }
}
