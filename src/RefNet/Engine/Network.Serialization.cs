// Saving and loading a Network: weights (SaveWeights/LoadWeights), whole models (Save/Load), Keras get/set_weights.
// Files are written atomically and validated completely before any weight is changed.
using System.Runtime.InteropServices;
using RefNet.Backends;
using RefNet.Serialization;
using RefNet.Tensors;

namespace RefNet.Engine;

public partial class Network<T>
{
    /// <summary>Copies of every parameter's values (network order, trainable and frozen) as double (Keras <c>get_weights</c>).</summary>
    /// <remarks>float → double → float is exact, so <see cref="SetWeights(IReadOnlyList{double[]})"/> restores float weights bitwise.</remarks>
    public double[][] GetWeights()
    {
        var result = new List<double[]>();
        foreach (Parameter<T> p in Parameters)
        {
            T[] values = p.Value.ToArray();
            var d = new double[values.Length];
            for (int i = 0; i < d.Length; i++)
            {
                d[i] = double.CreateChecked(values[i]);
            }
            result.Add(d);
        }
        return result.ToArray();
    }

    /// <summary>Overwrites every parameter from flat row-major values (Keras <c>set_weights</c>); all lengths are checked before
    /// anything is written. Flat arrays carry no shape: use the <see cref="SetWeights(IReadOnlyList{Tensor{T}})"/> overload to
    /// have every shape checked too (a transposed kernel has the right length).</summary>
    /// <exception cref="ArgumentException">Wrong number of arrays or a wrong length.</exception>
    public void SetWeights(IReadOnlyList<double[]> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        List<Parameter<T>> parameters = [.. Parameters];
        if (weights.Count != parameters.Count)
        {
            throw new ArgumentException($"The network has {parameters.Count} weight tensors, got {weights.Count}", nameof(weights));
        }
        for (int i = 0; i < parameters.Count; i++)
        {
            if (weights[i] is null || weights[i].Length != parameters[i].Count)
            {
                throw new ArgumentException($"Weight {i} ('{parameters[i].Name}', shape {parameters[i].Value.Shape}) needs {parameters[i].Count} values, got {weights[i]?.Length ?? 0}", nameof(weights));
            }
        }
        for (int i = 0; i < parameters.Count; i++)
        {
            var host = new T[weights[i].Length];
            for (int j = 0; j < host.Length; j++)
            {
                host[j] = T.CreateChecked(weights[i][j]);
            }
            Backend.CopyFromHost(host, parameters[i].Value);
        }
    }

    /// <summary>Overwrites every parameter from tensors with their shapes (Keras <c>set_weights</c> with arrays): every
    /// count and every shape is checked first, so a transposed kernel is refused naming the layer, the weight and both
    /// shapes, and nothing changes then.</summary>
    /// <exception cref="ArgumentException">Wrong number of tensors.</exception>
    /// <exception cref="ShapeMismatchException">A tensor's shape is not its parameter's.</exception>
    public void SetWeights(IReadOnlyList<Tensor<T>> weights)
    {
        IReadOnlyList<Parameter<T>> parameters = Parameters;
        Layer<T>.SetWeightsChecked(Backend, parameters, weights, $"The network has {parameters.Count} weight tensors",
            i => $"weight {i} ('{parameters[i].Name}')");
    }

    /// <summary>Saves the architecture (<see cref="ModelConfig.ToJson{T}"/>) and every parameter to one binary file (atomic);
    /// a compiled network also saves its training state unless <paramref name="includeOptimizer"/> is false.</summary>
    /// <param name="path">Destination file; replaced if it exists.</param>
    /// <param name="includeOptimizer">Keras <c>include_optimizer</c> (default true): the optimizer's config, iteration count
    /// and state tensors, the loss and metrics, each layer's own state (Dropout's mask step, BatchNormalization's zero-debias
    /// shadows), which parameters are frozen, and <see cref="CompletedEpochs"/>, so that
    /// <see cref="Load"/> returns a compiled network whose <c>Fit(…, initialEpoch: CompletedEpochs)</c> continues bitwise
    /// as the uninterrupted run would (see <see cref="Fit"/>). Uncompiled networks, or false: architecture and weights only
    /// (format version 1, as before).</param>
    /// <exception cref="NotSupportedException">The training state of a custom optimizer or loss class cannot be saved
    /// (<see cref="TrainingStateUnsupported"/>); pass <paramref name="includeOptimizer"/> false.</exception>
    public void Save(string path, bool includeOptimizer = true)
    {
        if (includeOptimizer && Optimizer is not null && Loss is not null)
        {
            if (TrainingStateUnsupported is { } why)
            {
                throw new NotSupportedException($"Cannot save the training state to {path}: {why}; pass includeOptimizer: false to save the model without it");
            }
            WriteFileWithState(path);
        }
        else
        {
            WriteFile(path, ModelConfig.ToJson(this));
        }
    }

