// The training state a saved model carries so that training resumes exactly: the optimizer (config, iteration count,
// state tensors per parameter), the loss and metrics, each layer's own state (Dropout's mask step, BatchNormalization's
// zero-debias shadows), which parameters are frozen, and the completed epochs.
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

    /// <summary>The number of complete epochs behind the current weights: <see cref="Fit"/> sets it to epoch + 1 after each
    /// complete epoch (epochs counted from 0 across resumes, as <c>initialEpoch</c>); saved with the training state, so pass
    /// it as <c>initialEpoch</c> to resume a loaded checkpoint.</summary>
    public int CompletedEpochs { get; set; }

    /// <summary>Why the compiled optimizer or loss cannot go into a saved training state (a class of the caller's, which
    /// <see cref="Load"/> could not rebuild), or null when it can (or the network is not compiled).</summary>
    public string? TrainingStateUnsupported =>
        Optimizer is not (null or Sgd or RmsProp or Adam or AdaGrad or Adadelta or Adamax or Nadam) ? $"the optimizer is a custom class ({Optimizer.GetType().Name})"
        : Loss is not (null or MeanSquaredError or MeanAbsoluteError or BinaryCrossentropy or CategoricalCrossentropy or SparseCategoricalCrossentropy)
            ? $"the loss is a custom class ({Loss.GetType().Name})"
            : null;

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
            w.WriteStartArray("frozen");
            for (int i = 0; i < parameters.Count; i++)
            {
                if (!parameters[i].Trainable)
                {
                    w.WriteNumberValue(i);
                }
            }
            w.WriteEndArray();
            // Each layer's own state: counters inline, tensors as entries after the optimizer slots (written below).
            var layerTensors = new List<(string Name, T[] Values)>();
            w.WriteStartObject("layer_states");
            foreach (Layer<T> layer in _layers)
            {
                if (layer.GetTrainingState() is not { } state)
                {
                    continue;
                }
                w.WriteStartObject(layer.Name!);
                w.WriteStartObject("counters");
                foreach ((string key, ulong value) in state.Counters)
                {
                    w.WriteNumber(key, value);
                }
                w.WriteEndObject();
                w.WriteStartArray("tensors");
                foreach ((string key, T[] data) in state.Tensors)
                {
                    w.WriteStringValue(key);
                    layerTensors.Add(($"layer/{layer.Name}/{key}", data));
                }
                w.WriteEndArray();
                w.WriteEndObject();
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
            foreach ((string name, T[] data) in layerTensors)
            {
                entries.Add(new WeightsFile.Entry(name, [data.Length]));
                values.Add(data);
            }
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
            using JsonDocument doc = JsonDocument.Parse(contents.StateJson!, new JsonDocumentOptions { AllowDuplicateProperties = false });
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
                if (i < 0 || i >= parameters.Count || count < 0 || count > contents.Entries.Count - entry || slots[i] is not null)
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
            optimizer.RestoreState(Backend, root.GetProperty("iterations").GetInt64(), parameters, slots);
            foreach (JsonElement f in root.GetProperty("frozen").EnumerateArray())
            {
                int i = f.GetInt32();
                parameters[i >= 0 && i < parameters.Count ? i : throw new FormatException($"frozen names parameter {i} of {parameters.Count}")].Trainable = false;
            }
            foreach (JsonProperty p in root.GetProperty("layer_states").EnumerateObject())
            {
                Layer<T> layer = _layers.Find(l => l.Name == p.Name) ?? throw new FormatException($"layer_states names '{p.Name}', which is not a layer of this network");
                var counters = new Dictionary<string, ulong>();
                foreach (JsonProperty c in p.Value.GetProperty("counters").EnumerateObject())
                {
                    counters[c.Name] = c.Value.GetUInt64();
                }
                var tensors = new Dictionary<string, T[]>();
                foreach (JsonElement t in p.Value.GetProperty("tensors").EnumerateArray())
                {
                    string name = t.GetString()!;
                    if (entry >= contents.Entries.Count || contents.Entries[entry].Name != $"layer/{p.Name}/{name}" || contents.Entries[entry].Shape.Length != 1)
                    {
                        throw new FormatException($"layer state tensor '{p.Name}/{name}' is not the next entry of the file");
                    }
                    tensors[name] = contents.Values<T>(entry++).ToArray();
                }
                layer.RestoreTrainingState(new LayerState<T>(counters, tensors));
            }
            if (entry != contents.Entries.Count)
            {
                throw new FormatException($"{contents.Entries.Count - entry} entries after the optimizer and layer states");
            }
            int completed = root.GetProperty("completed_epochs").GetInt32();
            CompletedEpochs = completed >= 0 ? completed : throw new FormatException($"completed_epochs is {completed}");
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            string message = e is ArgumentException { ParamName: { } p } ? e.Message.Replace($" (Parameter '{p}')", "", StringComparison.Ordinal) : e.Message;
            throw new ModelFileException(path, ModelFileProblem.Corrupted, $"the training state is not valid: {message}", e);
        }
    }
}
