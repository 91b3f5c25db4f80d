// The TensorFlow "Basic classification" tutorial model on Fashion-MNIST, and its acceptance band (§3.1, §8.2).
// Softmax + categorical cross-entropy here; the tutorial's logits + from_logits loss is the same function.
using RefNet.Activations;
using RefNet.Backends;
using RefNet.Conventions;
using RefNet.Engine;
using RefNet.Layers;
using RefNet.Losses;
using RefNet.Optimizers;

namespace RefNet.Reproduction;

/// <summary>Flatten(28×28) → Dense(128, relu) → Dense(10); Adam defaults, batch 32, 10 epochs.</summary>
/// <remarks>
/// The tutorial ends in <c>Dense(10)</c> logits with <c>SparseCategoricalCrossentropy(from_logits=True)</c>. RefNet uses
/// <c>Dense(10, softmax)</c> with <see cref="CategoricalCrossentropy"/> on one-hot labels: −log softmax(z)[label] either
/// way. Flatten is implicit because the loader already returns rows of 784 pixels.
/// </remarks>
public static class FashionMnistMlp
{
    /// <summary>Keras' default batch size, used by the tutorial.</summary>
    public const int BatchSize = 32;

    /// <summary>Epochs in the tutorial.</summary>
    public const int Epochs = 10;

    /// <summary>tf.keras 2.15: the tutorial's logs come from tf.keras (TF 1.12 and TF 2.x), which reads the cross-entropy
    /// after a softmax from its logits.</summary>
    public static KerasProfile Keras => KerasProfile.TfKeras215;

    /// <summary>Builds and compiles the model (float32).</summary>
    /// <param name="seed">Seed of the initialisation.</param>
    /// <param name="backend">Where it runs (the default CPU backend when null), e.g. an ILGPU backend.</param>
    /// <param name="keras">The Keras profile (<see cref="Keras"/> when null).</param>
    public static Sequential<float> Build(int seed, IBackend<float>? backend = null, KerasProfile? keras = null)
    {
        var model = new Sequential<float>(backend, seed: seed, keras: keras ?? Keras);
        model.Add(new Dense<float>(128, ActivationFunction.Relu, inputDim: 784));
        model.Add(new Dense<float>(10, ActivationFunction.Softmax));
        model.Compile(new Adam(), new CategoricalCrossentropy(), ["accuracy"]);
        return model;
    }

    /// <summary>The published logs and band (golden/published/fashion_mnist_tf_tutorial.json).</summary>
    public static PublishedCurves Published => PublishedCurves.Load("fashion_mnist_tf_tutorial");

    /// <summary>Judges a run: train accuracy after 10 epochs in 0.91 ± 0.01 and test accuracy in [0.875, 0.89].</summary>
    /// <param name="history">RefNet's per-epoch values ("acc" is used).</param>
    /// <param name="testAccuracy">Accuracy on the 10 000 test images after training.</param>
    /// <param name="trainingSamples">Training samples used; fewer than 60 000 means the run is not judged.</param>
    public static CurveVerdict Judge(IReadOnlyDictionary<string, IReadOnlyList<double>> history, double testAccuracy, int trainingSamples = 60000)
    {
        ArgumentNullException.ThrowIfNull(history);
        PublishedCurves golden = Published;
        int epochs = history["acc"].Count;
        var checks = new List<CurveCheck>();
        if (epochs >= Epochs)
        {
            double center = golden.Band("train_acc_final", "center");
            double half = golden.Band("train_acc_final", "half_width");
            checks.Add(new CurveCheck("acc", Epochs, history["acc"][Epochs - 1], center, center - half, center + half));
            double lo = golden.Band("test_accuracy", "min");
            double hi = golden.Band("test_accuracy", "max");
            checks.Add(new CurveCheck("test_acc", 0, testAccuracy, (lo + hi) / 2, lo, hi));
        }
        string? reason = trainingSamples < 60000
            ? $"trained on {trainingSamples} of the 60000 training samples (--limit)"
            : epochs < Epochs ? $"ran {epochs} of the tutorial's {Epochs} epochs; the band applies after epoch {Epochs}" : null;
        return new CurveVerdict(checks, reason);
    }
}
