// Keras models in: a Keras 2 HDF5 file (model.save or save_weights; read with PureHDF) and the TensorFlow.js layers
// format (model.json + weights.bin). The architecture goes through ModelConfig (the same reader as RefNet's own JSON);
// the weights are matched to RefNet's parameters by layer name and Keras weight name, every shape checked before any
// value is written, so a failed load leaves the network untouched.
//
// Keras 2 HDF5 layout (keras/engine/saving.py, save_weights_to_hdf5_group, keras-team/keras@2.3.1): root attributes
// keras_version, backend and model_config (the model JSON; model.save only); weights under model_weights/ (model.save)
// or the root (save_weights), which holds the attribute layer_names; each layer group holds weight_names
// ("dense_1/kernel:0", …) and one dataset per weight at <layer>/<weight name>, e.g. model_weights/dense_1/dense_1/kernel:0.
// TensorFlow.js (tfjs-layers, io.ModelArtifacts): model.json has modelTopology (the Keras JSON) and weightsManifest
// [{paths: ["weights.bin"], weights: [{name: "dense_Dense1/kernel", shape, dtype: "float32"}]}]; the files hold the
// weights back to back, little-endian, in manifest order.
using System.Numerics;
using System.Text.Json;
using PureHDF;
using RefNet.Backends;
using RefNet.Conventions;
using RefNet.Engine;

namespace RefNet.Serialization;

/// <summary>Loads Keras 2 HDF5 models and TensorFlow.js layers models into RefNet networks.</summary>
public static class KerasImport
{
    /// <summary>A network from a Keras 2 HDF5 file: the architecture from <paramref name="configJson"/> (a model.to_json()
    /// text) or else the file's own model_config attribute, then every weight.</summary>
    /// <exception cref="ModelFileException">Not HDF5, no architecture, a layer or weight missing, a shape that differs, a Theano-backend file.</exception>
    /// <exception cref="ModelConfigException">The architecture cannot be read.</exception>
    public static Network<T> LoadHdf5<T>(string path, string? configJson = null, IBackend<T>? backend = null, KerasProfile? keras = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        using PureHDF.VOL.Native.NativeFile file = OpenHdf5(path);
        return Guarded(path, () =>
        {
            if (configJson is null)
            {
                configJson = StringAttribute(file, "model_config")
                    ?? throw new ModelFileException(path, ModelFileProblem.MissingConfig,
                        "no model_config attribute (a save_weights file): pass the architecture with --config model.json");
            }
            Network<T> network = ModelConfig.FromJson(configJson, backend, keras: keras ?? KerasProfile.FromKerasVersion(StringAttribute(file, "keras_version")));
            LoadHdf5Weights(network, file, path);
            return network;
        });
    }

