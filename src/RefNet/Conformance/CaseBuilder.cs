// Builds one conformance case in memory: its givens (drawn from the case's seed, rounded to the case's dtype first),
// its results (computed by RefNet's reference backend in float64 from those rounded givens) and their tolerances.
// A float32 case's expected values are that float64 truth rounded once, never RefNet's float32 path (PyTorch OpInfo's
// rule: a float32 implementation is judged against the truth).
using System.Text;
using System.Text.Json;
using RefNet.Conventions;
using RefNet.Serialization;

namespace RefNet.Conformance;

/// <summary>How a result is computed, which sets its tolerance constant c (see <see cref="CaseBuilder.Tolerance"/>).</summary>
public enum ToleranceClass
{
    /// <summary>Data movement, max, comparisons, one multiplication (ReLU, pooling routes, Flatten): c = 2.</summary>
    Exact,

    /// <summary>Sums and products, no transcendental function (Dense, Conv2D, averages, MSE): c = 8.</summary>
    Arithmetic,

    /// <summary>exp, log, tanh, sqrt in the result (activations, cross-entropies, optimizers with roots): c = 64
    /// (WebNN allows 32 ULP for exp and 34 for sigmoid in float32; libms differ by 1–2 ULP in float64).</summary>
    Transcendental,

    /// <summary>Gradients through several transcendental steps (softmax Jacobians, recurrences through time,
    /// multi-step optimizer trajectories, a network step): c = 1024.</summary>
    Chain,
}

/// <summary>Assembles a <see cref="ConformanceCase"/> and its arrays.</summary>
public sealed class CaseBuilder
{
    private readonly List<CaseTensor> _tensors = [];
    private readonly Dictionary<string, NpyArray> _arrays = [];
    private readonly Dictionary<string, string> _conventions = [];
    private readonly Dictionary<string, string> _layout = [];
    private readonly List<string> _tags = [];

    /// <summary>Starts a case.</summary>
    /// <param name="id">Case id (its folder).</param>
    /// <param name="kind">activation · layer · loss · optimizer · network · initializer · parameters.</param>
    /// <param name="dtype">float64 or float32.</param>
    /// <param name="keras">Profile whose conventions the case follows.</param>
    /// <param name="seed">Seed of the drawn givens.</param>
    public CaseBuilder(string id, string kind, string dtype, KerasProfile keras, int seed)
    {
        if (dtype is not ("float64" or "float32"))
        {
            throw new ArgumentException($"case dtype must be float64 or float32, not '{dtype}'", nameof(dtype));
        }
        Id = id;
        Kind = kind;
        Dtype = dtype;
        Keras = keras;
        Seed = seed;
        Random = new Random(seed);
    }

    /// <summary>Case id.</summary>
    public string Id { get; }

    /// <summary>Case kind.</summary>
    public string Kind { get; }

    /// <summary>float64 or float32.</summary>
    public string Dtype { get; }

    /// <summary>The case's Keras profile.</summary>
    public KerasProfile Keras { get; }

    /// <summary>Seed of the givens.</summary>
    public int Seed { get; }

    /// <summary>The generator of the givens.</summary>
    public Random Random { get; }

    /// <summary>One sentence on what is computed.</summary>
    public string Description { get; set; } = "";

    /// <summary>Notes for a reader.</summary>
    public string? Notes { get; set; }

    /// <summary>The op's Keras class and config as JSON, or null.</summary>
    public string? OpJson { get; private set; }

    /// <summary>Provenance; RefNet's reference backend unless a golden case names its published source.</summary>
    public string Provenance { get; set; } = $"RefNet {Version}, reference backend, float64 from the stored (rounded) givens";

    /// <summary>The RefNet version (assembly informational version, with the commit).</summary>
    public static string Version { get; } =
        typeof(CaseBuilder).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "unknown";

    /// <summary>Unit roundoff of the case's dtype: 2⁻⁵³ or 2⁻²⁴.</summary>
    public double UnitRoundoff => Dtype == "float32" ? Math.Pow(2, -24) : Math.Pow(2, -53);

    /// <summary><paramref name="v"/> rounded to the case's dtype.</summary>
    public double Round(double v) => Dtype == "float32" ? (float)v : v;

    /// <summary><paramref name="count"/> values uniform in [lo, hi], rounded to the dtype.</summary>
    public double[] Uniform(int count, double lo, double hi) =>
        [.. Enumerable.Range(0, count).Select(_ => Round(lo + ((hi - lo) * Random.NextDouble())))];

    /// <summary>Values uniform in ±[lo, hi] (a random sign; away from zero by lo), rounded.</summary>
    public double[] AwayFromZero(int count, double lo, double hi) =>
        [.. Enumerable.Range(0, count).Select(_ => Round((Random.Next(2) == 0 ? -1 : 1) * (lo + ((hi - lo) * Random.NextDouble()))))];

