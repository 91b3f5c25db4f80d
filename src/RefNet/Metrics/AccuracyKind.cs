// How accuracy compares predictions with targets (Keras' rule picks binary or categorical).
// The counting itself is in Metrics/Accuracy.cs.
namespace RefNet.Metrics;

/// <summary>How predictions are compared with targets when counting correct samples.</summary>
public enum AccuracyKind
{
    /// <summary>argmax(ŷ) == argmax(y) per row (Keras categorical_accuracy; first maximum wins ties).</summary>
    Categorical,

    /// <summary>round(ŷ) == y per element, i.e. ŷ &gt; 0.5 (Keras binary_accuracy); counts elements.</summary>
    Binary,

    /// <summary>argmax(ŷ) == y per row, y a class index (Keras sparse_categorical_accuracy, chosen with
    /// sparse_categorical_crossentropy).</summary>
    SparseCategorical,
}
