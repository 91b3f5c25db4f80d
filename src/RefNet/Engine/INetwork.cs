// What callbacks may see of a network, independent of its element type (float or double).
// Mirrors the parts of a Keras model that Keras callbacks use (optimizer, stop_training, weights, save).
using RefNet.Optimizers;

namespace RefNet.Engine;

/// <summary>The element-type-independent view of a <see cref="Network{T}"/> that callbacks use (Keras <c>callback.model</c>).</summary>
public interface INetwork
{
    /// <summary>The compiled optimizer (null before Compile).</summary>
    Optimizer? Optimizer { get; }

    /// <summary>Set to true to end <c>Fit</c> after the current batch (Keras <c>model.stop_training</c>).</summary>
    bool StopTraining { get; set; }

    /// <summary>Copies of every parameter's values in network order, as double (exact for float and double; Keras <c>get_weights</c>).</summary>
    double[][] GetWeights();

    /// <summary>Overwrites every parameter from <paramref name="weights"/> (Keras <c>set_weights</c>); validates all lengths first.</summary>
    /// <exception cref="ArgumentException">Wrong number of arrays or a wrong length; nothing is changed then.</exception>
    void SetWeights(IReadOnlyList<double[]> weights);

    /// <summary>Saves architecture and weights to one file (atomic); with <paramref name="includeOptimizer"/>, also the
    /// training state of a compiled network (optimizer slots, iteration count, dropout steps, completed epochs).</summary>
    void Save(string path, bool includeOptimizer = true);

    /// <summary>Names the first weight holding NaN or ±∞, or null when all are finite (one reduction per weight).</summary>
    string? FirstNonFiniteWeight();

    /// <summary>Complete epochs behind the current weights (<c>Fit</c> sets epoch + 1 after each complete epoch).</summary>
    int CompletedEpochs { get; }

    /// <summary>Why the training state cannot be saved (a custom optimizer or loss class), or null.</summary>
    string? TrainingStateUnsupported { get; }

    /// <summary>Saves the weights only (atomic).</summary>
    void SaveWeights(string path);
}
