// Keras convention profiles: the defaults and numerical conventions of one Keras version, each with its source.
// A profile is data; the formulas stay in the files of the things they belong to (optimizers, losses, layers),
// which read the profile's switches when an argument was left unspecified.
using System.Globalization;
using RefNet.Layers;

namespace RefNet.Conventions;

/// <summary>Where ε enters the step of RMSprop or Adagrad.</summary>
public enum EpsilonPlacement
{
    /// <summary>p −= lr·g / (√a + ε) (Keras 2.x; tf.keras 2.x RMSprop without momentum and Adagrad).</summary>
    OutsideRoot,

    /// <summary>p −= lr·g / √(a + ε) (TensorFlow.js; Keras 3 RMSprop; TF's ApplyRMSProp kernel).</summary>
    InsideRoot,
}

/// <summary>How Adam's ε meets the bias correction.</summary>
public enum AdamEpsilonForm
{
    /// <summary>Keras' "ε-hat" form: lr_t = lr·√(1−β₂ᵗ)/(1−β₁ᵗ); p −= lr_t·m/(√v + ε) (ε is not bias-corrected).</summary>
    EpsilonHat,

    /// <summary>The paper's form: p −= lr·m̂/(√v̂ + ε), m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ) (TensorFlow.js).</summary>
    BiasCorrected,
}

/// <summary>One convention of a profile: its key, its value in that profile, and where the value comes from.</summary>
/// <param name="Key">Stable key, e.g. "rmsprop.epsilon" (the rows of <c>refnet conventions</c>).</param>
/// <param name="Description">What it is, in a few words.</param>
/// <param name="Value">The value, printed as the table shows it.</param>
/// <param name="Source">Repository, file, tag and line(s) that show it, or "not confirmed: …".</param>
public sealed record Convention(string Key, string Description, string Value, string Source);

/// <summary>The defaults and conventions of one Keras version (Keras 2.0.8, 2.2.5, 2.3.1, tf.keras 2.15, TensorFlow.js 4.22).</summary>
/// <remarks>
/// <para>Explicit constructor arguments always win: a profile only fills in what was left unspecified (<c>null</c>).
/// A network takes its profile at construction (<c>new Sequential&lt;float&gt;(keras: KerasProfile.Keras208)</c>) or through
/// <c>Compile(..., keras:)</c> before its first layer is added; layers read it when they are built, the optimizer and loss
/// when the network is compiled. The default, <see cref="Default"/>, is Keras 2.3.1.</para>
/// <para>Sources: keras-team/keras at tags 2.0.8 (c7dd36a1), 2.2.5, 2.3.1 and v2.15.0, tensorflow/tfjs at tfjs-v4.22.0;
/// the table with every citation is <see cref="Conventions"/> (and <c>refnet conventions</c>, README "Keras profiles").</para>
/// </remarks>
public sealed class KerasProfile
{
    private KerasProfile(string id, string displayName)
    {
        Id = id;
        DisplayName = displayName;
    }

    /// <summary>The id the CLI takes (<c>--keras 2.0.8</c>): "2.0.8", "2.2.5", "2.3.1", "tf-2.15" or "tfjs-4.22".</summary>
    public string Id { get; }

    /// <summary>e.g. "Keras 2.0.8" or "tf.keras 2.15".</summary>
    public string DisplayName { get; }

    /// <summary>The <c>keras_version</c> a model file of this version carries ("2.0.8", "2.15.0", "tfjs-layers 4.22.0").</summary>
    public string KerasVersion { get; private init; } = "";

    /// <summary>Default ε of RMSprop, Adam, Adadelta, Adagrad, Adamax and Nadam.</summary>
    public double OptimizerEpsilon { get; private init; } = 1e-7;

    /// <summary>Where ε enters RMSprop.</summary>
    public EpsilonPlacement RmsPropEpsilon { get; private init; }

    /// <summary>Adam's ε form.</summary>
    public AdamEpsilonForm AdamEpsilon { get; private init; }

