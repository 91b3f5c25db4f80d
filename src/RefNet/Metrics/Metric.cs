// Metrics Compile accepts: accuracy (binary or categorical by Keras' rule), MSE, MAE and log-loss.
// Each is a per-sample quantity; Fit and Evaluate report its sample-weighted mean, as Keras does.
namespace RefNet.Metrics;

/// <summary>What a <see cref="Metric"/> measures.</summary>
public enum MetricKind
{
    /// <summary>Fraction predicted correctly: binary (per element, ŷ &gt; 0.5) or categorical (argmax per row), chosen by Keras' rule.</summary>
    Accuracy,

    /// <summary>Mean over the last axis of (ŷ − y)².</summary>
    MeanSquaredError,

    /// <summary>Mean over the last axis of |ŷ − y|.</summary>
    MeanAbsoluteError,

    /// <summary>Cross-entropy of probabilities (binary or categorical by the accuracy rule), clipped to [1e-7, 1 − 1e-7].</summary>
    LogLoss,
}

/// <summary>A metric compiled into a network: its kind and the key it is reported under.</summary>
/// <remarks>Keys follow Keras 2.0–2.2: "accuracy" is reported as "acc", "mse" as "mean_squared_error",
/// "mae" as "mean_absolute_error"; validation values get the prefix "val_". <see cref="Engine.History"/>
/// also accepts the short names.</remarks>
public sealed class Metric
{
    private Metric(MetricKind kind, string key)
    {
        Kind = kind;
        Key = key;
    }

    /// <summary>What is measured.</summary>
    public MetricKind Kind { get; }

    /// <summary>The name in History, Evaluate results and callback logs, e.g. "acc".</summary>
    public string Key { get; }

    /// <summary>Looks up a metric by a Keras name: "accuracy"/"acc", "mse"/"mean_squared_error", "mae"/"mean_absolute_error", "log_loss".</summary>
    /// <exception cref="ArgumentException">The name is unknown.</exception>
    public static Metric FromName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string? key = CanonicalKey(name);
        return key switch
        {
            "acc" => new Metric(MetricKind.Accuracy, key),
            "mean_squared_error" => new Metric(MetricKind.MeanSquaredError, key),
            "mean_absolute_error" => new Metric(MetricKind.MeanAbsoluteError, key),
            "log_loss" => new Metric(MetricKind.LogLoss, key),
            _ => throw new ArgumentException(
                $"Unknown metric '{name}' (supported: accuracy, mse, mae, log_loss)", nameof(name)),
        };
    }

    /// <summary>The Keras 2 key for a metric name or alias ("mse" → "mean_squared_error"); null when unknown.</summary>
    public static string? CanonicalKey(string name) => name.Trim().ToLowerInvariant() switch
    {
        "accuracy" or "acc" => "acc",
        "mse" or "mean_squared_error" => "mean_squared_error",
        "mae" or "mean_absolute_error" => "mean_absolute_error",
        "log_loss" or "logloss" => "log_loss",
        _ => null,
    };

    /// <inheritdoc/>
    public override string ToString() => Key;
}
