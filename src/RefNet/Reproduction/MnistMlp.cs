// Keras' examples/mnist_mlp.py in RefNet: the model, its training settings, and the acceptance band of
// keras-golden.md §8.2 (the project's research dossier) around the two published 20-epoch Keras runs.
using RefNet.Activations;
using System.Numerics;
using RefNet.Backends;
using RefNet.Conventions;
using RefNet.Engine;
using RefNet.Layers;
using RefNet.Losses;
using RefNet.Optimizers;

namespace RefNet.Reproduction;

/// <summary>The Keras mnist_mlp example: 784-512-512-10, ReLU, Dropout 0.2, softmax, RMSprop, batch 128, 20 epochs.</summary>
/// <remarks>
/// Keras (examples/mnist_mlp.py, Keras 2):
/// <code>
/// model = Sequential([Dense(512, activation='relu', input_shape=(784,)), Dropout(0.2),
///                     Dense(512, activation='relu'), Dropout(0.2), Dense(10, activation='softmax')])
/// model.compile(loss='categorical_crossentropy', optimizer=RMSprop(), metrics=['accuracy'])
/// model.fit(x_train, y_train, batch_size=128, epochs=20, validation_data=(x_test, y_test))
/// </code>
/// Keras' script is unseeded; here every random choice (Glorot init, dropout masks, shuffling) follows the seed.
/// <para>RMSprop's ε is Keras 2.0.x's default, 1e-8 (keras/optimizers.py @ 2.0.8; K.epsilon() = 1e-7 only from 2.1.3), the
/// version of the published 2017 runs, as <see cref="MnistCnn"/> uses Keras 2.0.x's Adadelta ε. With 1e-7 (RefNet's
/// RmsProp default, Keras 2.1.3+) the validation loss stays lower than both published runs and left the band at epoch 16
/// (0.0893 &lt; 0.0896, seed 1, AMD EPYC, OpenBLAS Zen kernel).</para>
/// </remarks>
public static class MnistMlp
{
    /// <summary>Samples per gradient step in the Keras script.</summary>
    public const int BatchSize = 128;

    /// <summary>Epochs in the Keras script.</summary>
    public const int Epochs = 20;

    /// <summary>Batch size of Keras' <c>model.evaluate</c> default.</summary>
    public const int EvaluateBatchSize = 32;

    /// <summary>Training samples in MNIST; runs on fewer are not judged.</summary>
    public const int TrainingSamples = 60000;

    /// <summary>Keras 2.0.8: the published runs are Keras 2.0.x logs, whose conventions (RMSprop ε 1e-8 among them) did
    /// not change within the series.</summary>
    public static KerasProfile Keras => KerasProfile.Keras208;

    /// <summary>Builds and compiles the model (float32, like Keras).</summary>
    /// <param name="seed">Seed of initialisation and dropout masks (layer i gets seed + i).</param>
    /// <param name="backend">Where it runs (the default CPU backend when null), e.g. an ILGPU backend.</param>
    public static Sequential<float> Build(int seed, IBackend<float>? backend = null) => Build<float>(seed, backend);

    /// <summary>Builds and compiles the model in either precision (benchmarks use float64 too).</summary>
    /// <param name="seed">Seed of initialisation and dropout masks (layer i gets seed + i).</param>
    /// <param name="backend">Where it runs (the default CPU backend when null).</param>
    /// <param name="keras">The Keras profile (<see cref="Keras"/>, the published runs' version, when null).</param>
    public static Sequential<T> Build<T>(int seed, IBackend<T>? backend, KerasProfile? keras = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var model = new Sequential<T>(backend, seed: seed, keras: keras ?? Keras);
        model.Add(new Dense<T>(512, ActivationFunction.Relu, inputDim: 784));
        model.Add(new Dropout<T>(0.2));
        model.Add(new Dense<T>(512, ActivationFunction.Relu));
        model.Add(new Dropout<T>(0.2));
        model.Add(new Dense<T>(10, ActivationFunction.Softmax));
        model.Compile(new RmsProp(), new CategoricalCrossentropy(), ["accuracy"]);
        return model;
    }

    /// <summary>The published curves and band (golden/published/mnist_mlp_keras.json).</summary>
    public static PublishedCurves Published => PublishedCurves.Load("mnist_mlp_keras");

    /// <summary>Judges a run against the §8.2 band around the per-epoch mean of the published runs.</summary>
    /// <param name="history">RefNet's per-epoch values ("loss", "acc", "val_loss", "val_acc"); only these epochs are judged.</param>
    /// <param name="testAccuracy">Accuracy of evaluate(x_test, y_test) after training, or null.</param>
    /// <param name="trainingSamples">Number of training samples used; fewer than 60 000 means the run is not judged.</param>
    /// <param name="golden">The golden file (the embedded one when null).</param>
    /// <param name="bandScale">Multiplies every half-width: 1 for a single run, 0.5 for the mean curve of K ≥ 5 seeds (§8.2).</param>
    public static CurveVerdict Judge(IReadOnlyDictionary<string, IReadOnlyList<double>> history, double? testAccuracy,
        int trainingSamples = TrainingSamples, PublishedCurves? golden = null, double bandScale = 1.0) =>
        CurveBand.Judge(golden ?? Published, Epochs, TrainingSamples, history, testAccuracy, trainingSamples, bandScale);

    /// <summary>Per-epoch mean of several runs' curves (runs may differ in length; the mean covers the shortest).</summary>
    /// <param name="runs">One curve per seed.</param>
    public static Dictionary<string, IReadOnlyList<double>> MeanCurve(IReadOnlyList<IReadOnlyDictionary<string, IReadOnlyList<double>>> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var mean = new Dictionary<string, IReadOnlyList<double>>();
        if (runs.Count == 0)
        {
            return mean;
        }
        foreach (string metric in runs[0].Keys.Where(k => runs.All(r => r.ContainsKey(k))))
        {
            int epochs = runs.Min(r => r[metric].Count);
            mean[metric] = Enumerable.Range(0, epochs).Select(e => runs.Average(r => r[metric][e])).ToArray();
        }
        return mean;
    }

    /// <summary>Centre and half-width of the accepted interval of a metric at a 1-based epoch (§8.2).</summary>
    public static (double Center, double HalfWidth) Interval(PublishedCurves golden, string metric, int epoch) =>
        CurveBand.Interval(golden, metric, epoch);
}
