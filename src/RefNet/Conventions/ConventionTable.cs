// The conventions table: one row per convention of a profile, with its value read from the profile and its source.
// The values come from KerasProfile's properties (what the code runs); only the citations are written here.
using System.Globalization;
using RefNet.Layers;

namespace RefNet.Conventions;

/// <summary>Builds <see cref="KerasProfile.Conventions"/>: the value of every convention (from the profile) and its source.</summary>
public static class ConventionTable
{
    private const string K208 = "keras-team/keras@2.0.8 (c7dd36a1)";
    private const string K225 = "keras-team/keras@2.2.5 (fb7f49ef)";
    private const string K231 = "keras-team/keras@2.3.1 (f295e8ee)";
    private const string Tf26 = "keras-team/keras@v2.6.0 (3a33d53e; tf.keras, not re-read at v2.15.0)";
    private const string Tf215 = "keras-team/keras@v2.15.0 (601488fd)";
    private const string TfOpt = Tf215 + " keras/optimizers/ (the optimizer tf.keras uses by default from TF 2.11";
    private const string Js = "tensorflow/tfjs@tfjs-v4.22.0 (e5d5e937";

    /// <summary>The keys in table order.</summary>
    public static IReadOnlyList<string> Keys { get; } =
    [
        "optimizer.epsilon", "rmsprop.epsilon_placement", "adam.epsilon_form", "adagrad.learning_rate", "adagrad.epsilon_placement",
        "adagrad.initial_accumulator", "adadelta.learning_rate", "backend.epsilon", "bce.epsilon_in_log", "crossentropy.logits_after_activation",
        "rnn.recurrent_activation", "kernel_initializer", "lstm.unit_forget_bias", "gru.reset_after", "batchnorm.moving_variance",
        "hard_sigmoid", "orthogonal", "embedding.initializer",
    ];

