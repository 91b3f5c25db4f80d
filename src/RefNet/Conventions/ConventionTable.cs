// The conventions table: one row per convention of a profile, with its value read from the profile and its source.
// The values come from KerasProfile's properties (what the code runs); only the citations are written here.
using System.Globalization;
using RefNet.Layers;

namespace RefNet.Conventions;

/// <summary>Builds <see cref="KerasProfile.Conventions"/>: the value of every convention (from the profile) and its source.</summary>
public static class ConventionTable
{
    private const string K208 = "keras-team/keras@2.0.8 (c7dd36a1)";
    private const string K225 = "keras-team/keras@2.2.5";
    private const string K231 = "keras-team/keras@2.3.1";
    private const string Tf215 = "keras-team/keras@v2.15.0";
    private const string Js = "tensorflow/tfjs@tfjs-v4.22.0";

    /// <summary>The keys in table order.</summary>
    public static IReadOnlyList<string> Keys { get; } =
    [
        "optimizer.epsilon", "rmsprop.epsilon_placement", "adam.epsilon_form", "adagrad.epsilon_placement", "adagrad.initial_accumulator",
        "adadelta.learning_rate", "backend.epsilon", "bce.epsilon_in_log", "crossentropy.logits_after_activation",
        "rnn.recurrent_activation", "rnn.kernel_initializer", "lstm.unit_forget_bias", "gru.reset_after", "batchnorm.moving_variance",
        "hard_sigmoid", "orthogonal", "embedding.initializer",
    ];