    /// <summary>Rebuilds a network saved by <see cref="Save"/>: architecture from the embedded JSON, then the weights.</summary>
    /// <param name="path">File written by <see cref="Save"/>.</param>
    /// <param name="backend">Backend for the new network (CPU when null).</param>
    /// <returns>The network with the saved weights: compiled, with its optimizer state, when the file has a training state
    /// (<see cref="Save"/> of a compiled network), else uncompiled.</returns>
    /// <exception cref="ModelFileException">The file is truncated or corrupted, holds another dtype than <typeparamref name="T"/>,
    /// has no architecture (written by <see cref="SaveWeights"/>), or its architecture and weights disagree.</exception>
    public static Network<T> Load(string path, IBackend<T>? backend = null)
    {
        WeightsFile.Contents contents = WeightsFile.Read(path);
        int size = Marshal.SizeOf<T>();
        if (contents.ElementSize != size)
        {
            throw new ModelFileException(path, ModelFileProblem.DtypeMismatch,
                $"file holds {DtypeName(contents.ElementSize)}, requested Network<{typeof(T).Name}> ({DtypeName(size)})");
        }
        if (contents.ConfigJson is null)
        {
            throw new ModelFileException(path, ModelFileProblem.MissingConfig,
                "it holds weights only (SaveWeights); build the network in code and call LoadWeights");
        }
        Network<T> network;
        try
        {
            network = ModelConfig.FromJson(contents.ConfigJson, backend);
        }
        catch (ModelConfigException e)
        {
            throw new ModelFileException(path, ModelFileProblem.Corrupted, $"the embedded model config is invalid: {e.Message}", e);
        }
        network.LoadWeights(path, contents);
        if (contents.StateJson is not null)
        {
            network.RestoreTrainingState(path, contents);
        }
        return network;
    }

    /// <summary>Saves every parameter to a binary weights file (atomic; see <see cref="WeightsFile"/>).</summary>
    /// <param name="path">Destination file; replaced if it exists.</param>
    public void SaveWeights(string path) => WriteFile(path, configJson: null);

    /// <summary>Loads weights saved by <see cref="SaveWeights"/> or <see cref="Save"/> into this network.</summary>
    /// <exception cref="ModelFileException">The file is missing pieces, corrupted, of another dtype or of another architecture;
    /// the network is unchanged then.</exception>
    public void LoadWeights(string path)
    {
        WeightsFile.Contents contents = WeightsFile.Read(path);
        LoadWeights(path, contents);
    }

    /// <summary>Checks dtype and every shape first, then copies the values in.</summary>
    private void LoadWeights(string path, WeightsFile.Contents contents)
    {
        int size = Marshal.SizeOf<T>();
        if (contents.ElementSize != size)
        {
            throw new ModelFileException(path, ModelFileProblem.DtypeMismatch,
                $"file holds {DtypeName(contents.ElementSize)}, network is {DtypeName(size)} (Network<{typeof(T).Name}>)");
        }
        List<Parameter<T>> parameters = [.. Parameters];
        if (ParameterEntries(path, contents) != parameters.Count)
        {
            throw new ModelFileException(path, ModelFileProblem.ArchitectureMismatch,
                $"file has {ParameterEntries(path, contents)} weight tensors, network has {parameters.Count}");
        }
        for (int i = 0; i < parameters.Count; i++)
        {
            int[] fileShape = contents.Entries[i].Shape;
            if (!fileShape.AsSpan().SequenceEqual(parameters[i].Value.Shape.Dims))
            {
                throw new ModelFileException(path, ModelFileProblem.ArchitectureMismatch,
                    $"weight {i} is '{contents.Entries[i].Name}' ({string.Join(", ", fileShape)}) in the file but '{parameters[i].Name}' {parameters[i].Value.Shape} in the network");
            }
        }
        for (int i = 0; i < parameters.Count; i++)
        {
            Backend.CopyFromHost(contents.Values<T>(i), parameters[i].Value);
        }
    }

    private void WriteFile(string path, string? configJson)
    {
        var entries = new List<WeightsFile.Entry>();
        var values = new List<T[]>();
        foreach (Parameter<T> p in Parameters)
        {
            entries.Add(new WeightsFile.Entry(p.Name, p.Value.Shape.ToArray()));
            values.Add(p.Value.ToArray());
        }
        WeightsFile.Write(path, configJson, entries, values);
    }

    private static string DtypeName(int size) => size switch
    {
        4 => "float32",
        8 => "float64",
        _ => $"{size}-byte elements",
    };
}