    /// <summary>Every convention of <paramref name="p"/> in <see cref="Keys"/> order.</summary>
    public static IReadOnlyList<Convention> For(KerasProfile p)
    {
        ArgumentNullException.ThrowIfNull(p);
        string id = p.Id;
        // Multi-backend Keras 2.x: the tag of this profile.
        string k2 = id switch { "2.0.8" => K208, "2.2.5" => K225, _ => K231 };
        return
        [
            new("optimizer.epsilon", "default ε of RMSprop, Adam, Adadelta, Adagrad", Number(p.OptimizerEpsilon), id switch
            {
                "2.0.8" => $"{K208} keras/optimizers.py: epsilon=1e-8 in RMSprop l.212, Adagrad l.272, Adadelta l.331, Adam l.401–402",
                "2.2.5" => $"{K225} keras/optimizers.py: epsilon=None → K.epsilon() = 1e-7 (RMSprop l.238–247, Adagrad 306–313, Adadelta 377–385, Adam 455–465)",
                "2.3.1" => $"{K231} keras/optimizers.py: epsilon=kwargs.pop('epsilon', K.epsilon()) = 1e-7 (l.247, 324, 403, 490)",
                "tf-2.15" => $"{TfOpt}): epsilon=1e-7 in adam.py l.97, rmsprop.py l.82, adagrad.py l.65, adadelta.py l.70",
                _ => $"{Js}) tfjs-layers/src/optimizers.ts getOptimizer: train.rmsprop(0.001, 0.9, 0, epsilon()), adam(…, epsilon()), adadelta(1, 0.95, epsilon()); epsilon() = 1e-7",
            }),
            new("rmsprop.epsilon_placement", "where ε enters RMSprop", Placement(p.RmsPropEpsilon), id switch
            {
                "tf-2.15" => $"{TfOpt}) rmsprop.py l.186–192: increment = lr·gradient·rsqrt(velocity + epsilon); legacy/rmsprop.py l.245–247 (tf.keras ≤ 2.10) put it outside",
                "tfjs-4.22" => $"{Js}) tfjs-core/src/optimizers/rmsprop_optimizer.ts l.126–139: mom = momentum·mom + lr·g/sqrt(ms + eps); tfjs-layers 'rmsprop' → rmsprop(0.001, 0.9, 0, epsilon())",
                _ => $"{k2} keras/optimizers.py RMSprop.get_updates: p − lr·g/(K.sqrt(new_a) + epsilon) (2.0.8 l.239, 2.2.5 l.267, 2.3.1 l.276)",
            }),
            new("adam.epsilon_form", "how Adam's ε meets the bias correction", p.AdamEpsilon == AdamEpsilonForm.EpsilonHat
                ? "lr·√(1−β₂ᵗ)/(1−β₁ᵗ)·m/(√v + ε)" : "lr·m̂/(√v̂ + ε)", id switch
            {
                "tf-2.15" => $"{TfOpt}) adam.py l.174, 195: alpha = lr·√(1−β₂ᵗ)/(1−β₁ᵗ); variable −= m·alpha/(√v + ε)",
                "tfjs-4.22" => $"{Js}) tfjs-core/src/optimizers/adam_optimizer.ts l.104–115: p += −lr·(m/(1−β₁ᵗ))/(sqrt(v/(1−β₂ᵗ)) + eps)",
                _ => $"{k2} keras/optimizers.py Adam.get_updates: lr_t = lr·√(1−β₂ᵗ)/(1−β₁ᵗ); p − lr_t·m/(√v + ε) (2.0.8 l.424–434, 2.2.5 l.481–500, 2.3.1 l.513–543)",
            }),
            new("adagrad.learning_rate", "Adagrad's default learning rate", Number(p.AdagradLearningRate), id switch
            {
                "tf-2.15" => $"{TfOpt}) adagrad.py: learning_rate=0.001",
                "tfjs-4.22" => $"{Js}) tfjs-layers/src/optimizers.ts l.27–38 getOptimizer: 'adagrad' → train.adagrad(0.01)",
                _ => $"{k2} keras/optimizers.py Adagrad: lr=0.01",
            }),
            new("adagrad.epsilon_placement", "where ε enters Adagrad", Placement(p.AdagradEpsilon), id switch
            {
                "tf-2.15" => $"{TfOpt}) adagrad.py l.131: variable −= lr·grad/sqrt(accumulator + epsilon)",
                "tfjs-4.22" => $"{Js}) tfjs-core/src/optimizers/adagrad_optimizer.ts l.78–82: −lr·g/sqrt(acc + ENGINE.backend.epsilon())",
                _ => $"{k2} keras/optimizers.py Adagrad.get_updates: p − lr·g/(K.sqrt(new_a) + epsilon) (2.0.8 l.297, 2.2.5 l.333, 2.3.1 l.350)",
            }),
            new("adagrad.initial_accumulator", "Adagrad's starting accumulator", Number(p.AdagradInitialAccumulator), id switch
            {
                "tf-2.15" => $"{TfOpt}) adagrad.py l.64, 99: initial_accumulator_value=0.1",
                "tfjs-4.22" => $"{Js}) tfjs-core/src/optimizers/adagrad_optimizer.ts l.44, 60: initialAccumulatorValue = 0.1, filled",
                _ => $"{k2} keras/optimizers.py Adagrad.get_updates: accumulators = K.zeros(shape) (2.0.8 l.285, 2.2.5 l.321, 2.3.1 l.337)",
            }),
            new("adadelta.learning_rate", "Adadelta's default learning rate", Number(p.AdadeltaLearningRate), id switch
            {
                "tf-2.15" => $"{TfOpt}) adadelta.py l.68: learning_rate=0.001",
                "tfjs-4.22" => $"{Js}) tfjs-layers/src/optimizers.ts l.27–38: 'adadelta' → train.adadelta(1, 0.95, epsilon()) (tf.train.adadelta's own default is 0.001)",
                _ => $"{k2} keras/optimizers.py Adadelta: lr=1.0 (2.0.8 l.331, 2.2.5 l.377, 2.3.1 l.401)",
            }),
            new("backend.epsilon", "K.epsilon(): the cross-entropies' clipping ε", Number(p.BackendEpsilon), id switch
            {
                "2.0.8" => $"{K208} keras/backend/common.py l.5: _EPSILON = 10e-8 (= 1e-7)",
                "2.2.5" or "2.3.1" => $"{k2} keras/backend/common.py: _EPSILON = 1e-7",
                "tf-2.15" => $"{Tf215} keras/backend_config.py l.26: _EPSILON = 1e-7",
                _ => $"{Js}) tfjs-core/src/backends/backend.ts l.22–23, 150–151: EPSILON_FLOAT32 = 1e-7 (1e-4 on a 16-bit WebGL backend); tfjs-layers/src/backend/common.ts l.14–31",
            }),
            new("bce.epsilon_in_log", "binary cross-entropy of probabilities", p.BinaryCrossentropyEpsilonInLog
                ? "−[y ln(q+ε) + (1−y) ln(1−q+ε)], q = clip(p)" : "−[y ln q + (1−y) ln(1−q)], q = clip(p)", id switch
            {
                "tf-2.15" => $"{Tf215} keras/backend.py l.5826–5831 binary_crossentropy: bce = target·log(output + ε) + (1 − target)·log(1 − output + ε)",
                "tfjs-4.22" => $"{Js}) tfjs-layers/src/losses.ts l.193–200 binaryCrossentropy: clipByValue(ε, 1−ε), log(y/(1−y)), sigmoidCrossEntropyWithLogits",
                _ => $"{k2} keras/backend/tensorflow_backend.py binary_crossentropy: clip, log(p/(1−p)), sigmoid_cross_entropy_with_logits (keras-golden.md §5.3)",
            }),
            new("crossentropy.logits_after_activation", "cross-entropy after a softmax/sigmoid output",
                p.CrossEntropyUsesLogitsAfterActivation ? "from the logits, unclipped" : "from the clipped probabilities", id switch
            {
                "tf-2.15" => $"{Tf215} keras/backend.py l.5490–5522 _get_logits: output._keras_logits (set by softmax l.5456, sigmoid l.5917) or a Softmax/Sigmoid op",
                "tfjs-4.22" => $"{Js}) tfjs-layers/src/losses.ts l.110–124: renormalise, clip, −Σ t·log; no logits lookup anywhere in tfjs-layers/src",
                _ => $"{k2} keras/backend/tensorflow_backend.py: no Softmax-op detection in 2.0.x–2.3.1 (keras-golden.md §5.3)",
            }),
            new("rnn.recurrent_activation", "LSTM/GRU default recurrent activation", p.RecurrentActivation, id switch
            {
                "2.0.8" => $"{K208} keras/layers/recurrent.py l.694 (GRU), 971 (LSTM): recurrent_activation='hard_sigmoid'",
                "2.2.5" => $"{K225} keras/layers/recurrent.py l.1249, 1616, 1853, 2171: 'hard_sigmoid'",
                "2.3.1" => $"{K231} keras/layers/recurrent.py l.1257, 1624, 1861, 2180: recurrent_activation='sigmoid'",
                "tf-2.15" => $"{Tf215} keras/layers/rnn/lstm.py l.126, 500; gru.py l.122, 527: recurrent_activation='sigmoid'",
                _ => $"{Js}) tfjs-layers/src/layers/recurrent.ts l.1325, 1645: DEFAULT_RECURRENT_ACTIVATION = 'hardSigmoid' (GRU, LSTM)",
            }),
            new("kernel_initializer", "Dense, Conv2D, SimpleRNN/LSTM/GRU default kernel initializer", p.KernelInitializer, id switch
            {
                "tfjs-4.22" => $"{Js}) DEFAULT_KERNEL_INITIALIZER = 'glorotNormal': tfjs-layers/src/layers/core.ts l.200 (Dense), convolutional.ts l.414, recurrent.ts l.986, 1327, 1646",
                "tf-2.15" => $"{Tf26} keras/layers/core.py l.1139–1140 (Dense), recurrent_v2.py l.1059ff: kernel_initializer='glorot_uniform'",
                _ => $"{k2} keras/layers/core.py (2.0.8 l.795–797), recurrent.py: kernel_initializer='glorot_uniform' (keras-golden.md §5.1)",
            }),
            new("lstm.unit_forget_bias", "LSTM's forget-gate bias starts at 1", p.LstmUnitForgetBias ? "true" : "false", id switch
            {
                "tfjs-4.22" => $"{Js}) tfjs-layers/src/layers/recurrent.ts l.1676, 1712: unitForgetBias = args.unitForgetBias, undefined (false) when unset",
                "tf-2.15" => $"{Tf26} keras/layers/recurrent_v2.py l.1059ff: unit_forget_bias=True",
                _ => $"{k2} keras/layers/recurrent.py LSTM: unit_forget_bias=True (2.0.8 l.976)",
            }),
            new("gru.reset_after", "GRU's default reset_after", !p.GruResetAfterSupported ? "false (true unsupported)" : p.GruResetAfter ? "true" : "false", id switch
            {
                "2.0.8" => $"{K208} keras/layers/recurrent.py GRU: no reset_after option (Keras 2's form)",
                "2.2.5" => $"{K225} keras/layers/recurrent.py l.1263, 1636: reset_after=False",
                "2.3.1" => $"{K231} keras/layers/recurrent.py l.1271, 1644: reset_after=False",
                "tf-2.15" => $"{Tf215} keras/layers/rnn/gru.py l.135, 547: reset_after=True",
                _ => $"{Js}) tfjs-layers/src/layers/recurrent.ts l.1337–1339: resetAfter = true throws in GRUCell",
            }),
            new("batchnorm.moving_variance", "what BatchNormalization's moving variance is fed", BatchNormalization<float>.RuleName(p.BatchNormMovingVariance), id switch
            {
                "2.0.8" => $"{K208} keras/backend/tensorflow_backend.py moving_average_update (zero_debias=False): biased σ² (wave2-anchors.md §2.8)",
                "2.2.5" => $"{K225} keras/layers/normalization.py (2.2.4 l.187–193): σ²·n/(n−(1+ε)); backend/tensorflow_backend.py "
                    + "moving_average_update: assign_moving_average(zero_debias=True) since 3ce40705 (wave2-anchors.md §2.8)",
                "2.3.1" => $"{K231} keras/layers/normalization.py l.195, backend/tensorflow_backend.py ~l.1297: σ²·n/(n−(1+ε)), plain moving average",
                "tf-2.15" => $"{Tf26} keras/layers/normalization/batch_normalization.py l.503–514, 561–574: fused (4-D) path Bessel n/(n−1), non-fused biased",
                _ => $"{Js}) tfjs-layers/src/layers/normalization.ts doMovingAverage: biased σ² (tfc.moments; wave2-anchors.md §2.8)",
            }),
            new("hard_sigmoid", "hard_sigmoid(x)", "clip(0.2x + 0.5, 0, 1)", id switch
            {
                "tfjs-4.22" => $"{Js}) tfjs-layers/src/backend/tfjs_backend.ts l.697–701 hardSigmoid: clip(0.2·x + 0.5, 0, 1)",
                "tf-2.15" => $"{Tf26} keras/backend.py hard_sigmoid: 0.2·x + 0.5, clipped (wave2-anchors.md §2.10)",
                _ => $"{k2} keras/backend/tensorflow_backend.py hard_sigmoid: clip(0.2·x + 0.5, 0, 1) (keras-golden.md §5.1)",
            }),
            new("orthogonal", "orthogonal initializer (RNN recurrent kernels)", "Haar-random orthogonal (RefNet: QR of a Gaussian, sign-fixed)", id switch
            {
                "tf-2.15" => $"{Tf26} keras/initializers/initializers_v2.py Orthogonal: QR of a normal matrix (not re-read here; draws differ from RefNet's generator in any case)",
                "tfjs-4.22" => $"{Js}) tfjs-layers/src/initializers.ts l.528ff Orthogonal: linalg.qr of a normal matrix (draws differ from RefNet's generator in any case)",
                _ => $"{k2} keras/initializers.py Orthogonal (2.0.8 l.223ff): u of np.linalg.svd of a normal matrix, the same (Haar) distribution as a sign-fixed QR",
            }),
            new("embedding.initializer", "Embedding's default initializer", "uniform(−0.05, 0.05)", id switch
            {
                "tf-2.15" => $"{Tf26} keras/layers/embeddings.py: embeddings_initializer='uniform' (RandomUniform ±0.05)",
                "tfjs-4.22" => $"{Js}) tfjs-layers/src/layers/embeddings.ts l.87–88: 'randomUniform'; initializers.ts l.117–118: ±0.05",
                _ => $"{k2} keras/layers/embeddings.py: embeddings_initializer='uniform' (RandomUniform ±0.05)",
            }),
        ];
    }

