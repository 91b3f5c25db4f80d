// Keras' examples/mnist_cnn.py in RefNet: the model and its training settings (Keras 2.0.x).
// The published 12-epoch CPU log and its acceptance band are golden/published/mnist_cnn_keras.json.
using System.Numerics;
using RefNet.Activations;
using RefNet.Backends;
using RefNet.Conventions;
using RefNet.Engine;
using RefNet.Layers;
using RefNet.Losses;
using RefNet.Optimizers;
using RefNet.Tensors;

namespace RefNet.Reproduction;

/// <summary>The Keras mnist_cnn example: two 3 × 3 convolutions, 2 × 2 max pooling, dropout, Dense 128, softmax; Adadelta.</summary>
/// <remarks>
/// Keras (examples/mnist_cnn.py, Keras 2):
/// <code>
/// model = Sequential()
/// model.add(Conv2D(32, kernel_size=(3, 3), activation='relu', input_shape=(28, 28, 1)))
/// model.add(Conv2D(64, (3, 3), activation='relu'))
/// model.add(MaxPooling2D(pool_size=(2, 2)))
/// model.add(Dropout(0.25))
/// model.add(Flatten())
/// model.add(Dense(128, activation='relu'))
/// model.add(Dropout(0.5))
/// model.add(Dense(10, activation='softmax'))
/// model.compile(loss=keras.losses.categorical_crossentropy, optimizer=keras.optimizers.Adadelta(), metrics=['accuracy'])
/// model.fit(x_train, y_train, batch_size=128, epochs=12, verbose=1, validation_data=(x_test, y_test))
/// </code>
/// Keras 2.0.x's Adadelta defaults are lr 1.0, ρ 0.95, ε 1e-8 (keras/optimizers.py @ 2.0.8), which the published
/// CPU log ran with; every random choice here follows the seed.
/// </remarks>
public static class MnistCnn
{
    /// <summary>Samples per gradient step in the Keras script.</summary>
    public const int BatchSize = 128;

    /// <summary>Epochs in the Keras script.</summary>
    public const int Epochs = 12;

    /// <summary>Training samples in MNIST; runs on fewer are not judged.</summary>
    public const int TrainingSamples = 60000;

    /// <summary>The published curve and band (golden/published/mnist_cnn_keras.json).</summary>
    public static PublishedCurves Published => PublishedCurves.Load("mnist_cnn_keras");

    /// <summary>Judges a run against the band around the published 12-epoch log.</summary>
    /// <param name="history">RefNet's per-epoch values; only these epochs are judged.</param>
    /// <param name="testAccuracy">Accuracy of evaluate(x_test, y_test) after training, or null.</param>
    /// <param name="trainingSamples">Training samples used; fewer than 60 000 means the run is not judged.</param>
    public static CurveVerdict Judge(IReadOnlyDictionary<string, IReadOnlyList<double>> history, double? testAccuracy, int trainingSamples = TrainingSamples) =>
        CurveBand.Judge(Published, Epochs, TrainingSamples, history, testAccuracy, trainingSamples);

    /// <summary>Keras 2.0.8: the published log is a Keras 2.0.x run (Adadelta ε 1e-8, lr 1.0).</summary>
    public static KerasProfile Keras => KerasProfile.Keras208;

    /// <summary>Builds and compiles the model (float32, like Keras).</summary>
    /// <param name="seed">Seed of initialisation and dropout masks.</param>
    /// <param name="backend">Where it runs (the default CPU backend when null).</param>
    public static Sequential<float> Build(int seed, IBackend<float>? backend = null) => Build<float>(seed, backend);

    /// <summary>Builds and compiles the model in either precision.</summary>
    /// <param name="seed">Seed of initialisation and dropout masks.</param>
    /// <param name="backend">Where it runs (the default CPU backend when null).</param>
    /// <param name="keras">The Keras profile (<see cref="Keras"/>, the published run's version, when null).</param>
    public static Sequential<T> Build<T>(int seed, IBackend<T>? backend, KerasProfile? keras = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var model = new Sequential<T>(backend, seed: seed, keras: keras ?? Keras);
        model.Add(new Conv2D<T>(32, (3, 3), activation: ActivationFunction.Relu, inputShape: new Shape(28, 28, 1)));
        model.Add(new Conv2D<T>(64, (3, 3), activation: ActivationFunction.Relu));
        model.Add(new MaxPooling2D<T>((2, 2)));
        model.Add(new Dropout<T>(0.25));
        model.Add(new Flatten<T>());
        model.Add(new Dense<T>(128, ActivationFunction.Relu));
        model.Add(new Dropout<T>(0.5));
        model.Add(new Dense<T>(10, ActivationFunction.Softmax));
        model.Compile(new Adadelta(), new CategoricalCrossentropy(), ["accuracy"]);
        return model;
    }
}
