// Cases whose expected numbers are not RefNet's: initializer statistics (the distributions' moments and bounds, so any
// implementation's draw can be judged) and the published worked examples in golden/published/ (softmax tables, log-loss
// tables, parameter counts), each with its source as provenance.
using System.Globalization;
using System.Text.Json;
using RefNet.Initializers;

namespace RefNet.Conformance;

public static partial class CaseLibrary
{
    /// <summary>E[X⁴] of N(0, 1) truncated to [−2, 2]: 3 − 2φ(2)(2³ + 3·2)/(2Φ(2) − 1).</summary>
    public const double TruncatedFourthMoment = 1.4161891248494625;

    // ---- initializers: a (200, 300) kernel drawn by the implementation, judged by the distribution's statistics ----

    private static void AddInitializers(List<CaseDefinition> list)
    {
        const int FanIn = 200, FanOut = 300;
        int[] shape = [FanIn, FanOut];
        (string Name, double Scale, double Fan, bool Uniform)[] scaled =
        [
            ("glorot_uniform", 1, (FanIn + FanOut) / 2.0, true),
            ("glorot_normal", 1, (FanIn + FanOut) / 2.0, false),
            ("he_uniform", 2, FanIn, true),
            ("he_normal", 2, FanIn, false),
            ("lecun_uniform", 1, FanIn, true),
            ("lecun_normal", 1, FanIn, false),
        ];
        foreach ((string name, double scale, double fan, bool uniform) in scaled)
        {
            list.Add(new($"initializer/{name}", "initializer", b =>
            {
                double variance = scale / fan;
                CaseStatistics stats;
                if (uniform)
                {
                    double limit = Math.Sqrt(3 * variance);
                    stats = new(0, variance, Math.Pow(limit, 4) / 5, -limit, limit, 6,
                        $"VarianceScaling(scale={scale}, uniform): U(−l, l), l = √(3·scale/n) = {limit:G6}; σ² = l²/3, μ₄ = l⁴/5");
                }
                else
                {
                    double s = Math.Sqrt(variance) / VarianceScaling.TruncatedStdDev;
                    stats = new(0, variance, TruncatedFourthMoment * Math.Pow(s, 4), -2 * s, 2 * s, 6,
                        $"VarianceScaling(scale={scale}, normal) of Keras 2.2–2.3 and tf.keras: N(0, s²) truncated to ±2s, s = √(scale/n)/0.8796256610342398 = {s:G6}; σ² = scale/n, μ₄ = {TruncatedFourthMoment}·s⁴");
                }
                InitializerCase(b, Initializer.FromName(name), shape, stats, $"n = {(fan == FanIn ? "fan_in" : "(fan_in + fan_out)/2")} = {fan}");
            }));
        }
        list.Add(new("initializer/random_uniform", "initializer", b => InitializerCase(b, new RandomUniform(), shape,
            new(0, 0.05 * 0.05 / 3, Math.Pow(0.05, 4) / 5, -0.05, 0.05, 6, "RandomUniform(−0.05, 0.05) (Keras 2 defaults): σ² = a²/3, μ₄ = a⁴/5"), null)));
        list.Add(new("initializer/random_normal", "initializer", b => InitializerCase(b, new RandomNormal(), shape,
            new(0, 0.0025, 3 * Math.Pow(0.05, 4), null, null, 6, "RandomNormal(0, 0.05) (Keras 2 defaults): σ² = 0.05², μ₄ = 3σ⁴, unbounded"), null)));
        double tv = 0.0025 * VarianceScaling.TruncatedStdDev * VarianceScaling.TruncatedStdDev;
        list.Add(new("initializer/truncated_normal", "initializer", b => InitializerCase(b, new TruncatedNormal(), shape,
            new(0, tv, TruncatedFourthMoment * Math.Pow(0.05, 4), -0.1, 0.1, 6,
                "TruncatedNormal(0, 0.05) (Keras 2 defaults): N(0, 0.05²) re-drawn beyond ±2·0.05; σ² = 0.05²·0.8796256610342398², μ₄ = 1.41619·0.05⁴"), null)));
        list.Add(new("initializer/orthogonal", "initializer", b => InitializerCase(b, new Orthogonal(), shape,
            new(0, 1.0 / FanOut, 3.0 / (FanOut * (FanOut + 2.0)), -1, 1, 6,
                $"Orthogonal(gain=1) for ({FanIn}, {FanOut}): the shorter side of the flattened (rows, last axis) matrix is orthonormal (Keras 2.0–2.3 take U or Vᵀ of the SVD of an N(0, 1) draw, tf.keras a sign-corrected QR: both Haar), so the {FanIn} rows are: W·Wᵀ = I. Each row is uniform on the unit sphere of R^{FanOut}: μ = 0, σ² = 1/{FanOut}, μ₄ = 3/({FanOut}·{FanOut + 2}), |w| ≤ 1",
                OrthogonalGain: 1), null)));
    }

