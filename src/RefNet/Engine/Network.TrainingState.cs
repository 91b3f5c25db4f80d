// The training state a saved model carries so that training resumes exactly: the optimizer (config, iteration count,
// state tensors per parameter), the loss and metrics, each Dropout layer's mask step and the completed epochs.
// Together with Fit's replayed shuffles (initialEpoch) this is everything a run remembers between epochs.
using System.Globalization;
using System.Text;
using System.Text.Json;
using RefNet.Backends;
using RefNet.Layers;
using RefNet.Losses;
using RefNet.Optimizers;
using RefNet.Serialization;

namespace RefNet.Engine;

public partial class Network<T>
{
    /// <summary>The format tag of the training-state JSON inside a version-2 model file.</summary>
    public const string TrainingStateFormat = "refnet-training-state/1";

    /// <summary>Epochs completed by <see cref="Fit"/> (counting from its <c>initialEpoch</c>), saved with the training
    /// state: pass it as <c>initialEpoch</c> to resume a loaded checkpoint.</summary>
    public int CompletedEpochs { get; set; }

    /// <summary>Names the first weight holding NaN or ±∞ ("'dense_1/kernel' element 17 is NaN"), or null when every weight
    /// is finite. One reduction per parameter on the backend: Σ (w − w), which is 0 exactly when every w is finite.</summary>
    public string? FirstNonFiniteWeight()
    {
        foreach (Parameter<T> p in Parameters)
        {
            if (!Backend.AllFinite(p.Value))
            {
                T[] v = p.Value.ToArray();
                int i = Array.FindIndex(v, x => !T.IsFinite(x));
                return $"'{p.Name}' element {i} is {double.CreateChecked(v[i]).ToString(CultureInfo.InvariantCulture)}";
            }
        }
        return null;
    }

    /// <summary>How many entries of a file are this network's parameters (the rest are optimizer slots).</summary>
    private static int ParameterEntries(string path, WeightsFile.Contents contents)
    {
        if (contents.StateJson is null)
        {
            return contents.Entries.Count;
        }
        try
        {
            using JsonDocument doc = JsonDocument.Parse(contents.StateJson);
            int n = doc.RootElement.GetProperty("parameter_entries").GetInt32();
            return n >= 0 && n <= contents.Entries.Count ? n
                : throw new ModelFileException(path, ModelFileProblem.Corrupted, $"training state says {n} parameter entries, the file has {contents.Entries.Count} entries");
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new ModelFileException(path, ModelFileProblem.Corrupted, $"the training state is not valid: {e.Message}", e);
        }
    }