    /// <summary>Records the Keras class and its config (Keras JSON conventions, as the model files write them).</summary>
    public void Op(string className, IReadOnlyDictionary<string, object?> config)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("class_name", className);
            w.WriteStartObject("config");
            foreach ((string key, object? value) in config)
            {
                w.WritePropertyName(key);
                ModelConfig.WriteValue(w, value, $"{className}.{key}");
            }
            w.WriteEndObject();
            w.WriteEndObject();
        }
        OpJson = Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Records the op as ready JSON (e.g. a published model config).</summary>
    public void SetOpJson(string json)
    {
        using JsonDocument doc = JsonDocument.Parse(json); // validates
        OpJson = json;
    }

    /// <summary>An explicit convention switch, e.g. ("relu_gradient_at_0", "0").</summary>
    public void Convention(string key, string value) => _conventions[key] = value;

    /// <summary>A layout, e.g. ("input", "NHWC").</summary>
    public void Layout(string what, string layout) => _layout[what] = layout;

    /// <summary>Tags for filtering.</summary>
    public void Tag(params string[] tags) => _tags.AddRange(tags);

    /// <summary>A given tensor (values already rounded to the dtype, or integers with dtype int64).</summary>
    public void Given(string name, string role, int[] shape, double[] values, string? kerasWeight = null, string? dtype = null)
    {
        string d = dtype ?? Dtype;
        Add(new CaseTensor(name, role, name + ".npy", shape, d, kerasWeight), new NpyArray(d, shape, values));
    }

    /// <summary>An expected result with the tolerance of its class and reduction length.</summary>
    public void Result(string name, string role, int[] shape, double[] values, ToleranceClass kind, int reductionLength, string? kerasWeight = null)
    {
        double[] expected = [.. values.Select(Round)];
        Add(new CaseTensor(name, role, name + ".npy", shape, Dtype, kerasWeight, Tolerance(kind, reductionLength, expected)),
            new NpyArray(Dtype, shape, expected));
    }

    /// <summary>An expected result that must be matched exactly (counts, integers).</summary>
    public void ExactResult(string name, string role, int[] shape, double[] values, string dtype = "int64") =>
        Add(new CaseTensor(name, role, name + ".npy", shape, dtype, Tolerance: new CaseTolerance(0, 0, 1, "exact: an integer count")),
            new NpyArray(dtype, shape, values));

    /// <summary>A random draw judged by its statistics; <paramref name="example"/> (RefNet's own draw) is stored as the file.</summary>
    public void Sample(string name, int[] shape, double[] example, CaseStatistics statistics) =>
        Add(new CaseTensor(name, "sample", name + ".npy", shape, Dtype, Statistics: statistics), new NpyArray(Dtype, shape, [.. example.Select(Round)]));

    /// <summary>The tolerance of a result: rtol = c·√K·u and atol = c·√K·u·M, where u is the dtype's unit roundoff,
    /// K the reduction length, M = max(1, max|expected|) the result's magnitude and c the class constant. A correct
    /// implementation's error of a length-K sum grows like √K·u·Σ|terms| (Higham's probabilistic bound, as in
    /// RefNet's backend contract); a wrong formula misses by orders of magnitude more.</summary>
    public CaseTolerance Tolerance(ToleranceClass kind, int reductionLength, IReadOnlyList<double> expected)
    {
        double c = kind switch
        {
            ToleranceClass.Exact => 2,
            ToleranceClass.Arithmetic => 8,
            ToleranceClass.Transcendental => 64,
            _ => 1024,
        };
        int k = Math.Max(1, reductionLength);
        double magnitude = Math.Max(1.0, expected.Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(0).Max());
        double rtol = c * Math.Sqrt(k) * UnitRoundoff;
        string basis = $"{kind.ToString().ToLowerInvariant()} (c = {c}): rtol = c·√K·u, atol = c·√K·u·M with K = {k}, " +
            $"u = {(Dtype == "float32" ? "2^-24" : "2^-53")}, M = max(1, max|expected|) = {magnitude:G6}";
        return new CaseTolerance(rtol, rtol * magnitude, k, basis);
    }

    /// <summary>The case's manifest.</summary>
    public ConformanceCase Build() => new()
    {
        Id = Id,
        Kind = Kind,
        Description = Description,
        Keras = Keras.Id,
        Dtype = Dtype,
        Seed = Seed,
        OpJson = OpJson,
        Conventions = new Dictionary<string, string>(_conventions),
        Layout = new Dictionary<string, string>(_layout),
        Tensors = [.. _tensors],
        Provenance = Provenance,
        Notes = Notes,
        Tags = [Kind, .. _tags],
    };

    /// <summary>The arrays by tensor name.</summary>
    public IReadOnlyDictionary<string, NpyArray> Arrays => _arrays;

    /// <summary>Writes DIR/&lt;id&gt;/case.json and the NPY files; returns the case folder.</summary>
    public string Write(string directory)
    {
        string folder = Path.Combine(directory, Id.Replace('/', Path.DirectorySeparatorChar));
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "case.json"), Build().ToJson());
        foreach (CaseTensor t in _tensors)
        {
            Npy.Write(Path.Combine(folder, t.File), _arrays[t.Name]);
        }
        return folder;
    }

    private void Add(CaseTensor tensor, NpyArray array)
    {
        if (_arrays.ContainsKey(tensor.Name))
        {
            throw new InvalidOperationException($"case {Id}: tensor '{tensor.Name}' is defined twice");
        }
        if (array.Length != array.Values.Length)
        {
            throw new InvalidOperationException($"case {Id}: tensor '{tensor.Name}' has shape {array.ShapeText} but {array.Values.Length} values");
        }
        _tensors.Add(tensor);
        _arrays[tensor.Name] = array;
    }
}
