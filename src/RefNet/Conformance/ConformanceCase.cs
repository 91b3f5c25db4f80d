// A conformance case on disk: DIR/<id>/case.json (what it is, each tensor's role and file, the tolerances and their
// justification, provenance) and one NPY file per tensor. Language-neutral: any program that reads JSON and NPY can
// run a case and write its outputs under the same file names; `refnet verify` compares them.
using System.Text;
using System.Text.Json;

namespace RefNet.Conformance;

/// <summary>One tensor of a case: a given (input, parameter, cotangent, target…) or an expected result.</summary>
/// <param name="Name">Name within the case, e.g. "x", "kernel", "grad_kernel".</param>
/// <param name="Role">input · param · buffer (non-trainable, e.g. moving_mean) · cotangent · target · gradients for givens; output · grad · state · param_after · loss for results.</param>
/// <param name="File">The NPY file, relative to the case folder.</param>
/// <param name="Shape">Dimensions, C order.</param>
/// <param name="Dtype">float64, float32 or int64.</param>
/// <param name="KerasWeight">The Keras weight name for parameters ("kernel", "recurrent_kernel", …), else null.</param>
/// <param name="Tolerance">For results compared element by element: how close an implementation must come; null for givens.</param>
/// <param name="Statistics">For a random draw (role sample): the moments and bounds it must show; its file is only an example draw.</param>
public sealed record CaseTensor(string Name, string Role, string File, int[] Shape, string Dtype, string? KerasWeight = null,
    CaseTolerance? Tolerance = null, CaseStatistics? Statistics = null)
{
    /// <summary>The roles of results (what an implementation writes); every other role is given.</summary>
    public static IReadOnlySet<string> ResultRoles { get; } = new HashSet<string> { "output", "grad", "state", "param_after", "loss", "sample" };

    /// <summary>Whether an implementation must produce this tensor.</summary>
    public bool IsResult => ResultRoles.Contains(Role);
}

/// <summary>Allowed error of one result: element i passes when |actual − expected| ≤ atol + rtol·|expected|
/// (NaN must meet NaN, ±∞ the same infinity).</summary>
/// <param name="Rtol">Relative part.</param>
/// <param name="Atol">Absolute part (already scaled by the result's magnitude).</param>
/// <param name="ReductionLength">K, the longest sum behind one element (1 for elementwise results).</param>
/// <param name="Basis">Why these numbers: the formula and its constant, in words.</param>
public sealed record CaseTolerance(double Rtol, double Atol, int ReductionLength, string Basis)
{
    /// <summary>The bound for one element.</summary>
    public double Allowed(double expected) => Atol + (Rtol * Math.Abs(expected));
}

/// <summary>What a random draw must show: all values finite and inside [Min, Max] (when given), and its sample mean and
/// variance within Z standard errors of the distribution's (SE of the mean √(σ²/n); of the variance √((μ₄ − σ⁴)/n)).</summary>
/// <param name="Mean">The distribution's mean.</param>
/// <param name="Variance">Its variance σ².</param>
/// <param name="FourthMoment">Its central fourth moment μ₄.</param>
/// <param name="Min">Lower bound of the support, or null.</param>
/// <param name="Max">Upper bound, or null.</param>
/// <param name="Z">Standard errors allowed (6: a correct draw fails once in ~10⁹).</param>
/// <param name="Basis">Where the numbers come from.</param>
/// <param name="OrthogonalGain">For an orthogonal draw: the gain g such that the matrix (rows = the product of all axes but
/// the last, columns = the last axis, as Keras flattens it) has orthogonal rows, or columns if it has more rows than
/// columns, each of norm g: W·Wᵀ = g²·I (or Wᵀ·W = g²·I) within 64·√K·u·g², K the longer side. Null for other draws.</param>
public sealed record CaseStatistics(double Mean, double Variance, double FourthMoment, double? Min, double? Max, double Z, string Basis,
    double? OrthogonalGain = null);

/// <summary>A case's manifest (case.json).</summary>
public sealed class ConformanceCase
{
    /// <summary>The format tag every case.json starts with.</summary>
    public const string FormatTag = "refnet-case/1";

    /// <summary>Case id, also its folder under the cases directory, e.g. "layer/conv2d/same_even_kernel".</summary>
    public required string Id { get; init; }

    /// <summary>activation · layer · loss · optimizer · network · initializer · parameters.</summary>
    public required string Kind { get; init; }

    /// <summary>One sentence: what is computed.</summary>
    public required string Description { get; init; }

    /// <summary>The Keras profile id the case follows (e.g. "2.3.1"), see <c>refnet conventions</c>.</summary>
    public required string Keras { get; init; }

    /// <summary>float64 or float32: the dtype an implementation should compute in.</summary>
    public required string Dtype { get; init; }

    /// <summary>Seed the givens were drawn with (RefNet regenerates the case from it to explain a failure).</summary>
    public int Seed { get; init; }

    /// <summary>The Keras class and config, as JSON text ({"class_name": …, "config": {…}}), or null.</summary>
    public string? OpJson { get; init; }