    private void WriteFileWithState(string path)
    {
        var entries = new List<WeightsFile.Entry>();
        var values = new List<T[]>();
        IReadOnlyList<Parameter<T>> parameters = Parameters;
        foreach (Parameter<T> p in parameters)
        {
            entries.Add(new WeightsFile.Entry(p.Name, p.Value.Shape.ToArray()));
            values.Add(p.Value.ToArray());
        }
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false }))
        {
            w.WriteStartObject();
            w.WriteString("format", TrainingStateFormat);
            w.WriteNumber("parameter_entries", parameters.Count);
            w.WriteNumber("completed_epochs", CompletedEpochs);
            w.WriteStartObject("optimizer");
            foreach ((string key, object? value) in Optimizer!.GetConfig())
            {
                WriteValue(w, key, value);
            }
            w.WriteEndObject();
            w.WriteNumber("iterations", Optimizer.Iterations);
            w.WriteStartObject("loss");
            WriteLossConfig(w, Loss!);
            w.WriteEndObject();
            w.WriteStartArray("metrics");
            foreach (string key in Metrics)
            {
                w.WriteStringValue(key);
            }
            w.WriteEndArray();
            w.WriteStartObject("dropout_steps");
            foreach (Layer<T> layer in _layers)
            {
                if (layer is Dropout<T> dropout)
                {
                    w.WriteNumber(layer.Name!, dropout.Step);
                }
            }
            w.WriteEndObject();
            // Per parameter with state, in network order: its slot count; the slots follow the parameters as entries.
            w.WriteStartArray("slots");
            for (int i = 0; i < parameters.Count; i++)
            {
                if (Optimizer.GetSlots(parameters[i]) is { } slots)
                {
                    w.WriteStartObject();
                    w.WriteNumber("parameter", i);
                    w.WriteNumber("count", slots.Length);
                    w.WriteEndObject();
                    for (int k = 0; k < slots.Length; k++)
                    {
                        entries.Add(new WeightsFile.Entry($"optimizer/{parameters[i].Name}/{k}", parameters[i].Value.Shape.ToArray()));
                        values.Add(slots[k]);
                    }
                }
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        WeightsFile.Write(path, ModelConfig.ToJson(this), entries, values, Encoding.UTF8.GetString(stream.ToArray()));
    }

    private static void WriteValue(Utf8JsonWriter w, string key, object? value)
    {
        switch (value)
        {
            case null:
                w.WriteNull(key);
                break;
            case bool b:
                w.WriteBoolean(key, b);
                break;
            case string s:
                w.WriteString(key, s);
                break;
            case IConvertible c:
                w.WriteNumber(key, c.ToDouble(CultureInfo.InvariantCulture));
                break;
            default:
                throw new InvalidOperationException($"Cannot save the value of '{key}' ({value.GetType().Name})");
        }
    }

    private static void WriteLossConfig(Utf8JsonWriter w, Loss loss)
    {
        w.WriteString("name", loss.Name);
        w.WriteString("reduction", loss.Reduction == Reduction.Sum ? "sum" : "sum_over_batch_size");
        w.WriteNumber("epsilon", loss.Epsilon);
        switch (loss)
        {
            case BinaryCrossentropy b:
                w.WriteBoolean("from_logits", b.FromLogits);
                w.WriteBoolean("epsilon_in_log", b.EpsilonInLog);
                break;
            case CategoricalCrossentropy c:
                w.WriteBoolean("from_logits", c.FromLogits);
                break;
            case SparseCategoricalCrossentropy c:
                w.WriteBoolean("from_logits", c.FromLogits);
                break;
        }
    }

    private static Loss ReadLossConfig(JsonElement e)
    {
        string name = e.GetProperty("name").GetString()!;
        Reduction reduction = e.GetProperty("reduction").GetString() switch
        {
            "sum" => Reduction.Sum,
            "sum_over_batch_size" => Reduction.SumOverBatchSize,
            string other => throw new FormatException($"loss reduction '{other}' is not sum or sum_over_batch_size"),
            null => throw new FormatException("loss reduction is null"),
        };
        double epsilon = e.GetProperty("epsilon").GetDouble();
        bool Flag(string key) => e.TryGetProperty(key, out JsonElement v) && v.GetBoolean();
        return name switch
        {
            "mean_squared_error" => new MeanSquaredError(reduction),
            "mean_absolute_error" => new MeanAbsoluteError(reduction),
            "binary_crossentropy" => new BinaryCrossentropy(reduction, epsilon, Flag("from_logits"), Flag("epsilon_in_log")),
            "categorical_crossentropy" => new CategoricalCrossentropy(reduction, epsilon, Flag("from_logits")),
            "sparse_categorical_crossentropy" => new SparseCategoricalCrossentropy(reduction, epsilon, Flag("from_logits")),
            _ => throw new FormatException($"unknown loss '{name}'"),
        };
    }

    /// <summary>Compiles the loaded network as it was saved and restores the optimizer's and Dropout layers' state.</summary>
    private void RestoreTrainingState(string path, WeightsFile.Contents contents)
    {
        try
        {
            using JsonDocument doc = JsonDocument.Parse(contents.StateJson!);
            JsonElement root = doc.RootElement;
            if (root.GetProperty("format").GetString() != TrainingStateFormat)
            {
                throw new FormatException($"format is '{root.GetProperty("format").GetString()}', this build reads '{TrainingStateFormat}'");
            }
            var config = new Dictionary<string, object?>();
            foreach (JsonProperty p in root.GetProperty("optimizer").EnumerateObject())
            {
                config[p.Name] = p.Value.ValueKind switch
                {
                    JsonValueKind.Number => p.Value.GetDouble(),
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    JsonValueKind.String => p.Value.GetString(),
                    JsonValueKind.Null => null,
                    _ => throw new FormatException($"optimizer '{p.Name}' is a {p.Value.ValueKind}"),
                };
            }
            Optimizer optimizer = Optimizer.FromConfig(config);
            Compile(optimizer, ReadLossConfig(root.GetProperty("loss")), [.. root.GetProperty("metrics").EnumerateArray().Select(m => m.GetString()!)]);
            IReadOnlyList<Parameter<T>> parameters = Parameters;
            var slots = new T[parameters.Count][][];
            int entry = parameters.Count;
            foreach (JsonElement s in root.GetProperty("slots").EnumerateArray())
            {
                int i = s.GetProperty("parameter").GetInt32();
                int count = s.GetProperty("count").GetInt32();
                if (i < 0 || i >= parameters.Count || count < 0 || entry + count > contents.Entries.Count || slots[i] is not null)
                {
                    throw new FormatException($"slots entry for parameter {i} ({count} slots) does not fit the {contents.Entries.Count} entries");
                }
                slots[i] = new T[count][];
                for (int k = 0; k < count; k++, entry++)
                {
                    if (!contents.Entries[entry].Shape.AsSpan().SequenceEqual(parameters[i].Value.Shape.Dims))
                    {
                        throw new FormatException($"optimizer slot '{contents.Entries[entry].Name}' has shape ({string.Join(", ", contents.Entries[entry].Shape)}), its parameter '{parameters[i].Name}' {parameters[i].Value.Shape}");
                    }
                    slots[i][k] = contents.Values<T>(entry).ToArray();
                }
            }
            if (entry != contents.Entries.Count)
            {
                throw new FormatException($"{contents.Entries.Count - entry} entries after the optimizer slots");
            }
            optimizer.RestoreState(Backend, root.GetProperty("iterations").GetInt64(), parameters, slots);
            foreach (JsonProperty p in root.GetProperty("dropout_steps").EnumerateObject())
            {
                if (_layers.Find(l => l.Name == p.Name) is not Dropout<T> dropout)
                {
                    throw new FormatException($"dropout_steps names '{p.Name}', which is not a Dropout layer of this network");
                }
                dropout.Step = p.Value.GetUInt64();
            }
            CompletedEpochs = root.GetProperty("completed_epochs").GetInt32();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new ModelFileException(path, ModelFileProblem.Corrupted, $"the training state is not valid: {e.Message}", e);
        }
    }
}
