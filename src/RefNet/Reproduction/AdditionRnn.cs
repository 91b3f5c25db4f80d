// Keras' addition_rnn example in RefNet: learn "535+61" → "596" as a sequence-to-sequence problem.
// The data procedure is Keras' (examples/addition_rnn.py, keras-io examples/nlp/addition_rnn.py) with RefNet's seeded
// generator in place of numpy's unseeded one; the published log and its band are golden/published/addition_rnn_keras.json.
using System.Numerics;
using System.Text;
using RefNet.Activations;
using RefNet.Backends;
using RefNet.Conventions;
using RefNet.Data;
using RefNet.Engine;
using RefNet.Layers;
using RefNet.Losses;
using RefNet.Optimizers;
using RefNet.Tensors;

namespace RefNet.Reproduction;

/// <summary>One generated addition problem: the (padded, reversed) query the network reads and the padded answer.</summary>
/// <param name="Question">"a+b" as written, e.g. "535+61".</param>
/// <param name="Query">The question padded with spaces to <see cref="AdditionRnn.MaxLength"/> and reversed ("  16+535").</param>
/// <param name="Answer">a + b padded with spaces to <see cref="AdditionRnn.AnswerLength"/> ("596 ").</param>
public sealed record AdditionProblem(string Question, string Query, string Answer);

/// <summary>The addition_rnn example: an LSTM encoder, RepeatVector, an LSTM decoder and a per-step softmax.</summary>
/// <remarks>
/// keras-io (examples/nlp/addition_rnn.py, the version with a published per-epoch log):
/// <code>
/// model = keras.Sequential()
/// model.add(layers.Input((MAXLEN, len(chars))))
/// model.add(layers.LSTM(128))                       # encoder: the last h
/// model.add(layers.RepeatVector(DIGITS + 1))
/// model.add(layers.LSTM(128, return_sequences=True)) # decoder
/// model.add(layers.Dense(len(chars), activation="softmax"))  # on every step
/// model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
/// model.fit(x_train, y_train, batch_size=32, epochs=1, validation_data=(x_val, y_val))  # 29 or 30 times
/// </code>
/// Keras 2's examples/addition_rnn.py builds the same network (TimeDistributed(Dense) for the last layer) with
/// batch 128 and 200 iterations; its LSTMs use hard_sigmoid gates (Keras ≤ 2.2.5). The log RefNet is judged against is
/// keras-io's (Keras 3: sigmoid gates, Adam ε 1e-7, batch 32), so that is what <see cref="Build{T}"/> builds.
/// Parameters: 72 192 + 0 + 131 584 + 1 548 = 205 324.
/// </remarks>
public static class AdditionRnn
{
    /// <summary>Digits per operand.</summary>
    public const int Digits = 3;

    /// <summary>Characters of a query: "999+999".</summary>
    public const int MaxLength = Digits + 1 + Digits;

    /// <summary>Characters of an answer: up to 1998 (4 characters).</summary>
    public const int AnswerLength = Digits + 1;

    /// <summary>Generated problems (unique unordered pairs).</summary>
    public const int TrainingSize = 50000;

    /// <summary>Samples per gradient step (keras-io; Keras 2's script used 128).</summary>
    public const int BatchSize = 32;

    /// <summary>Epochs in the published log.</summary>
    public const int Epochs = 29;

    /// <summary>Hidden units of each LSTM.</summary>
    public const int Units = 128;

    /// <summary>The alphabet, in Keras' order: one-hot index = position here.</summary>
    public const string Chars = "0123456789+ ";

    /// <summary>Generates the problems as Keras does: each operand has 1–3 uniformly drawn digits (leading zeros
    /// allowed, so "007" is 7), a pair {a, b} already seen (in either order) is drawn again, the query is padded with
    /// spaces and reversed, the answer padded.</summary>
    /// <param name="count">How many problems.</param>
    /// <param name="seed">Seed of the generator: the same seed gives the same problems.</param>
    public static IReadOnlyList<AdditionProblem> Generate(int count, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var random = new Random(seed);
        var seen = new HashSet<(int, int)>();
        var problems = new List<AdditionProblem>(count);
        while (problems.Count < count)
        {
            int a = Operand(random), b = Operand(random);
            if (!seen.Add((Math.Min(a, b), Math.Max(a, b))))
            {
                continue;
            }
            string q = $"{a}+{b}";
            char[] query = q.PadRight(MaxLength).ToCharArray();
            Array.Reverse(query);
            problems.Add(new AdditionProblem(q, new string(query), (a + b).ToString(System.Globalization.CultureInfo.InvariantCulture).PadRight(AnswerLength)));
        }
        return problems;

        static int Operand(Random r)
        {
            int length = r.Next(1, Digits + 1);
            int value = 0;
            for (int i = 0; i < length; i++)
            {
                value = (value * 10) + r.Next(10);
            }
            return value;
        }
    }