    /// <summary>Every convention of <paramref name="p"/> in <see cref="Keys"/> order.</summary>
    public static IReadOnlyList<Convention> For(KerasProfile p)
    {
        ArgumentNullException.ThrowIfNull(p);
        string id = p.Id;
        return
        [
            new("optimizer.epsilon", "default ε of RMSprop, Adam, Adadelta, Adagrad", Number(p.OptimizerEpsilon), id switch
            {
                "2.0.8" => $"{K208} keras/optimizers.py RMSprop l.212, Adagrad l.278, Adadelta l.334, Adam l.401: epsilon=1e-8",
                "2.2.5" => $"{K225} keras/optimizers.py: epsilon=None → K.epsilon() = 1e-7 (since 321d838b, 2017-12-11)",
                "2.3.1" => $"{K231} keras/optimizers.py: epsilon=kwargs.pop('epsilon', K.epsilon()) = 1e-7",
                "tf-2.15" => $"{Tf215} keras/optimizers/legacy/{{rmsprop,adam,adadelta,adagrad}}.py: epsilon=1e-7",
                _ => $"{Js} tfjs-layers/src/optimizers.ts getOptimizer: epsilon() = 1e-7 (tfjs-layers/src/backend/common.ts)",
            }),
            new("rmsprop.epsilon_placement", "where ε enters RMSprop", p.RmsPropEpsilon == EpsilonPlacement.OutsideRoot ? "g/(√a + ε)" : "g/√(a + ε)", id switch
            {
                "2.0.8" => $"{K208} keras/optimizers.py l.237–239",
                "2.2.5" => $"{K225} keras/optimizers.py (2.2.4 l.241–270)",
                "2.3.1" => $"{K231} keras/optimizers.py l.245–276",
                "tf-2.15" => $"{Tf215} keras/optimizers/legacy/rmsprop.py (momentum 0: ResourceApplyRMSProp is used only with momentum > 0)",
                _ => $"{Js} tfjs-core/src/optimizers/rmsprop_optimizer.ts: sqrt(add(accumulatedMeanSquare, epsilon))",
            }),
            new("adam.epsilon_form", "how Adam's ε meets the bias correction", p.AdamEpsilon == AdamEpsilonForm.EpsilonHat
                ? "lr·√(1−β₂ᵗ)/(1−β₁ᵗ)·m/(√v + ε)" : "lr·m̂/(√v̂ + ε)", id switch
            {
                "2.0.8" => $"{K208} keras/optimizers.py l.401–434",
                "2.2.5" or "2.3.1" => $"{(id == "2.2.5" ? K225 : K231)} keras/optimizers.py Adam.get_updates (lr_t form)",
                "tf-2.15" => $"{Tf215} keras/optimizers/legacy/adam.py → ResourceApplyAdam (tensorflow training_ops.cc ApplyAdamNonCuda)",
                _ => $"{Js} tfjs-core/src/optimizers/adam_optimizer.ts: biasCorrectedFirstMoment / (sqrt(biasCorrectedSecondMoment) + epsilon)",
            }),
            new("adagrad.epsilon_placement", "where ε enters Adagrad", p.AdagradEpsilon == EpsilonPlacement.OutsideRoot ? "g/(√a + ε)" : "g/√(a + ε)", id switch
            {
                "tfjs-4.22" => $"{Js} tfjs-core/src/optimizers/adagrad_optimizer.ts: sqrt(add(newAccumulatedGrads, ENGINE.backend.epsilon()))",
                "tf-2.15" => $"{Tf215} keras/optimizers/legacy/adagrad.py → ResourceApplyAdagradV2: var −= lr·g/(√accum + ε)",
                _ => $"{(id == "2.0.8" ? K208 : id == "2.2.5" ? K225 : K231)} keras/optimizers.py Adagrad.get_updates: p − lr·g/(K.sqrt(new_a) + epsilon)",
            }),
            new("adagrad.initial_accumulator", "Adagrad's starting accumulator", Number(p.AdagradInitialAccumulator), id switch
            {
                "tf-2.15" => $"{Tf215} keras/optimizers/legacy/adagrad.py: initial_accumulator_value=0.1",
                "tfjs-4.22" => $"{Js} tfjs-core/src/optimizers/adagrad_optimizer.ts: initialAccumulatorValue = 0.1",
                _ => $"{(id == "2.0.8" ? K208 : id == "2.2.5" ? K225 : K231)} keras/optimizers.py Adagrad: accumulators = K.zeros(shape)",
            }),
            new("adadelta.learning_rate", "Adadelta's default learning rate", Number(p.AdadeltaLearningRate), id switch
            {
                "tf-2.15" => $"{Tf215} keras/optimizers/legacy/adadelta.py: learning_rate=0.001",
                "tfjs-4.22" => $"{Js} tfjs-layers/src/optimizers.ts getOptimizer: 'Adadelta' → train.adadelta(1.0, 0.95, epsilon())",
                _ => $"{(id == "2.0.8" ? K208 : id == "2.2.5" ? K225 : K231)} keras/optimizers.py Adadelta: lr=1.0",
            }),
            new("backend.epsilon", "K.epsilon(): the cross-entropies' clipping ε", Number(p.BackendEpsilon), id switch
            {
                "2.0.8" => $"{K208} keras/backend/common.py l.5: _EPSILON = 10e-8 (= 1e-7)",
                "2.2.5" or "2.3.1" => $"{(id == "2.2.5" ? K225 : K231)} keras/backend/common.py: _EPSILON = 1e-7",
                "tf-2.15" => $"{Tf215} keras/backend_config.py: _EPSILON = 1e-7",
                _ => $"{Js} tfjs-layers/src/backend/common.ts: epsilon() = backend().epsilon() = 1e-7 (float32 backends)",
            }),
            new("bce.epsilon_in_log", "binary cross-entropy of probabilities", p.BinaryCrossentropyEpsilonInLog
                ? "−[y ln(q+ε) + (1−y) ln(1−q+ε)], q = clip(p)" : "−[y ln q + (1−y) ln(1−q)], q = clip(p)", id switch
            {
                "tf-2.15" => $"{Tf215} keras/backend.py binary_crossentropy: bce = target * tf.math.log(output + epsilon()) + …",
                "tfjs-4.22" => $"{Js} tfjs-layers/src/losses.ts binaryCrossentropy: clip, log(p/(1−p)), sigmoidCrossEntropyWithLogits",
                _ => $"{(id == "2.0.8" ? K208 : id == "2.2.5" ? K225 : K231)} keras/backend/tensorflow_backend.py binary_crossentropy: clip, log(p/(1−p)), sigmoid_cross_entropy_with_logits",
            }),
            new("crossentropy.logits_after_activation", "cross-entropy after a softmax/sigmoid output",
                p.CrossEntropyUsesLogitsAfterActivation ? "from the logits, unclipped" : "from the clipped probabilities", id switch
            {
                "tf-2.15" => $"{Tf215} keras/backend.py categorical_crossentropy / binary_crossentropy: output._keras_logits (set in keras/activations.py softmax, sigmoid)",
                "tfjs-4.22" => $"{Js} tfjs-layers/src/losses.ts categoricalCrossentropy: output / sum, clip, −Σ t·log (no logits lookup)",
                _ => $"{(id == "2.0.8" ? K208 : id == "2.2.5" ? K225 : K231)} keras/backend/tensorflow_backend.py: no Softmax-op detection (shared/reference keras-golden.md §5.3)",
            }),
            new("rnn.recurrent_activation", "LSTM/GRU default recurrent activation", p.RecurrentActivation, id switch
            {
                "2.0.8" => $"{K208} keras/layers/recurrent.py LSTM, GRU: recurrent_activation='hard_sigmoid'",
                "2.2.5" => $"{K225} keras/layers/recurrent.py (2.2.4 l.1819, 2127): 'hard_sigmoid'",
                "2.3.1" => $"{K231} keras/layers/recurrent.py: recurrent_activation='sigmoid' (changed in 2.3.0)",
                "tf-2.15" => $"{Tf215} keras/layers/rnn/lstm.py, gru.py: recurrent_activation='sigmoid'",
                _ => $"{Js} tfjs-layers/src/layers/recurrent.ts: DEFAULT_RECURRENT_ACTIVATION = 'hardSigmoid'",
            }),
            new("rnn.kernel_initializer", "SimpleRNN/LSTM/GRU default kernel initializer", p.RecurrentKernelInitializer, id switch
            {
                "tfjs-4.22" => $"{Js} tfjs-layers/src/layers/recurrent.ts: DEFAULT_KERNEL_INITIALIZER = 'glorotNormal'",
                "tf-2.15" => $"{Tf215} keras/layers/rnn/lstm.py: kernel_initializer='glorot_uniform'",
                _ => $"{(id == "2.0.8" ? K208 : id == "2.2.5" ? K225 : K231)} keras/layers/recurrent.py: kernel_initializer='glorot_uniform'",
            }),
            new("lstm.unit_forget_bias", "LSTM's forget-gate bias starts at 1", p.LstmUnitForgetBias ? "true" : "false", id switch
            {
                "tfjs-4.22" => $"{Js} tfjs-layers/src/layers/recurrent.ts LSTMCell: this.unitForgetBias = args.unitForgetBias (unset: false)",
                "tf-2.15" => $"{Tf215} keras/layers/rnn/lstm.py: unit_forget_bias=True",
                _ => $"{(id == "2.0.8" ? K208 : id == "2.2.5" ? K225 : K231)} keras/layers/recurrent.py LSTM: unit_forget_bias=True",
            }),
            new("gru.reset_after", "GRU's default reset_after", !p.GruResetAfterSupported ? "false (true unsupported)" : p.GruResetAfter ? "true" : "false", id switch
            {
                "2.0.8" => $"{K208} keras/layers/recurrent.py GRU: no reset_after option (Keras 2's form)",
                "2.2.5" or "2.3.1" => $"{(id == "2.2.5" ? K225 : K231)} keras/layers/recurrent.py GRU: reset_after=False (option since 2.1.5)",
                "tf-2.15" => $"{Tf215} keras/layers/rnn/gru.py: reset_after=True",
                _ => $"{Js} tfjs-layers/src/layers/recurrent.ts GRUCell: no resetAfter (shared/reference wave2-anchors.md §2.10)",
            }),
            new("batchnorm.moving_variance", "what BatchNormalization's moving variance is fed", BatchNormalization<float>.RuleName(p.BatchNormMovingVariance), id switch
            {
                "2.0.8" => $"{K208} keras/backend/tensorflow_backend.py moving_average_update (zero_debias=False), biased σ²",
                "2.2.5" => $"{K225} keras/layers/normalization.py (2.2.4 l.187–193): σ²·n/(n−(1+ε)); not implemented: the zero-debiased "
                    + "moving average of 2.1.3–2.2.5 (TF zero_debias=True); RefNet applies the plain moving average",
                "2.3.1" => $"{K231} keras/layers/normalization.py l.195, tensorflow_backend.py ~l.1297: σ²·n/(n−(1+ε)), plain moving average",
                "tf-2.15" => $"{Tf215} keras/layers/normalization/batch_normalization.py: fused (4-D) path Bessel n/(n−1), non-fused biased",
                _ => $"{Js} tfjs-layers/src/layers/normalization.ts doMovingAverage: biased σ² (tfc.moments)",
            }),
            new("hard_sigmoid", "hard_sigmoid(x)", "clip(0.2x + 0.5, 0, 1)", id switch
            {
                "tfjs-4.22" => $"{Js} tfjs-layers/src/backend/tfjs_backend.ts hardSigmoid: 0.2·x + 0.5, clipped",
                "tf-2.15" => $"{Tf215} keras/backend.py hard_sigmoid: 0.2·x + 0.5, clipped",
                _ => $"{(id == "2.0.8" ? K208 : id == "2.2.5" ? K225 : K231)} keras/backend/tensorflow_backend.py hard_sigmoid: 0.2·x + 0.5, clipped",
            }),
            new("orthogonal", "orthogonal initializer (RNN recurrent kernels)", "Haar-random orthogonal (RefNet: QR of a Gaussian, sign-fixed)", id switch
            {
                "tf-2.15" => $"{Tf215} keras/initializers/initializers.py Orthogonal: tf.linalg.qr, q *= sign(diag(r)); same distribution as RefNet's",
                "tfjs-4.22" => $"{Js} tfjs-layers/src/initializers.ts Orthogonal: linalg.gramSchmidt of a normal matrix; not confirmed draw for draw",
                _ => $"{(id == "2.0.8" ? K208 : id == "2.2.5" ? K225 : K231)} keras/initializers.py Orthogonal: u of np.linalg.svd(normal); the same (Haar) distribution as a sign-fixed QR",
            }),
            new("embedding.initializer", "Embedding's default initializer", "uniform(−0.05, 0.05)", id switch
            {
                "tf-2.15" => $"{Tf215} keras/layers/core/embedding.py: embeddings_initializer='uniform' (RandomUniform ±0.05)",
                "tfjs-4.22" => $"{Js} tfjs-layers/src/layers/embeddings.ts: DEFAULT_EMBEDDINGS_INITIALIZER = 'randomUniform' (±0.05)",
                _ => $"{(id == "2.0.8" ? K208 : id == "2.2.5" ? K225 : K231)} keras/layers/embeddings.py: embeddings_initializer='uniform' (RandomUniform ±0.05)",
            }),
        ];
    }

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