    private static string Placement(EpsilonPlacement placement) => placement == EpsilonPlacement.OutsideRoot ? "g/(√a + ε)" : "g/√(a + ε)";

    /// <summary>The conventions where <paramref name="a"/> and <paramref name="b"/> differ: (key, description, value in a, value in b).</summary>
    public static IReadOnlyList<(string Key, string Description, string A, string B)> Differences(KerasProfile a, KerasProfile b)
    {
        IReadOnlyList<Convention> ca = For(a), cb = For(b);
        var diff = new List<(string, string, string, string)>();
        for (int i = 0; i < ca.Count; i++)
        {
            if (ca[i].Value != cb[i].Value)
            {
                diff.Add((ca[i].Key, ca[i].Description, ca[i].Value, cb[i].Value));
            }
        }
        return diff;
    }

    /// <summary>Every profile's value of every convention as a Markdown table (README's, kept equal to it by a test).</summary>
    public static string Markdown()
    {
        var sb = new System.Text.StringBuilder();
        sb.Append("| convention | ").AppendJoin(" | ", KerasProfile.All.Select(p => p.Id)).Append(" |\n");
        sb.Append('|').Append(string.Concat(Enumerable.Repeat("---|", KerasProfile.All.Count + 1))).Append('\n');
        foreach (string key in Keys)
        {
            sb.Append("| `").Append(key).Append("` | ")
                .AppendJoin(" | ", KerasProfile.All.Select(p => p.Conventions.Single(c => c.Key == key).Value.Replace("|", "\\|", StringComparison.Ordinal)))
                .Append(" |\n");
        }
        return sb.ToString();
    }

    private static string Number(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