    private static void InitializerCase(CaseBuilder b, Initializer init, int[] shape, CaseStatistics stats, string? fans)
    {
        b.Description = $"Keras initializer '{init.Name}' for a Dense kernel of shape {Npy.ShapeText(shape)} (inputs × units): a draw, judged by its distribution's bounds, mean and variance.";
        b.Op("Initializer", new Dictionary<string, object?> { ["initializer"] = init, ["shape"] = shape });
        b.Convention("fans", "Keras: a Dense kernel (in, out) has fan_in = in, fan_out = out" + (fans is null ? "" : $"; {fans}"));
        b.Notes = "Draw with any seed: sample.npy here is RefNet's draw, an example only. Bounds are exact; the mean and variance must lie within 6 standard errors."
            + (stats.OrthogonalGain is null ? "" : " The rows must be orthonormal (statistics.orthogonal_gain): the Gram matrix W·Wᵀ is checked entry by entry.");
        var values = new double[shape[0] * shape[1]];
        init.Fill(values, shape, new Random(b.Seed));
        b.Sample("sample", shape, values, stats);
        b.Tag(init.Name);
    }

    // ---- published worked examples ----

    /// <summary>The columns of a Keras 2 model.summary() table that a case checks.</summary>
    private sealed record SummaryTable(IReadOnlyList<int[]> OutputShapes, double Trainable, double NonTrainable);

    /// <summary>Reads an embedded golden summary (Keras 2.0.8 print_summary: columns at 0/29/55, "(None, 26, 26, 32)").</summary>
    private static SummaryTable ReadSummary(string file)
    {
        using Stream stream = typeof(CaseLibrary).Assembly.GetManifestResourceStream($"golden/tables/{file}")
            ?? throw new InvalidOperationException($"golden/published/{file} is not embedded in RefNet (as golden/tables/{file})");
        using var reader = new StreamReader(stream);
        var shapes = new List<int[]>();
        double trainable = double.NaN, nonTrainable = double.NaN;
        static double Count(string line) => double.Parse(line[(line.IndexOf(':') + 1)..].Replace(",", "").Trim(), CultureInfo.InvariantCulture);
        while (reader.ReadLine() is string line)
        {
            if (line.StartsWith("Trainable params:", StringComparison.Ordinal))
            {
                trainable = Count(line);
            }
            else if (line.StartsWith("Non-trainable params:", StringComparison.Ordinal))
            {
                nonTrainable = Count(line);
            }
            else if (line.Length > 29 && line[29..].TrimStart().StartsWith("(None", StringComparison.Ordinal))
            {
                string shape = line[29..Math.Min(line.Length, 55)].Trim().TrimStart('(').TrimEnd(')');
                shapes.Add([.. shape.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Skip(1)
                    .Select(d => int.Parse(d, CultureInfo.InvariantCulture))]);
            }
        }
        if (shapes.Count == 0 || double.IsNaN(trainable) || double.IsNaN(nonTrainable))
        {
            throw new InvalidOperationException($"golden/published/{file} is not a Keras summary table");
        }
        return new(shapes, trainable, nonTrainable);
    }

    private static JsonElement GoldenTable(string name)
    {
        using Stream stream = typeof(CaseLibrary).Assembly.GetManifestResourceStream($"golden/tables/{name}.json")
            ?? throw new InvalidOperationException($"golden/published/{name}.json is not embedded in RefNet");
        using JsonDocument doc = JsonDocument.Parse(stream);
        return doc.RootElement.Clone();
    }