    /// <summary>Adadelta's default learning rate.</summary>
    public double AdadeltaLearningRate { get; private init; } = 1.0;

    /// <summary>Where ε enters Adagrad.</summary>
    public EpsilonPlacement AdagradEpsilon { get; private init; }

    /// <summary>Adagrad's default learning rate.</summary>
    public double AdagradLearningRate { get; private init; } = 0.01;

    /// <summary>Adagrad's initial accumulator value.</summary>
    public double AdagradInitialAccumulator { get; private init; }

    /// <summary>The backend ε (<c>K.epsilon()</c>): the clipping ε of the cross-entropies.</summary>
    public double BackendEpsilon { get; private init; } = 1e-7;

    /// <summary>Keras name of the LSTM/GRU default recurrent activation ("hard_sigmoid" or "sigmoid").</summary>
    public string RecurrentActivation { get; private init; } = "sigmoid";

    /// <summary>GRU's default reset_after.</summary>
    public bool GruResetAfter { get; private init; }

    /// <summary>False where the version has no reset_after=True GRU at all (TensorFlow.js): asking for one is an error.</summary>
    public bool GruResetAfterSupported { get; private init; } = true;

    /// <summary>Keras name of the default kernel initializer of Dense, Conv2D and SimpleRNN/LSTM/GRU.</summary>
    public string KernelInitializer { get; private init; } = "glorot_uniform";

    /// <summary>LSTM's default unit_forget_bias.</summary>
    public bool LstmUnitForgetBias { get; private init; } = true;

    /// <summary>Cross-entropy after a softmax/sigmoid output uses that layer's logits, unclipped (tf.keras' <c>_keras_logits</c>).</summary>
    public bool CrossEntropyUsesLogitsAfterActivation { get; private init; }

    /// <summary>Binary cross-entropy of probabilities adds ε inside the logarithm again after clipping (tf.keras 2.x):
    /// −[y·ln(p + ε) + (1 − y)·ln(1 − p + ε)].</summary>
    public bool BinaryCrossentropyEpsilonInLog { get; private init; }

    /// <summary>BatchNormalization's default moving-variance rule.</summary>
    public MovingVarianceRule BatchNormMovingVariance { get; private init; } = MovingVarianceRule.Biased;

    /// <summary>Keras 2.0.8 (multi-backend Keras, TensorFlow backend): the Keras examples' published logs.</summary>
    public static KerasProfile Keras208 { get; } = new("2.0.8", "Keras 2.0.8")
    {
        KerasVersion = "2.0.8",
        OptimizerEpsilon = 1e-8,
        RecurrentActivation = "hard_sigmoid",
    };

    /// <summary>Keras 2.2.5.</summary>
    public static KerasProfile Keras225 { get; } = new("2.2.5", "Keras 2.2.5")
    {
        KerasVersion = "2.2.5",
        RecurrentActivation = "hard_sigmoid",
        BatchNormMovingVariance = MovingVarianceRule.ZeroDebiased,
    };

    /// <summary>Keras 2.3.1, the last multi-backend Keras; RefNet's default.</summary>
    public static KerasProfile Keras231 { get; } = new("2.3.1", "Keras 2.3.1")
    {
        KerasVersion = "2.3.1",
        BatchNormMovingVariance = MovingVarianceRule.Keras23,
    };

    /// <summary>tf.keras 2.15 (the Keras in TensorFlow 2.15): its optimizers are the ones tf.keras uses by default from TF 2.11
    /// (<c>keras/optimizers/*.py</c>; ε inside the root for RMSprop and Adagrad), the rest as tf.keras 2.6.</summary>
    public static KerasProfile TfKeras215 { get; } = new("tf-2.15", "tf.keras 2.15")
    {
        KerasVersion = "2.15.0",
        RmsPropEpsilon = EpsilonPlacement.InsideRoot,
        AdadeltaLearningRate = 0.001,
        AdagradLearningRate = 0.001,
        AdagradEpsilon = EpsilonPlacement.InsideRoot,
        AdagradInitialAccumulator = 0.1,
        GruResetAfter = true,
        CrossEntropyUsesLogitsAfterActivation = true,
        BinaryCrossentropyEpsilonInLog = true,
        BatchNormMovingVariance = MovingVarianceRule.BesselWhenFused,
    };

