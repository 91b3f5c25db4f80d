// Activation names (Keras strings) mapped to the backend's ActivationKind.
// One small FromName/ToName lookup, so constructors take the enum (style G3); favours clarity over speed.
using RefNet.Backends;

namespace RefNet.Activations;

/// <summary>Keras activation names ↔ <see cref="ActivationKind"/>.</summary>
public static class Activations
{
    /// <summary>Parses "linear", "relu", "sigmoid", "tanh" or "softmax" (case-insensitive; null or "" is linear).</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static ActivationKind FromName(string? name) => (name ?? "linear").Trim().ToLowerInvariant() switch
    {
        "" or "linear" or "none" => ActivationKind.Linear,
        "relu" => ActivationKind.Relu,
        "sigmoid" => ActivationKind.Sigmoid,
        "tanh" => ActivationKind.Tanh,
        "softmax" => ActivationKind.Softmax,
        _ => throw new ArgumentException($"Unknown activation '{name}' (expected linear, relu, sigmoid, tanh or softmax)", nameof(name)),
    };

    /// <summary>The Keras name of an activation.</summary>
    public static string ToName(ActivationKind kind) => kind switch
    {
        ActivationKind.Linear => "linear",
        ActivationKind.Relu => "relu",
        ActivationKind.Sigmoid => "sigmoid",
        ActivationKind.Tanh => "tanh",
        ActivationKind.Softmax => "softmax",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
