// The closed sets of elementwise activations, losses and accuracy rules that backends implement.
// Each backend implements every member; the CPU backend is the specification.
namespace RefNet.Backends;

/// <summary>Activation functions a backend computes (Keras names in brackets).</summary>
public enum ActivationKind
{
    /// <summary>f(z) = z ("linear").</summary>
    Linear,

    /// <summary>f(z) = max(z, 0) ("relu"); f'(0) = 0 as in TensorFlow and PyTorch.</summary>
    Relu,

    /// <summary>f(z) = 1 / (1 + e^-z) ("sigmoid").</summary>
    Sigmoid,

    /// <summary>f(z) = tanh(z) ("tanh").</summary>
    Tanh,

    /// <summary>Row-wise softmax, shifted by the row maximum ("softmax").</summary>
    Softmax,
}

/// <summary>Per-sample losses a backend computes (Keras 2 semantics, epsilon 1e-7).</summary>
public enum LossKind
{
    /// <summary>mean over the last axis of (ŷ − y)² ("mean_squared_error", "mse").</summary>
    MeanSquaredError,

    /// <summary>mean over the last axis of −[y ln p + (1−y) ln(1−p)], p clipped to [ε, 1−ε] ("binary_crossentropy").</summary>
    BinaryCrossentropy,

    /// <summary>−Σ y ln p with rows renormalised to sum 1 and p clipped to [ε, 1−ε] ("categorical_crossentropy").</summary>
    CategoricalCrossentropy,

    /// <summary>mean over the last axis of |ŷ − y| ("mean_absolute_error", "mae"); sign(0) = 0.</summary>
    MeanAbsoluteError,
}

/// <summary>How predictions are compared with targets when counting correct samples.</summary>
public enum AccuracyKind
{
    /// <summary>argmax(ŷ) == argmax(y) per row (Keras categorical_accuracy; first maximum wins ties).</summary>
    Categorical,

    /// <summary>round(ŷ) == y per element, i.e. ŷ &gt; 0.5 (Keras binary_accuracy); counts elements.</summary>
    Binary,
}