    /// <summary>Loads the weights of a Keras 2 HDF5 file (model.save or save_weights) into <paramref name="network"/>.</summary>
    /// <exception cref="ModelFileException">See <see cref="LoadHdf5{T}"/>.</exception>
    public static void LoadHdf5Weights<T>(Network<T> network, string path)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        using PureHDF.VOL.Native.NativeFile file = OpenHdf5(path);
        Guarded(path, () =>
        {
            LoadHdf5Weights(network, file, path);
            return 0;
        });
    }

    // PureHDF reads lazily: a damaged file can fail at any later read. Every such failure names the file.
    private static TResult Guarded<TResult>(string path, Func<TResult> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is not (ModelFileException or ModelConfigException or OutOfMemoryException))
        {
            throw new ModelFileException(path, ModelFileProblem.Corrupted, $"HDF5 cannot be read: {e.Message}", e);
        }
    }

    private static void LoadHdf5Weights<T>(Network<T> network, PureHDF.VOL.Native.NativeFile file, string path)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        IH5Group root = file.LinkExists("model_weights") ? file.Group("model_weights") : file;
        string? fileBackend = StringAttribute(root, "backend") ?? StringAttribute(file, "backend");
        if (fileBackend == "theano" && network.Layers.Any(l => l is Layers.Conv2D<T>))
        {
            throw new ModelFileException(path, ModelFileProblem.ArchitectureMismatch,
                "written by Keras' Theano backend, whose convolution kernels are flipped; convert it with a TensorFlow-backend Keras first");
        }
        string[] layerNames = StringArrayAttribute(root, "layer_names")
            ?? throw new ModelFileException(path, ModelFileProblem.MissingConfig, "no layer_names attribute: not a Keras weights file");
        var pending = new List<(Parameter<T> Parameter, double[] Values)>();
        foreach (Layer<T> layer in network.Layers.Where(l => l.Parameters.Count > 0))
        {
            if (!layerNames.Contains(layer.Name) || !root.LinkExists(layer.Name!))
            {
                throw new ModelFileException(path, ModelFileProblem.ArchitectureMismatch,
                    $"layer '{layer.Name}' ({layer.TypeName}) has no weights in the file (its layers: {string.Join(", ", layerNames)})");
            }
            IH5Group group = root.Group(layer.Name!);
            string[] weightNames = StringArrayAttribute(group, "weight_names") ?? [];
            foreach (Parameter<T> p in layer.Parameters)
            {
                string weight = p.Name[(p.Name.LastIndexOf('/') + 1)..];
                string? match = weightNames.FirstOrDefault(w => KerasWeightName(w) == weight);
                if (match is null)
                {
                    throw new ModelFileException(path, ModelFileProblem.ArchitectureMismatch,
                        $"layer '{layer.Name}' has no weight '{weight}' in the file (it has: {string.Join(", ", weightNames)})");
                }
                IH5Dataset dataset = group.Dataset(match);
                int[] shape = [.. dataset.Space.Dimensions.Select(d => checked((int)d))];
                CheckShape(path, layer, weight, shape, p.Value.Shape.ToArray());
                double[] values = dataset.Type.Size == 4 && dataset.Type.Class == H5DataTypeClass.FloatingPoint
                    ? [.. dataset.Read<float[]>().Select(v => (double)v)]
                    : dataset.Type.Class == H5DataTypeClass.FloatingPoint && dataset.Type.Size == 8
                        ? dataset.Read<double[]>()
                        : throw new ModelFileException(path, ModelFileProblem.DtypeMismatch, $"layer '{layer.Name}' weight '{match}' is not float32 or float64 ({dataset.Type.Class}, {dataset.Type.Size} bytes)");
                pending.Add((p, values));
            }
        }
        Assign(pending);
    }

    /// <summary>A network from a TensorFlow.js layers model (model.json and the weight files beside it).</summary>
    /// <exception cref="ModelFileException">Malformed model.json, a weight file missing or of the wrong size, a weight missing or of another shape.</exception>
    /// <exception cref="ModelConfigException">The topology cannot be read.</exception>
    public static Network<T> LoadTfjs<T>(string modelJsonPath, IBackend<T>? backend = null, KerasProfile? keras = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        try
        {
            return LoadTfjsChecked(modelJsonPath, backend, keras);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or OverflowException or FormatException
            && e is not (ModelConfigException or ModelFileException))
        {
            // A manifest field missing or of the wrong JSON type (e.g. no "paths", a shape of strings).
            throw new ModelFileException(modelJsonPath, ModelFileProblem.Corrupted, $"malformed weightsManifest: {e.Message}", e);
        }
    }

    private static Network<T> LoadTfjsChecked<T>(string modelJsonPath, IBackend<T>? backend, KerasProfile? keras)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!File.Exists(modelJsonPath))
        {
            throw new FileNotFoundException($"{modelJsonPath}: no such file", modelJsonPath);
        }
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllText(modelJsonPath), new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            throw new ModelFileException(modelJsonPath, ModelFileProblem.Corrupted, $"not valid JSON: {e.Message}");
        }
        using (doc)
        {
            JsonElement root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("modelTopology", out JsonElement topology)
                || !root.TryGetProperty("weightsManifest", out JsonElement manifest) || manifest.ValueKind != JsonValueKind.Array)
            {
                throw new ModelFileException(modelJsonPath, ModelFileProblem.NotAModelFile, "a TensorFlow.js layers model.json has modelTopology and weightsManifest");
            }
            // tfjs writes {"class_name": "Sequential", "config": …, "keras_version": "tfjs-layers x", "backend": …} or
            // {"model_config": {…}, "keras_version": …} (converted Keras models).
            JsonElement model = topology.TryGetProperty("model_config", out JsonElement inner) ? inner : topology;
            string? version = topology.TryGetProperty("keras_version", out JsonElement v) ? v.GetString() : null;
            Network<T> network = ModelConfig.FromJson(model.GetRawText(), backend, keras: keras ?? KerasProfile.FromKerasVersion(version) ?? KerasProfile.TfJs422);
            string folder = Path.GetDirectoryName(Path.GetFullPath(modelJsonPath))!;
            var weights = new Dictionary<string, (int[] Shape, double[] Values)>();
            foreach (JsonElement group in manifest.EnumerateArray())
            {
                byte[] data = [.. group.GetProperty("paths").EnumerateArray().SelectMany(p =>
                {
                    string file = Path.Combine(folder, p.GetString() ?? "");
                    return File.Exists(file) ? File.ReadAllBytes(file)
                        : throw new ModelFileException(file, ModelFileProblem.Truncated, $"weight file named in {modelJsonPath} is missing");
                })];
                long offset = 0;
                foreach (JsonElement w in group.GetProperty("weights").EnumerateArray())
                {
                    string name = w.GetProperty("name").GetString() ?? "";
                    int[] shape = [.. w.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32())];
                    string dtype = w.TryGetProperty("dtype", out JsonElement dt) ? dt.GetString() ?? "float32" : "float32";
                    if (dtype != "float32")
                    {
                        throw new ModelFileException(modelJsonPath, ModelFileProblem.DtypeMismatch, $"weight '{name}' is {dtype}; RefNet reads float32 weights");
                    }
                    if (shape.Any(d => d < 0))
                    {
                        throw new ModelFileException(modelJsonPath, ModelFileProblem.Corrupted, $"weight '{name}' has a negative dimension in {Conformance.Npy.ShapeText(shape)}");
                    }
                    long count = shape.Aggregate(1L, (a, d) => a * d);
                    if (count > data.Length || offset + (4 * count) > data.Length)
                    {
                        throw new ModelFileException(modelJsonPath, ModelFileProblem.Truncated,
                            $"weight '{name}' {Conformance.Npy.ShapeText(shape)} needs bytes {offset}–{offset + (4 * count)} but the weight files hold {data.Length}");
                    }
                    var values = new double[count];
                    for (int i = 0; i < count; i++)
                    {
                        values[i] = BitConverter.ToSingle(data, (int)(offset + (4L * i)));
                    }
                    offset += 4 * count;
                    weights[name] = (shape, values);
                }
                if (offset != data.Length)
                {
                    throw new ModelFileException(modelJsonPath, ModelFileProblem.Corrupted, $"the weight files hold {data.Length} bytes but the manifest describes {offset}");
                }
            }
            var pending = new List<(Parameter<T>, double[])>();
            foreach (Layer<T> layer in network.Layers)
            {
                foreach (Parameter<T> p in layer.Parameters)
                {
                    string weight = p.Name[(p.Name.LastIndexOf('/') + 1)..];
                    string key = $"{layer.Name}/{weight}";
                    if (!weights.TryGetValue(key, out (int[] Shape, double[] Values) w))
                    {
                        throw new ModelFileException(modelJsonPath, ModelFileProblem.ArchitectureMismatch,
                            $"no weight '{key}' in the manifest (it has: {string.Join(", ", weights.Keys)})");
                    }
                    CheckShape(modelJsonPath, layer, weight, w.Shape, p.Value.Shape.ToArray());
                    pending.Add((p, w.Values));
                }
            }
            Assign(pending);
            return network;
        }
    }

    /// <summary>"dense_1/kernel:0" → "kernel"; "lstm_1/recurrent_kernel:0" → "recurrent_kernel".</summary>
    public static string KerasWeightName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string last = name[(name.LastIndexOf('/') + 1)..];
        int colon = last.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? last : last[..colon];
    }

    private static void CheckShape<T>(string path, Layer<T> layer, string weight, int[] fileShape, int[] shape)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!fileShape.SequenceEqual(shape))
        {
            throw new ModelFileException(path, ModelFileProblem.ArchitectureMismatch,
                $"layer '{layer.Name}' weight '{weight}': the file has shape {Conformance.Npy.ShapeText(fileShape)}, the layer needs {Conformance.Npy.ShapeText(shape)}");
        }
    }

    private static void Assign<T>(List<(Parameter<T> Parameter, double[] Values)> pending)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach ((Parameter<T> p, double[] values) in pending)
        {
            T[] host = [.. values.Select(T.CreateChecked)];
            p.Value.Storage.CopyFrom(host);
        }
    }

    private static PureHDF.VOL.Native.NativeFile OpenHdf5(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such file", path);
        }
        byte[] signature = new byte[8];
        using (FileStream s = File.OpenRead(path))
        {
            if (s.Read(signature, 0, 8) != 8 || !signature.AsSpan().SequenceEqual((byte[])[0x89, (byte)'H', (byte)'D', (byte)'F', 0x0D, 0x0A, 0x1A, 0x0A]))
            {
                throw new ModelFileException(path, ModelFileProblem.NotAModelFile, "not an HDF5 file (Keras 2 .h5 files start with \\x89HDF)");
            }
        }
        try
        {
            return H5File.OpenRead(path);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ModelFileException(path, ModelFileProblem.Corrupted, $"HDF5 cannot be read: {e.Message}", e);
        }
    }

    private static string? StringAttribute(IH5Object obj, string name)
    {
        if (!obj.AttributeExists(name))
        {
            return null;
        }
        IH5Attribute a = obj.Attribute(name);
        return a.Space.Dimensions.Length == 0 ? a.Read<string>() : a.Read<string[]>().FirstOrDefault();
    }

    private static string[]? StringArrayAttribute(IH5Object obj, string name)
    {
        if (!obj.AttributeExists(name))
        {
            return null;
        }
        IH5Attribute a = obj.Attribute(name);
        return a.Space.Dimensions.Length == 0 ? [a.Read<string>()] : a.Read<string[]>();
    }
}