    /// <summary>Explicit switches that differ between Keras versions (ε placement, hard_sigmoid slope…).</summary>
    public IReadOnlyDictionary<string, string> Conventions { get; init; } = new Dictionary<string, string>();

    /// <summary>Layouts by tensor or role, e.g. input "NHWC", kernel "HWIO".</summary>
    public IReadOnlyDictionary<string, string> Layout { get; init; } = new Dictionary<string, string>();

    /// <summary>Givens and results.</summary>
    public required IReadOnlyList<CaseTensor> Tensors { get; init; }

    /// <summary>Where the expected numbers come from.</summary>
    public required string Provenance { get; init; }

    /// <summary>Notes for a reader (edge cases, what a porter often gets wrong).</summary>
    public string? Notes { get; init; }

    /// <summary>Tags for filtering.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>The results an implementation must write.</summary>
    public IEnumerable<CaseTensor> Results => Tensors.Where(t => t.IsResult);

    /// <summary>The case.json text.</summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("format", FormatTag);
            w.WriteString("id", Id);
            w.WriteString("kind", Kind);
            w.WriteString("description", Description);
            w.WriteString("keras", Keras);
            w.WriteString("dtype", Dtype);
            w.WriteNumber("seed", Seed);
            if (OpJson is not null)
            {
                w.WritePropertyName("op");
                using JsonDocument op = JsonDocument.Parse(OpJson);
                op.WriteTo(w);
            }
            WriteMap(w, "conventions", Conventions);
            WriteMap(w, "layout", Layout);
            w.WriteStartArray("tensors");
            foreach (CaseTensor t in Tensors)
            {
                w.WriteStartObject();
                w.WriteString("name", t.Name);
                w.WriteString("role", t.Role);
                w.WriteString("file", t.File);
                w.WriteStartArray("shape");
                foreach (int d in t.Shape)
                {
                    w.WriteNumberValue(d);
                }
                w.WriteEndArray();
                w.WriteString("dtype", t.Dtype);
                if (t.KerasWeight is not null)
                {
                    w.WriteString("keras_weight", t.KerasWeight);
                }
                if (t.Statistics is CaseStatistics st)
                {
                    w.WriteStartObject("statistics");
                    w.WriteNumber("mean", st.Mean);
                    w.WriteNumber("variance", st.Variance);
                    w.WriteNumber("fourth_moment", st.FourthMoment);
                    if (st.Min is double lo)
                    {
                        w.WriteNumber("min", lo);
                    }
                    if (st.Max is double hi)
                    {
                        w.WriteNumber("max", hi);
                    }
                    w.WriteNumber("z", st.Z);
                    if (st.OrthogonalGain is double gain)
                    {
                        w.WriteNumber("orthogonal_gain", gain);
                    }
                    w.WriteString("basis", st.Basis);
                    w.WriteEndObject();
                }
                if (t.Tolerance is CaseTolerance tol)
                {
                    w.WriteStartObject("tolerance");
                    w.WriteNumber("rtol", tol.Rtol);
                    w.WriteNumber("atol", tol.Atol);
                    w.WriteNumber("reduction_length", tol.ReductionLength);
                    w.WriteString("basis", tol.Basis);
                    w.WriteEndObject();
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteString("provenance", Provenance);
            if (Notes is not null)
            {
                w.WriteString("notes", Notes);
            }
            w.WriteStartArray("tags");
            foreach (string tag in Tags)
            {
                w.WriteStringValue(tag);
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>Reads a case.json; <paramref name="path"/> names it in errors.</summary>
    /// <exception cref="CaseFormatException">Not JSON, another format tag, a missing or mistyped field.</exception>
    public static ConformanceCase Parse(string json, string path)
    {
        try
        {
            return ParseChecked(json, path);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or KeyNotFoundException or ArgumentException
            && e is not CaseFormatException)
        {
            // A field of the wrong JSON type somewhere the checks above did not look (e.g. "tolerance": null).
            throw new CaseFormatException(path, $"a field has the wrong type: {e.Message}");
        }
    }

    private static ConformanceCase ParseChecked(string json, string path)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = false, AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            throw new CaseFormatException(path, $"not valid JSON (line {(e.LineNumber ?? 0) + 1}): {e.Message.Split(" LineNumber")[0]}");
        }
        using (doc)
        {
            JsonElement root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new CaseFormatException(path, "the top level must be an object");
            }
            string format = Text(root, "format", path);
            if (format != FormatTag)
            {
                throw new CaseFormatException(path, $"format '{format}' is not '{FormatTag}'");
            }
            var tensors = new List<CaseTensor>();
            if (!root.TryGetProperty("tensors", out JsonElement list) || list.ValueKind != JsonValueKind.Array)
            {
                throw new CaseFormatException(path, "'tensors' must be an array");
            }
            int index = 0;
            foreach (JsonElement t in list.EnumerateArray())
            {
                string where = $"tensors[{index++}]";
                if (t.ValueKind != JsonValueKind.Object)
                {
                    throw new CaseFormatException(path, $"{where} must be an object");
                }
                string file = Text(t, "file", path, where);
                if (Path.IsPathRooted(file) || file.Contains("..", StringComparison.Ordinal) || file.Contains('/') || file.Contains('\\'))
                {
                    throw new CaseFormatException(path, $"{where}.file '{file}' must be a plain file name inside the case folder");
                }
                if (!t.TryGetProperty("shape", out JsonElement shape) || shape.ValueKind != JsonValueKind.Array
                    || shape.EnumerateArray().Any(d => d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out int v) || v < 0))
                {
                    throw new CaseFormatException(path, $"{where}.shape must be an array of non-negative integers");
                }
                CaseTolerance? tolerance = null;
                if (t.TryGetProperty("tolerance", out JsonElement tol))
                {
                    tolerance = new CaseTolerance(Number(tol, "rtol", path, where), Number(tol, "atol", path, where),
                        (int)Number(tol, "reduction_length", path, where), tol.TryGetProperty("basis", out JsonElement b) ? b.GetString() ?? "" : "");
                }
                CaseStatistics? statistics = null;
                if (t.TryGetProperty("statistics", out JsonElement st))
                {
                    double? Optional(string f) => st.TryGetProperty(f, out JsonElement v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
                    statistics = new CaseStatistics(Optional("mean") ?? throw new CaseFormatException(path, $"{where}.statistics.mean is missing"),
                        Number(st, "variance", path, where), Number(st, "fourth_moment", path, where), Optional("min"), Optional("max"),
                        Number(st, "z", path, where), st.TryGetProperty("basis", out JsonElement sb) ? sb.GetString() ?? "" : "",
                        Optional("orthogonal_gain"));
                }
                var tensor = new CaseTensor(Text(t, "name", path, where), Text(t, "role", path, where), file,
                    [.. shape.EnumerateArray().Select(d => d.GetInt32())], Text(t, "dtype", path, where),
                    t.TryGetProperty("keras_weight", out JsonElement kw) ? kw.GetString() : null, tolerance, statistics);
                if (tensor.IsResult && tolerance is null && statistics is null)
                {
                    throw new CaseFormatException(path, $"{where} ('{tensor.Name}', role {tensor.Role}) is a result but has no tolerance");
                }
                tensors.Add(tensor);
            }
            return new ConformanceCase
            {
                Id = Text(root, "id", path),
                Kind = Text(root, "kind", path),
                Description = Text(root, "description", path),
                Keras = Text(root, "keras", path),
                Dtype = Text(root, "dtype", path),
                Seed = root.TryGetProperty("seed", out JsonElement seed) && seed.TryGetInt32(out int s) ? s : 0,
                OpJson = root.TryGetProperty("op", out JsonElement op) ? op.GetRawText() : null,
                Conventions = Map(root, "conventions"),
                Layout = Map(root, "layout"),
                Tensors = tensors,
                Provenance = Text(root, "provenance", path),
                Notes = root.TryGetProperty("notes", out JsonElement n) ? n.GetString() : null,
                Tags = root.TryGetProperty("tags", out JsonElement tags) && tags.ValueKind == JsonValueKind.Array
                    ? [.. tags.EnumerateArray().Select(x => x.GetString() ?? "")] : [],
            };
        }
    }