    /// <summary>TensorFlow.js 4.22 (tfjs-layers, the Keras port in JavaScript).</summary>
    public static KerasProfile TfJs422 { get; } = new("tfjs-4.22", "TensorFlow.js 4.22")
    {
        KerasVersion = "tfjs-layers 4.22.0",
        RmsPropEpsilon = EpsilonPlacement.InsideRoot,
        AdamEpsilon = AdamEpsilonForm.BiasCorrected,
        AdagradEpsilon = EpsilonPlacement.InsideRoot,
        AdagradInitialAccumulator = 0.1,
        RecurrentActivation = "hard_sigmoid",
        GruResetAfterSupported = false,
        KernelInitializer = "glorot_normal",
        LstmUnitForgetBias = false,
    };

    /// <summary>Keras 2.3.1.</summary>
    public static KerasProfile Default => Keras231;

    /// <summary>Every profile, oldest first.</summary>
    public static IReadOnlyList<KerasProfile> All { get; } = [Keras208, Keras225, Keras231, TfKeras215, TfJs422];

    /// <summary>The profile for a CLI/API name: "2.0.8", "2.2.5", "2.3.1", "tf-2.15" (or "2.15", "tf.keras-2.15"), "tfjs-4.22" (or "tfjs").</summary>
    /// <exception cref="ArgumentException">No profile has that name (the message lists them).</exception>
    public static KerasProfile FromName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string n = name.Trim().ToLowerInvariant();
        return n switch
        {
            "2.0.8" => Keras208,
            "2.2.5" => Keras225,
            "2.3.1" => Keras231,
            "tf-2.15" or "2.15" or "tf.keras-2.15" or "tf.keras 2.15" => TfKeras215,
            "tfjs-4.22" or "tfjs" or "tfjs 4.22" => TfJs422,
            _ => throw new ArgumentException(
                $"Unknown Keras profile '{name}' (known: {string.Join(", ", All.Select(p => p.Id))})", nameof(name)),
        };
    }

    /// <summary>The profile for a model file's <c>keras_version</c> string, or null when RefNet has no profile for it.</summary>
    /// <remarks>2.0.x → 2.0.8 and 2.3.x → 2.3.1 (their conventions did not change within the series); 2.2.x → 2.2.5;
    /// 2.11–2.15 (tf.keras with its new optimizers) → tf-2.15; "tfjs-layers 4.x" → tfjs-4.22. Null (no profile fits):
    /// 2.1.x, whose BatchNormalization rule changed three times within the series (wave2-anchors §2.8); tf.keras 2.4–2.10
    /// and the "-tf" versions of TensorFlow 1.x–2.3 ("2.2.4-tf"), whose optimizers put ε outside the root; 1.x, 3.x and
    /// anything unparsable.</remarks>
    public static KerasProfile? FromKerasVersion(string? kerasVersion)
    {
        if (string.IsNullOrWhiteSpace(kerasVersion))
        {
            return null;
        }
        string v = kerasVersion.Trim();
        if (v.StartsWith("tfjs-layers", StringComparison.OrdinalIgnoreCase))
        {
            string rest = v["tfjs-layers".Length..].Trim();
            return rest.StartsWith("4.", StringComparison.Ordinal) ? TfJs422 : null;
        }
        if (v.Contains("-tf", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        string[] parts = v.Split('.');
        if (parts.Length < 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int major)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int minor) || major != 2)
        {
            return null;
        }
        return minor switch
        {
            0 => Keras208,
            2 => Keras225,
            3 => Keras231,
            >= 11 and <= 15 => TfKeras215,
            _ => null,
        };
    }

    /// <summary>Every convention of this profile with its value and source, in a fixed order.</summary>
    public IReadOnlyList<Convention> Conventions => ConventionTable.For(this);

    /// <inheritdoc/>
    public override string ToString() => DisplayName;
}