    /// <summary>One-hot encodes strings of equal length into (N, length, 12).</summary>
    /// <exception cref="ArgumentException">A string has another length or a character outside <see cref="Chars"/>.</exception>
    public static Tensor<T> Encode<T>(IReadOnlyList<string> texts, int length)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(texts);
        var data = new T[texts.Count * length * Chars.Length];
        for (int n = 0; n < texts.Count; n++)
        {
            if (texts[n].Length != length)
            {
                throw new ArgumentException($"text {n} \"{texts[n]}\" has {texts[n].Length} characters, expected {length}", nameof(texts));
            }
            for (int t = 0; t < length; t++)
            {
                int c = Chars.IndexOf(texts[n][t], StringComparison.Ordinal);
                if (c < 0)
                {
                    throw new ArgumentException($"text {n} \"{texts[n]}\" has '{texts[n][t]}' at {t}, which is not one of \"{Chars}\"", nameof(texts));
                }
                data[(((n * length) + t) * Chars.Length) + c] = T.One;
            }
        }
        return Tensor<T>.FromArray(new Shape(texts.Count, length, Chars.Length), data);
    }

    /// <summary>The characters of sample <paramref name="sample"/> of (N, length, 12) scores: argmax at each step.</summary>
    public static string Decode<T>(Tensor<T> scores, int sample)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(scores);
        int length = scores.Shape[1], classes = scores.Shape[2];
        T[] v = scores.ToArray();
        var sb = new StringBuilder(length);
        for (int t = 0; t < length; t++)
        {
            int offset = ((sample * length) + t) * classes;
            int best = 0;
            for (int c = 1; c < classes; c++)
            {
                if (v[offset + c] > v[offset + best])
                {
                    best = c;
                }
            }
            sb.Append(Chars[best]);
        }
        return sb.ToString();
    }

    /// <summary>The problems as tensors, shuffled with <paramref name="seed"/> and split as Keras does: the last
    /// tenth (5 000) for validation, the rest (45 000) for training.</summary>
    public static (Dataset<T> Train, Dataset<T> Validation, IReadOnlyList<AdditionProblem> ValidationProblems) Split<T>(
        IReadOnlyList<AdditionProblem> problems, int seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(problems);
        int[] order = Enumerable.Range(0, problems.Count).ToArray();
        new Random(seed).Shuffle(order);
        int splitAt = problems.Count - (problems.Count / 10);
        AdditionProblem[] train = order[..splitAt].Select(i => problems[i]).ToArray();
        AdditionProblem[] val = order[splitAt..].Select(i => problems[i]).ToArray();
        return (ToDataset<T>(train), ToDataset<T>(val), val);
    }

    private static Dataset<T> ToDataset<T>(AdditionProblem[] p)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        new(Encode<T>(p.Select(x => x.Query).ToArray(), MaxLength), Encode<T>(p.Select(x => x.Answer).ToArray(), AnswerLength), null);

    /// <summary>tf.keras 2.15: keras-io's log was rendered under Keras 3, which RefNet has no profile for; tf.keras 2.15 is
    /// the nearest, and for this model it agrees with Keras 3 on every convention that differs between profiles (sigmoid
    /// gates, Adam's ε-hat form with ε 1e-7, the cross-entropy read from the softmax layer's logits on the TensorFlow backend).</summary>
    public static KerasProfile Keras => KerasProfile.TfKeras215;

    /// <summary>Builds and compiles the keras-io model (float32 like Keras).</summary>
    /// <param name="seed">Seed of the initialisers (layer i gets seed + i).</param>
    /// <param name="backend">Where it runs (the default CPU backend when null).</param>
    /// <param name="keras">The Keras profile (<see cref="Keras"/> when null).</param>
    public static Sequential<T> Build<T>(int seed, IBackend<T>? backend = null, KerasProfile? keras = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var model = new Sequential<T>(backend, seed: seed, keras: keras ?? Keras);
        model.Add(new LSTM<T>(Units, inputShape: new Shape(MaxLength, Chars.Length)));
        model.Add(new RepeatVector<T>(AnswerLength));
        model.Add(new LSTM<T>(Units, returnSequences: true));
        model.Add(new Dense<T>(Chars.Length, ActivationFunction.Softmax));
        model.Compile(new Adam(), new CategoricalCrossentropy(), ["accuracy"]);
        return model;
    }

    /// <summary>The published log, claims and rules (golden/published/addition_rnn_keras.json).</summary>
    public static PublishedCurves Published => PublishedCurves.Load("addition_rnn_keras");

    /// <summary>Judges a run by the golden file's rules: val_acc within the early band at epochs 1–5, the best val_acc by
    /// epoch 10 at least 0.90 (from 10 epochs on), the best by epoch 29 at least 0.99 (from 29 epochs on).</summary>
    /// <param name="history">Per-epoch "val_acc" (and others).</param>
    /// <param name="trainingSamples">Questions trained on; fewer than 45 000 are reported, not judged.</param>
    /// <param name="golden">The golden file (the embedded one when null).</param>
    public static CurveVerdict Judge(IReadOnlyDictionary<string, IReadOnlyList<double>> history, int trainingSamples, PublishedCurves? golden = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        golden ??= Published;
        int fullTraining = TrainingSize - (TrainingSize / 10);
        if (trainingSamples < fullTraining)
        {
            return new CurveVerdict([], $"trained on {trainingSamples} of the {fullTraining} questions (--limit): reported, not judged");
        }
        IReadOnlyList<double> valAcc = history.TryGetValue("val_acc", out IReadOnlyList<double>? v) ? v : [];
        double[] published = golden.Runs[0].Epochs["val_acc"];
        var checks = new List<CurveCheck>();
        int early = (int)golden.Band("val_acc_early", "epochs");
        double h = golden.Band("val_acc_early", "half_width");
        for (int e = 1; e <= Math.Min(early, valAcc.Count); e++)
        {
            double c = published[e - 1];
            checks.Add(new CurveCheck("val_acc", e, valAcc[e - 1], c, c - h, c + h));
        }
        foreach (string milestone in new[] { "val_acc_by_epoch_10", "val_acc_by_epoch_29" })
        {
            int epoch = (int)golden.Band(milestone, "epoch");
            if (valAcc.Count >= epoch)
            {
                checks.Add(new CurveCheck("best_val_acc", epoch, valAcc.Take(epoch).Max(), published.Take(epoch).Max(), golden.Band(milestone, "min"), 1.0));
            }
        }
        return new CurveVerdict(checks);
    }
}