    /// <summary>Reads DIR/case.json.</summary>
    /// <exception cref="CaseFormatException">See <see cref="Parse"/>, or the file is missing.</exception>
    public static ConformanceCase Load(string caseDirectory)
    {
        string path = System.IO.Path.Combine(caseDirectory, "case.json");
        if (!File.Exists(path))
        {
            throw new CaseFormatException(path, "no case.json");
        }
        return Parse(File.ReadAllText(path), path);
    }

    private static void WriteMap(Utf8JsonWriter w, string name, IReadOnlyDictionary<string, string> map)
    {
        w.WriteStartObject(name);
        foreach ((string k, string v) in map)
        {
            w.WriteString(k, v);
        }
        w.WriteEndObject();
    }

    private static Dictionary<string, string> Map(JsonElement root, string name) =>
        root.TryGetProperty(name, out JsonElement m) && m.ValueKind == JsonValueKind.Object
            ? m.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText())
            : [];

    private static string Text(JsonElement e, string field, string path, string? where = null)
    {
        if (!e.TryGetProperty(field, out JsonElement v) || v.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(v.GetString()))
        {
            throw new CaseFormatException(path, $"{(where is null ? "" : where + ".")}{field} is missing or not a non-empty string");
        }
        return v.GetString()!;
    }

    private static double Number(JsonElement e, string field, string path, string where)
    {
        if (!e.TryGetProperty(field, out JsonElement v) || v.ValueKind != JsonValueKind.Number || !double.IsFinite(v.GetDouble()) || v.GetDouble() < 0)
        {
            throw new CaseFormatException(path, $"{where}: {field} is missing or not a finite non-negative number");
        }
        return v.GetDouble();
    }
}

/// <summary>A case.json that cannot be used: names the file and what is wrong.</summary>
public sealed class CaseFormatException(string path, string problem) : FormatException($"{path}: {problem}")
{
    /// <summary>The file.</summary>
    public string FilePath { get; } = path;
}