    private static double[] Numbers(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetDouble())];

    private static double[] Rows(JsonElement rows) => [.. rows.EnumerateArray().SelectMany(r => r.EnumerateArray().Select(e => e.GetDouble()))];

    private static JsonElement GoldenCase(string table, string id) =>
        GoldenTable(table).GetProperty("cases").EnumerateArray().First(c => c.GetProperty("id").GetString() == id);

    private static void AddGolden(List<CaseDefinition> list)
    {
        foreach (JsonElement c in GoldenTable("softmax").GetProperty("cases").EnumerateArray())
        {
            string id = c.GetProperty("id").GetString()!;
            list.Add(new($"golden/softmax/{id}", "activation", b =>
            {
                JsonElement g = GoldenCase("softmax", id);
                double[] x = [.. Numbers(g.GetProperty("logits")).Select(b.Round)];
                b.Description = $"softmax({string.Join(", ", x.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}), the slides' table.";
                b.Op("Activation", new Dictionary<string, object?> { ["activation"] = "softmax" });
                b.Provenance = $"golden/published/softmax.json '{id}': {g.GetProperty("source").GetString()}";
                b.Given("x", "input", [1, x.Length], x);
                b.Result("y", "output", [1, x.Length], Numbers(g.GetProperty("exact_float64")), ToleranceClass.Transcendental, x.Length);
                b.Tag("golden", "softmax");
            }));
        }
        void Loss(string id, string description, Func<JsonElement, (int Rows, int Classes, double[] Pred, double[] True, double Value)> data) =>
            LossTable(id, description, g =>
            {
                (int rows, int classes, double[] pred, double[] target, double value) = data(g);
                return (rows, classes, pred, target, [value], false);
            });
        void LossTable(string id, string description, Func<JsonElement, (int Rows, int Classes, double[] Pred, double[] True, double[] Values, bool PerSample)> data)
        {
            list.Add(new($"golden/log_loss/{id}", "loss", b =>
            {
                string table = id.Split('/')[0];
                JsonElement g = GoldenCase("log_loss", table);
                (int rows, int classes, double[] pred, double[] target, double[] values, bool perSample) = data(g);
                b.Description = description;
                b.Op("categorical_crossentropy", new Dictionary<string, object?> { ["reduction"] = perSample ? "none" : "mean over the batch", ["epsilon"] = 1e-7 });
                b.Convention("cce_form", "ŷ divided by its row sum, clipped to [ε, 1 − ε], then −Σ y·log ŷ");
                b.Provenance = $"golden/published/log_loss.json '{table}': {g.GetProperty("source").GetString()}";
                b.Given("y_pred", "input", [rows, classes], [.. pred.Select(b.Round)]);
                b.Given("y_true", "target", [rows, classes], target);
                b.Result("loss", "loss", perSample ? [rows] : [], values, ToleranceClass.Transcendental, perSample ? classes : rows * classes);
                if (perSample)
                {
                    b.Convention("reduction", "none: loss[i] is sample i's −Σ_k y_ik·log ŷ_ik (Keras' per-sample loss before the batch mean)");
                }
                b.Tag("golden", "categorical_crossentropy");
            }));
        }
        double[] OneHot(int[] labels, int classes) =>
            [.. labels.SelectMany(l => Enumerable.Range(0, classes).Select(k => k == l ? 1.0 : 0.0))];
        LossTable("two_class_table", "The slides' two-class table, target [0, 1]: each row's cross-entropy −ln p₁ (per sample, no reduction).", g =>
        {
            double[] target = Numbers(g.GetProperty("target"));
            double[] pred = Rows(g.GetProperty("probabilities"));
            int rows = pred.Length / target.Length;
            return (rows, target.Length, pred, [.. Enumerable.Range(0, rows).SelectMany(_ => target)], Numbers(g.GetProperty("expected")), true);
        });
        foreach (string doctor in new[] { "Paulo", "Georgia" })
        {
            Loss($"two_doctors/{doctor}", $"The slides' two doctors, {doctor}: mean over the two questions of −ln p(correct answer); each row [p, 1 − p], correct answer first.", g =>
            {
                JsonElement d = g.GetProperty("cases").EnumerateArray().First(e => e.GetProperty("name").GetString() == doctor);
                double[] p = Numbers(d.GetProperty("p_correct"));
                return (p.Length, 2, [.. p.SelectMany(x => new[] { x, 1 - x })], [.. p.SelectMany(_ => new[] { 1.0, 0.0 })], d.GetProperty("mean").GetDouble());
            });
        }
        Loss("customers_10", "The slides' 10 customers: Keras 2 categorical_crossentropy (rows renormalised first).", g =>
        {
            int[] labels = [.. g.GetProperty("labels").EnumerateArray().Select(e => e.GetInt32())];
            return (10, 4, Rows(g.GetProperty("probabilities")), OneHot(labels, 4), g.GetProperty("keras_cce").GetDouble());
        });
        foreach (string name in new[] { "A", "B" })
        {
            Loss($"cat_dog_mouse/{name}", $"The slides' cat/dog/mouse table, predictor {name}: mean categorical cross-entropy.", g =>
            {
                int[] labels = [.. g.GetProperty("labels").EnumerateArray().Select(e => e.GetInt32())];
                JsonElement p = g.GetProperty("predictors").EnumerateArray().First(e => e.GetProperty("name").GetString() == name);
                return (4, 3, Rows(p.GetProperty("probabilities")), OneHot(labels, 3), p.GetProperty("mean").GetDouble());
            });
        }
        Loss("tf_keras_cce_docstring", "tf.keras' CategoricalCrossentropy docstring example (a zero probability is clipped).", g =>
            (2, 3, Rows(g.GetProperty("predictions")), Rows(g.GetProperty("targets")), g.GetProperty("mean").GetDouble()));
        Loss("clipping_constant", "A fully wrong prediction: −ln ε with ε = 1e-7.", g => (1, 2, [0, 1], [1, 0], g.GetProperty("expected").GetDouble()));
        foreach (JsonElement c in GoldenTable("parameter_counts").GetProperty("cases").EnumerateArray())
        {
            string id = c.GetProperty("id").GetString()!;
            list.Add(new($"golden/parameters/{id}", "parameters", b =>
            {
                JsonElement g = GoldenCase("parameter_counts", id);
                b.Description = $"Parameter counts of the published model '{id}' (Keras model.summary()).";
                b.Provenance = $"golden/published/parameter_counts.json '{id}': {g.GetProperty("source").GetString()}";
                b.SetOpJson(g.GetProperty("model").GetRawText());
                b.Convention("counting", "Keras: Dense in·out + out; Conv2D kh·kw·in·out + out; LSTM 4·u·(in + u + 1); GRU 3·u·(in + u + 1) (reset_after: 3·u·(in + u + 2)); BatchNormalization 4·C (2·C trainable)");
                if (g.TryGetProperty("layer_params", out JsonElement layers))
                {
                    double[] counts = Numbers(layers);
                    b.ExactResult("layer_params", "output", [counts.Length], counts);
                }
                b.ExactResult("total_params", "output", [], [g.GetProperty("total_params").GetDouble()]);
                if (g.TryGetProperty("summary_file", out JsonElement summaryFile))
                {
                    string file = Path.GetFileName(summaryFile.GetString()!);
                    SummaryTable summary = ReadSummary(file);
                    b.Provenance += $"; output shapes and trainable counts from golden/published/{file}: {g.GetProperty("summary_source").GetString()}";
                    b.Convention("output_shape", "model.summary()'s Output Shape column without the batch axis (None): output_shape_k is layer k's");
                    for (int k = 0; k < summary.OutputShapes.Count; k++)
                    {
                        double[] dims = [.. summary.OutputShapes[k].Select(d => (double)d)];
                        b.ExactResult($"output_shape_{k}", "output", [dims.Length], dims);
                    }
                    b.ExactResult("trainable_params", "output", [], [summary.Trainable]);
                    b.ExactResult("non_trainable_params", "output", [], [summary.NonTrainable]);
                }
                b.Tag("golden", "summary");
            }));
        }
    }
}
