// Model configuration as Keras-style JSON: {"class_name":"Sequential","config":{"name":...,"layers":[...]}}.
// Written for clarity: every field is read by name, checked, and reported with its layer index when wrong.
using RefNet.Activations;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using RefNet.Backends;
using RefNet.Conventions;
using RefNet.Engine;
using RefNet.Initializers;
using RefNet.Layers;
using RefNet.Regularizers;
using RefNet.Tensors;

namespace RefNet.Serialization;

/// <summary>Reads and writes a network's architecture as Keras-like JSON (weights are not included).</summary>
/// <remarks>
/// Keras equivalent: <c>model.to_json()</c> / <c>keras.models.model_from_json</c>. The format is
/// <c>{"class_name":"Sequential","config":{"name":"sequential","layers":[{"class_name":"Dense","config":{...}}, ...]}}</c>,
/// where each layer's <c>config</c> is its <see cref="Layer{T}.GetConfig"/>. Named initializers are written by Keras
/// name (<c>"glorot_uniform"</c>, <c>"he_normal"</c>, <c>"zeros"</c>); parametrised ones (Constant, VarianceScaling,
/// RandomNormal, RandomUniform, TruncatedNormal, Orthogonal) as <c>{"class_name":...,"config":{...}}</c> with Keras'
/// argument names;
/// regularizers as <c>{"class_name":"L1L2","config":{"l1":..,"l2":..}}</c>. The first layer carries
/// <c>"input_shape"</c> (without batch). Unknown classes, unknown or missing fields and bad values throw
/// <see cref="ModelConfigException"/> naming the layer index and field.
/// <para>Reading also accepts Keras 2.0.x's own <c>model.to_json()</c>: the bare layer list as <c>config</c>,
/// <c>batch_input_shape</c>, glorot_uniform written as <c>VarianceScaling</c>, and null-valued options RefNet
/// does not implement (<c>activity_regularizer</c>, constraints, <c>noise_shape</c>); non-null ones are rejected.</para>
/// </remarks>
public static class ModelConfig
{
    private static readonly Dictionary<string, ILayerConfigFactory> Factories = new(StringComparer.Ordinal)
    {
        ["Dense"] = new DenseFactory(),
        ["Activation"] = new ActivationFactory(),
        ["Dropout"] = new DropoutFactory(),
        ["Conv2D"] = new Conv2DFactory(),
        ["MaxPooling2D"] = new PoolingFactory("MaxPooling2D"),
        ["AveragePooling2D"] = new PoolingFactory("AveragePooling2D"),
        ["GlobalMaxPooling2D"] = new PoolingFactory("GlobalMaxPooling2D"),
        ["GlobalAveragePooling2D"] = new PoolingFactory("GlobalAveragePooling2D"),
        ["Flatten"] = new FlattenFactory(),
        ["Reshape"] = new ReshapeFactory(),
        ["BatchNormalization"] = new BatchNormalizationFactory(),
        ["SimpleRNN"] = new RecurrentFactory("SimpleRNN"),
        ["LSTM"] = new RecurrentFactory("LSTM"),
        ["GRU"] = new RecurrentFactory("GRU"),
        ["Embedding"] = new EmbeddingFactory(),
        ["RepeatVector"] = new RepeatVectorFactory(),
        ["TimeDistributed"] = new TimeDistributedFactory(),
    };

    /// <summary>Layer class names <see cref="FromJson{T}"/> understands.</summary>
    public static IReadOnlyCollection<string> KnownLayerClasses => Factories.Keys;

    /// <summary>Adds (or replaces) the factory for a layer class name, so new layers can be read from JSON.</summary>
    public static void RegisterLayer(ILayerConfigFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        lock (Factories)
        {
            Factories[factory.ClassName] = factory;
        }
    }

    /// <summary>The network's architecture as indented JSON.</summary>
    /// <param name="network">Any network; every layer's <see cref="Layer{T}.GetConfig"/> is written.</param>
    /// <param name="name">The model name written to <c>config.name</c>.</param>
    /// <returns>JSON text ending in a newline.</returns>
    /// <exception cref="NotSupportedException">A config value has a type this writer does not know.</exception>
    public static string ToJson<T>(Network<T> network, string name = "sequential")
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(network);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("class_name", "Sequential");
            w.WriteString("keras_version", network.Keras.KerasVersion);
            w.WriteStartObject("config");
            w.WriteString("name", name);
            w.WriteStartArray("layers");
            foreach (Layer<T> layer in network.Layers)
            {
                w.WriteStartObject();
                w.WriteString("class_name", layer.TypeName);
                w.WriteStartObject("config");
                foreach ((string key, object? value) in layer.GetConfig())
                {
                    if (key == "input_shape" && value is null)
                    {
                        continue;
                    }
                    w.WritePropertyName(key);
                    WriteValue(w, value, $"{layer.Name}.{key}");
                }
                w.WriteEndObject();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>Builds a network from JSON written by <see cref="ToJson{T}"/> (or by hand in the same format).</summary>
    /// <param name="json">The configuration text.</param>
    /// <param name="backend">Backend for the layers (CPU when null).</param>
    /// <param name="seed">Network seed for layers whose config has no <c>"seed"</c>.</param>
    /// <param name="keras">The Keras profile for the network; null: the one of the file's <c>keras_version</c>
    /// (<see cref="KerasProfile.FromKerasVersion"/>), or <see cref="KerasProfile.Default"/> when the file has none.</param>
    /// <exception cref="ModelConfigException">Malformed JSON, unknown class, missing or unknown field, a bad value, or a
    /// <c>keras_version</c> RefNet has no profile for (pass <paramref name="keras"/> then).</exception>
    public static Network<T> FromJson<T>(string json, IBackend<T>? backend = null, int seed = 0, KerasProfile? keras = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowDuplicateProperties = false }); // a repeated key is an error, not the last one winning
        }
        catch (JsonException e)
        {
            throw new ModelConfigException($"model config is not valid JSON: {e.Message}", null, null, e);
        }
        using (doc)
        {
            JsonElement root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new ModelConfigException("model config must be a JSON object", null, null);
            }
            string modelClass = root.TryGetProperty("class_name", out JsonElement cn) && cn.ValueKind == JsonValueKind.String
                ? cn.GetString()!
                : throw new ModelConfigException("model config needs \"class_name\": \"Sequential\"", null, "class_name");
            if (modelClass != "Sequential")
            {
                throw new ModelConfigException($"model class '{modelClass}' is not supported (expected Sequential)", null, "class_name");
            }
            if (!root.TryGetProperty("config", out JsonElement config) || config.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))
            {
                throw new ModelConfigException("model config needs an object \"config\"", null, "config");
            }
            // Keras 2.0–2.2.2 wrote a Sequential's config as the bare list of layers; later versions as {"name", "layers"}.
            JsonElement layers = config;
            if (config.ValueKind == JsonValueKind.Object
                && (!config.TryGetProperty("layers", out layers) || layers.ValueKind != JsonValueKind.Array))
            {
                throw new ModelConfigException("model config needs an array \"config.layers\"", null, "layers");
            }
            if (layers.GetArrayLength() == 0)
            {
                throw new ModelConfigException("model config has no layers", null, "layers");
            }
            var network = new Network<T>(backend, seed, keras ?? ProfileOf(root));
            int index = 0;
            foreach (JsonElement layerElement in layers.EnumerateArray())
            {
                Layer<T> layer = ReadLayer<T>(layerElement, index);
                try
                {
                    network.Add(layer);
                }
                catch (ArgumentException e)
                {
                    // A shape that does not fit, or a first layer without one, is about the input shape; anything else
                    // (e.g. a kernel too large to allocate) is about the layer as a whole.
                    bool aboutInput = e is ShapeMismatchException || (index == 0 && layer.DeclaredInputShape is null);
                    string? field = aboutInput ? "input_shape" : null;
                    string where = field is null ? string.Empty : $" field '{field}'";
                    throw new ModelConfigException($"layer {index} ({layer.TypeName}){where}: {ModelConfigException.MessageOf(e)}", index, field, e);
                }
                catch (NotSupportedException e)
                {
                    // A layer option the network's Keras profile does not have (TensorFlow.js' GRU has no reset_after).
                    throw new ModelConfigException($"layer {index} ({layer.TypeName}): {e.Message}", index, null, e);
                }
                index++;
            }
            return network;
        }
    }

    // The profile of the file's keras_version (Keras writes it at the top level); the default when there is none.
    private static KerasProfile ProfileOf(JsonElement root)
    {
        if (!root.TryGetProperty("keras_version", out JsonElement v) || v.ValueKind == JsonValueKind.Null)
        {
            return KerasProfile.Default;
        }
        if (v.ValueKind != JsonValueKind.String)
        {
            throw new ModelConfigException($"model config field 'keras_version': expected a string but got {v.GetRawText()}", null, "keras_version");
        }
        string version = v.GetString()!;
        return KerasProfile.FromKerasVersion(version) ?? throw new ModelConfigException(
            $"model config field 'keras_version': RefNet has no Keras profile for version '{version}' (it has {string.Join(", ", KerasProfile.All.Select(p => p.KerasVersion))}); " +
            "pass the profile to use explicitly (FromJson(..., keras:) or --keras)", null, "keras_version");
    }

    internal static Layer<T> ReadLayer<T>(JsonElement element, int index)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new ModelConfigException($"layer {index}: expected an object with class_name and config", index, null);
        }
        if (!element.TryGetProperty("class_name", out JsonElement cn) || cn.ValueKind != JsonValueKind.String)
        {
            throw new ModelConfigException($"layer {index} field 'class_name': missing (expected a string such as \"Dense\")", index, "class_name");
        }
        string className = cn.GetString()!;
        ILayerConfigFactory? factory;
        lock (Factories)
        {
            Factories.TryGetValue(className, out factory);
        }
        if (factory is null)
        {
            throw new ModelConfigException(
                $"layer {index} field 'class_name': unknown layer class '{className}' (known: {string.Join(", ", Factories.Keys.Order())})", index, "class_name");
        }
        if (!element.TryGetProperty("config", out JsonElement config) || config.ValueKind != JsonValueKind.Object)
        {
            throw new ModelConfigException($"layer {index} ({className}) field 'config': missing (expected an object)", index, "config");
        }
        var reader = new LayerConfigReader(config, index, className);
        Layer<T> layer;
        try
        {
            layer = factory.Create<T>(reader);
        }
        catch (ArgumentException e)
        {
            string where = e.ParamName is null ? string.Empty : $" field '{e.ParamName}'";
            throw new ModelConfigException($"layer {index} ({className}){where}: {ModelConfigException.MessageOf(e)}", index, e.ParamName, e);
        }
        reader.ThrowOnUnreadFields();
        return layer;
    }

    internal static void WriteValue(Utf8JsonWriter w, object? value, string where)
    {
        switch (value)
        {
            case null:
                w.WriteNullValue();
                break;
            case bool b:
                w.WriteBooleanValue(b);
                break;
            case int i:
                w.WriteNumberValue(i);
                break;
            case long l:
                w.WriteNumberValue(l);
                break;
            case double d:
                w.WriteNumberValue(d);
                break;
            case float f:
                w.WriteNumberValue(f);
                break;
            case string s:
                w.WriteStringValue(s);
                break;
            case int[] ints:
                w.WriteStartArray();
                foreach (int i in ints)
                {
                    w.WriteNumberValue(i);
                }
                w.WriteEndArray();
                break;
            case double[] doubles:
                w.WriteStartArray();
                foreach (double d in doubles)
                {
                    w.WriteNumberValue(d);
                }
                w.WriteEndArray();
                break;
            case Initializer init:
                WriteInitializer(w, init);
                break;
            case Regularizer r:
                w.WriteStartObject();
                w.WriteString("class_name", "L1L2");
                w.WriteStartObject("config");
                w.WriteNumber("l1", r.L1);
                w.WriteNumber("l2", r.L2);
                w.WriteEndObject();
                w.WriteEndObject();
                break;
            case IDictionary<string, object?> dict:
                w.WriteStartObject();
                foreach ((string k, object? v) in dict)
                {
                    w.WritePropertyName(k);
                    WriteValue(w, v, $"{where}.{k}");
                }
                w.WriteEndObject();
                break;
            default:
                throw new NotSupportedException($"Config value {where} has type {value.GetType().Name}, which ModelConfig cannot write");
        }
    }

    // Named initializers (glorot_uniform, he_normal, zeros, ...) as their Keras name; parametrised ones as
    // {"class_name": ..., "config": {...}} with Keras' argument names, so that reading gives the same initializer.
    private static void WriteInitializer(Utf8JsonWriter w, Initializer init)
    {
        (string ClassName, (string Key, object Value)[] Args)? keras = init switch
        {
            Constant c when c.Value != 0 && c.Value != 1 => ("Constant", [("value", c.Value)]),
            VarianceScaling v when v.GetType() == typeof(VarianceScaling) => ("VarianceScaling",
                [("scale", v.Scale), ("mode", v.Mode switch { FanMode.FanIn => "fan_in", FanMode.FanOut => "fan_out", _ => "fan_avg" }),
                 ("distribution", v.Uniform ? "uniform" : "truncated_normal")]),
            RandomNormal n => ("RandomNormal", [("mean", n.Mean), ("stddev", n.StdDev)]),
            RandomUniform u => ("RandomUniform", [("minval", u.MinValue), ("maxval", u.MaxValue)]),
            TruncatedNormal t => ("TruncatedNormal", [("mean", t.Mean), ("stddev", t.StdDev)]),
            Orthogonal o => ("Orthogonal", [("gain", o.Gain)]),
            _ => null,
        };
        if (keras is null)
        {
            w.WriteStringValue(init.Name);
            return;
        }
        w.WriteStartObject();
        w.WriteString("class_name", keras.Value.ClassName);
        w.WriteStartObject("config");
        foreach ((string key, object value) in keras.Value.Args)
        {
            if (value is string text)
            {
                w.WriteString(key, text);
            }
            else
            {
                w.WriteNumber(key, (double)value);
            }
        }
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private sealed class DenseFactory : ILayerConfigFactory
    {
        public string ClassName => "Dense";

        public Layer<T> Create<T>(LayerConfigReader c)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            int units = c.GetPositiveInt("units");
            ActivationFunction activation = c.GetActivation("activation", ActivationFunction.Linear);
            bool useBias = c.GetBool("use_bias", true);
            Initializer? kernelInit = c.Has("kernel_initializer") ? c.GetInitializer("kernel_initializer", "glorot_uniform") : null;
            Initializer biasInit = c.GetInitializer("bias_initializer", "zeros");
            Regularizer? kernelReg = c.GetRegularizer("kernel_regularizer");
            Regularizer? biasReg = c.GetRegularizer("bias_regularizer");
            int? seed = c.GetOptionalInt("seed");
            string? name = c.GetOptionalString("name");
            Shape? inputShape = c.GetInputShape();
            return new Dense<T>(units, activation, null, useBias, kernelInit, biasInit, kernelReg, biasReg, seed, name, inputShape);
        }
    }

    private sealed class ActivationFactory : ILayerConfigFactory
    {
        public string ClassName => "Activation";

        public Layer<T> Create<T>(LayerConfigReader c)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            ActivationFunction kind = c.GetActivation("activation", null);
            return new Activation<T>(kind, c.GetOptionalString("name"), c.GetInputShape());
        }
    }

    private sealed class DropoutFactory : ILayerConfigFactory
    {
        public string ClassName => "Dropout";

        public Layer<T> Create<T>(LayerConfigReader c)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            double rate = c.GetDouble("rate");
            if (!(rate >= 0 && rate < 1))
            {
                throw c.Error("rate", $"expected a number in [0, 1) but got {rate.ToString(CultureInfo.InvariantCulture)}");
            }
            int? seed = c.GetOptionalInt("seed");
            string? name = c.GetOptionalString("name");
            return new Dropout<T>(rate, seed, name, c.GetInputShape());
        }
    }

    private sealed class Conv2DFactory : ILayerConfigFactory
    {
        public string ClassName => "Conv2D";

        public Layer<T> Create<T>(LayerConfigReader c)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            int filters = c.GetPositiveInt("filters");
            (int, int) kernel = c.GetPair("kernel_size", (0, 0));
            if (kernel == (0, 0))
            {
                throw c.Error("kernel_size", "missing (expected [height, width])");
            }
            (int, int) strides = c.GetPair("strides", (1, 1));
            string padding = c.GetChoice("padding", "valid", "valid", "same");
            c.GetChoice("data_format", "channels_last", "channels_last");
            (int Height, int Width) dilation = c.GetPair("dilation_rate", (1, 1));
            if (strides != (1, 1) && dilation != (1, 1))
            {
                throw c.Error("dilation_rate", $"{dilation} with strides {strides}: Keras 2 rejects strides > 1 together with dilation > 1");
            }
            ActivationFunction activation = c.GetActivation("activation", ActivationFunction.Linear);
            bool useBias = c.GetBool("use_bias", true);
            Initializer? kernelInit = c.Has("kernel_initializer") ? c.GetInitializer("kernel_initializer", "glorot_uniform") : null;
            Initializer biasInit = c.GetInitializer("bias_initializer", "zeros");
            Regularizer? kernelReg = c.GetRegularizer("kernel_regularizer");
            Regularizer? biasReg = c.GetRegularizer("bias_regularizer");
            return new Conv2D<T>(filters, kernel, strides, padding, dilation, activation, c.GetInputShape(), useBias, kernelInit, biasInit,
                kernelReg, biasReg, c.GetOptionalInt("seed"), c.GetOptionalString("name"));
        }
    }

    // MaxPooling2D and AveragePooling2D (pool_size, strides, padding), and the two global poolings (no window).
    private sealed class PoolingFactory(string className) : ILayerConfigFactory
    {
        public string ClassName => className;

        public Layer<T> Create<T>(LayerConfigReader c)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            c.GetChoice("data_format", "channels_last", "channels_last");
            string? name = c.GetOptionalString("name");
            Shape? inputShape = c.GetInputShape();
            if (className.StartsWith("Global", StringComparison.Ordinal))
            {
                return className == "GlobalMaxPooling2D"
                    ? new GlobalMaxPooling2D<T>(inputShape, name)
                    : new GlobalAveragePooling2D<T>(inputShape, name);
            }
            (int, int) pool = c.GetPair("pool_size", (2, 2));
            (int, int) strides = c.GetPair("strides", pool);
            string padding = c.GetChoice("padding", "valid", "valid", "same");
            return className == "MaxPooling2D"
                ? new MaxPooling2D<T>(pool, strides, padding, inputShape, name)
                : new AveragePooling2D<T>(pool, strides, padding, inputShape, name);
        }
    }

    private sealed class FlattenFactory : ILayerConfigFactory
    {
        public string ClassName => "Flatten";

        public Layer<T> Create<T>(LayerConfigReader c)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            c.GetChoice("data_format", "channels_last", "channels_last");
            return new Flatten<T>(c.GetInputShape(), c.GetOptionalString("name"));
        }
    }

    private sealed class BatchNormalizationFactory : ILayerConfigFactory
    {
        public string ClassName => "BatchNormalization";

        public Layer<T> Create<T>(LayerConfigReader c)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            int axis = c.GetOptionalInt("axis") ?? -1;
            double momentum = c.GetDouble("momentum", 0.99);
            double epsilon = c.GetDouble("epsilon", 1e-3);
            if (!(momentum >= 0 && momentum <= 1))
            {
                throw c.Error("momentum", $"must lie in [0, 1], got {momentum}");
            }
            if (!(epsilon > 0))
            {
                throw c.Error("epsilon", $"must be positive, got {epsilon}");
            }
            bool center = c.GetBool("center", true);
            bool scale = c.GetBool("scale", true);
            Initializer beta = c.GetInitializer("beta_initializer", "zeros");
            Initializer gamma = c.GetInitializer("gamma_initializer", "ones");
            Initializer movingMean = c.GetInitializer("moving_mean_initializer", "zeros");
            Initializer movingVariance = c.GetInitializer("moving_variance_initializer", "ones");
            Regularizer? betaReg = c.GetRegularizer("beta_regularizer");
            Regularizer? gammaReg = c.GetRegularizer("gamma_regularizer");
            MovingVarianceRule? rule = c.Has("moving_variance_rule")
                ? BatchNormalization<T>.ParseRule(c.GetChoice("moving_variance_rule", "biased", "biased", "keras_2_3", "bessel", "bessel_when_fused", "zero_debiased"))
                : null;
            return new BatchNormalization<T>(axis, momentum, epsilon, center, scale, beta, gamma, movingMean, movingVariance, betaReg, gammaReg,
                rule, c.GetInputShape(), c.GetOptionalString("name"));
        }
    }

    // SimpleRNN, LSTM and GRU (Keras 2.2.4 keys). Options RefNet does not implement are accepted at their defaults only:
    // dropout and recurrent_dropout 0, stateful and return_state false; implementation (1 or 2) and unroll change only
    // how Keras schedules the same arithmetic and are accepted and ignored.
    private sealed class RecurrentFactory(string className) : ILayerConfigFactory
    {
        public string ClassName => className;

        public Layer<T> Create<T>(LayerConfigReader c)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            int units = c.GetPositiveInt("units");
            ActivationFunction activation = c.GetActivation("activation", ActivationFunction.Tanh);
            bool useBias = c.GetBool("use_bias", true);
            bool sequences = c.GetBool("return_sequences", false);
            bool backwards = c.GetBool("go_backwards", false);
            // Absent fields take the network's Keras profile (kernel initializer, recurrent activation, unit_forget_bias, reset_after).
            Initializer? kernelInit = c.Has("kernel_initializer") ? c.GetInitializer("kernel_initializer", "glorot_uniform") : null;
            Initializer recurrentInit = c.GetInitializer("recurrent_initializer", "orthogonal");
            Initializer biasInit = c.GetInitializer("bias_initializer", "zeros");
            Regularizer? kernelReg = c.GetRegularizer("kernel_regularizer");
            Regularizer? recurrentReg = c.GetRegularizer("recurrent_regularizer");
            Regularizer? biasReg = c.GetRegularizer("bias_regularizer");
            foreach (string rate in new[] { "dropout", "recurrent_dropout" })
            {
                if (c.GetDouble(rate, 0) != 0)
                {
                    throw c.Error(rate, "RefNet's recurrent layers have no dropout (only 0 is accepted); put a Dropout layer before or after");
                }
            }
            foreach (string flag in new[] { "stateful", "return_state" })
            {
                if (c.GetBool(flag, false))
                {
                    throw c.Error(flag, "not supported by RefNet (only false is accepted)");
                }
            }
            int implementation = c.GetOptionalInt("implementation") ?? 1;
            if (implementation is not (0 or 1 or 2))
            {
                throw c.Error("implementation", $"expected 0, 1 or 2 but got {implementation}");
            }
            c.GetBool("unroll", false);
            int? seed = c.GetOptionalInt("seed");
            string? name = c.GetOptionalString("name");
            Shape? inputShape = c.GetInputShape();
            switch (className)
            {
                case "SimpleRNN":
                    return new SimpleRNN<T>(units, activation, sequences, backwards, inputShape, useBias, kernelInit, recurrentInit, biasInit,
                        kernelReg, recurrentReg, biasReg, seed, name);
                case "LSTM":
                    ActivationFunction? lstmGates = c.Has("recurrent_activation") ? c.GetActivation("recurrent_activation", null) : null;
                    bool? forgetBias = c.Has("unit_forget_bias") ? c.GetBool("unit_forget_bias", true) : null;
                    return new LSTM<T>(units, activation, lstmGates, sequences, backwards, forgetBias, inputShape, useBias, kernelInit, recurrentInit,
                        biasInit, kernelReg, recurrentReg, biasReg, seed, name);
                default:
                    ActivationFunction? gruGates = c.Has("recurrent_activation") ? c.GetActivation("recurrent_activation", null) : null;
                    bool? resetAfter = c.Has("reset_after") ? c.GetBool("reset_after", false) : null;
                    return new GRU<T>(units, activation, gruGates, sequences, backwards, resetAfter, inputShape, useBias, kernelInit, recurrentInit,
                        biasInit, kernelReg, recurrentReg, biasReg, seed, name);
            }
        }
    }

    private sealed class EmbeddingFactory : ILayerConfigFactory
    {
        public string ClassName => "Embedding";

        public Layer<T> Create<T>(LayerConfigReader c)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            int inputDim = c.GetPositiveInt("input_dim");
            int outputDim = c.GetPositiveInt("output_dim");
            Initializer init = c.GetInitializer("embeddings_initializer", "uniform");
            Regularizer? reg = c.GetRegularizer("embeddings_regularizer");
            if (c.GetBool("mask_zero", false))
            {
                throw c.Error("mask_zero", "masking is not supported by RefNet (only false is accepted)");
            }
            int? length = c.GetOptionalInt("input_length");
            Shape? inputShape = c.GetInputShape();
            if (length is int l && inputShape is not null && (inputShape.Rank != 1 || inputShape[0] != l))
            {
                throw c.Error("input_length", $"{l} disagrees with the input shape {inputShape}");
            }
            if (length is <= 0)
            {
                throw c.Error("input_length", $"expected a positive integer or null but got {length}");
            }
            return new Embedding<T>(inputDim, outputDim, length, inputShape, init, reg, c.GetOptionalInt("seed"), c.GetOptionalString("name"));
        }
    }

    private sealed class RepeatVectorFactory : ILayerConfigFactory
    {
        public string ClassName => "RepeatVector";

        public Layer<T> Create<T>(LayerConfigReader c)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            int n = c.GetPositiveInt("n");
            return new RepeatVector<T>(n, c.GetInputShape(), c.GetOptionalString("name"));
        }
    }

    private sealed class TimeDistributedFactory : ILayerConfigFactory
    {
        public string ClassName => "TimeDistributed";

        public Layer<T> Create<T>(LayerConfigReader c)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Layer<T> inner = c.GetLayer<T>("layer");
            return new TimeDistributed<T>(inner, c.GetInputShape(), c.GetOptionalString("name"));
        }
    }

    private sealed class ReshapeFactory : ILayerConfigFactory
    {
        public string ClassName => "Reshape";

        public Layer<T> Create<T>(LayerConfigReader c)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            int[] target = c.GetIntArray("target_shape");
            return new Reshape<T>(target, c.GetInputShape(), c.GetOptionalString("name"));
        }
    }
}

/// <summary>Creates one layer class from its JSON config (register with <see cref="ModelConfig.RegisterLayer"/>).</summary>
public interface ILayerConfigFactory
{
    /// <summary>The Keras class name, e.g. "Dense".</summary>
    string ClassName { get; }

    /// <summary>Creates the layer; read every field through <paramref name="config"/> (unread fields are errors).</summary>
    Layer<T> Create<T>(LayerConfigReader config)
        where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>Typed, checked access to one layer's <c>config</c> object; errors name the layer index and field.</summary>
public sealed class LayerConfigReader
{
    // Keras writes these; RefNet accepts and ignores them (trainable must be true, dtype is chosen by T).
    private static readonly HashSet<string> Ignored = ["trainable", "dtype"];

    // Keras options RefNet does not implement: accepted only when null (their Keras default).
    private static readonly HashSet<string> NullOnly = ["activity_regularizer", "kernel_constraint", "bias_constraint", "noise_shape", "beta_constraint", "gamma_constraint",
        "recurrent_constraint", "embeddings_constraint"];

    private readonly JsonElement _config;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    internal LayerConfigReader(JsonElement config, int layerIndex, string className)
    {
        _config = config;
        LayerIndex = layerIndex;
        ClassName = className;
    }

    /// <summary>Position of the layer in the model's layer list (0-based).</summary>
    public int LayerIndex { get; }

    /// <summary>The layer's class name.</summary>
    public string ClassName { get; }

    /// <summary>An exception about <paramref name="field"/> of this layer.</summary>
    public ModelConfigException Error(string field, string problem) =>
        new($"layer {LayerIndex} ({ClassName}) field '{field}': {problem}", LayerIndex, field);

    /// <summary>A required integer greater than zero.</summary>
    public int GetPositiveInt(string field)
    {
        JsonElement e = Required(field);
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out int v) || v <= 0)
        {
            throw Error(field, $"expected a positive integer but got {e.GetRawText()}");
        }
        return v;
    }

    /// <summary>An optional integer (absent or null gives null).</summary>
    public int? GetOptionalInt(string field)
    {
        if (!TryGet(field, out JsonElement e) || e.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out int v))
        {
            throw Error(field, $"expected an integer or null but got {e.GetRawText()}");
        }
        return v;
    }

    /// <summary>A required finite number.</summary>
    public double GetDouble(string field)
    {
        JsonElement e = Required(field);
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetDouble(out double v) || !double.IsFinite(v))
        {
            throw Error(field, $"expected a number but got {e.GetRawText()}");
        }
        return v;
    }

    /// <summary>An optional finite number.</summary>
    public double GetDouble(string field, double defaultValue) =>
        TryGet(field, out JsonElement e) && e.ValueKind != JsonValueKind.Null ? GetDouble(field) : defaultValue;

    /// <summary>An optional boolean.</summary>
    public bool GetBool(string field, bool defaultValue)
    {
        if (!TryGet(field, out JsonElement e))
        {
            return defaultValue;
        }
        return e.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error(field, $"expected true or false but got {e.GetRawText()}"),
        };
    }

    /// <summary>An optional string (absent or null gives null).</summary>
    public string? GetOptionalString(string field)
    {
        if (!TryGet(field, out JsonElement e) || e.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return e.ValueKind == JsonValueKind.String ? e.GetString() : throw Error(field, $"expected a string but got {e.GetRawText()}");
    }

    /// <summary>An activation by Keras name; required when <paramref name="defaultValue"/> is null.</summary>
    public ActivationFunction GetActivation(string field, ActivationFunction? defaultValue)
    {
        if (!TryGet(field, out JsonElement e) || e.ValueKind == JsonValueKind.Null)
        {
            return defaultValue ?? throw Error(field, "missing (expected linear, relu, sigmoid, tanh or softmax)");
        }
        if (e.ValueKind != JsonValueKind.String)
        {
            throw Error(field, $"expected an activation name but got {e.GetRawText()}");
        }
        try
        {
            return ActivationFunction.FromName(e.GetString());
        }
        catch (ArgumentException ex)
        {
            throw Error(field, ModelConfigException.MessageOf(ex));
        }
    }

    /// <summary>An initializer: a Keras name, or <c>{"class_name": ..., "config": {...}}</c> (Constant takes "value").</summary>
    public Initializer GetInitializer(string field, string defaultName)
    {
        if (!TryGet(field, out JsonElement e) || e.ValueKind == JsonValueKind.Null)
        {
            return Initializer.FromName(defaultName);
        }
        try
        {
            if (e.ValueKind == JsonValueKind.String)
            {
                return Initializer.FromName(e.GetString()!);
            }
            if (e.ValueKind == JsonValueKind.Object && e.TryGetProperty("class_name", out JsonElement cn) && cn.ValueKind == JsonValueKind.String)
            {
                string name = cn.GetString()!;
                JsonElement cfg = e.TryGetProperty("config", out JsonElement c) && c.ValueKind == JsonValueKind.Object ? c : default;
                double Arg(string key, double defaultValue) =>
                    cfg.ValueKind != JsonValueKind.Object || !cfg.TryGetProperty(key, out JsonElement v) || v.ValueKind == JsonValueKind.Null
                        ? defaultValue
                        : v.ValueKind == JsonValueKind.Number ? v.GetDouble() : throw Error(field, $"{name} config.{key} must be a number, got {v.GetRawText()}");
                string? Text(string key) =>
                    cfg.ValueKind == JsonValueKind.Object && cfg.TryGetProperty(key, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
                return name switch
                {
                    "Constant" => cfg.ValueKind == JsonValueKind.Object && cfg.TryGetProperty("value", out _)
                        ? new Constant(Arg("value", 0))
                        : throw Error(field, "Constant initializer needs config.value (a number)"),
                    "VarianceScaling" => ReadVarianceScaling(field, Arg("scale", 1.0), Text("mode") ?? "fan_in", Text("distribution") ?? "truncated_normal"),
                    "RandomNormal" => new RandomNormal(Arg("mean", 0.0), Arg("stddev", 0.05)),
                    "RandomUniform" => new RandomUniform(Arg("minval", -0.05), Arg("maxval", 0.05)),
                    "TruncatedNormal" => new TruncatedNormal(Arg("mean", 0.0), Arg("stddev", 0.05)),
                    "Orthogonal" => new Orthogonal(Arg("gain", 1.0)),
                    _ => Initializer.FromName(name),
                };
            }
        }
        catch (ArgumentException ex)
        {
            throw Error(field, ModelConfigException.MessageOf(ex));
        }
        throw Error(field, $"expected an initializer name or {{\"class_name\":...,\"config\":...}} but got {e.GetRawText()}");
    }

    // Keras' VarianceScaling config; the named special cases come back as their named classes.
    private Initializer ReadVarianceScaling(string field, double scale, string mode, string distribution)
    {
        FanMode fan = mode switch
        {
            "fan_in" => FanMode.FanIn,
            "fan_out" => FanMode.FanOut,
            "fan_avg" => FanMode.FanAvg,
            _ => throw Error(field, $"VarianceScaling mode must be fan_in, fan_out or fan_avg, got '{mode}'"),
        };
        bool uniform = distribution switch
        {
            "uniform" => true,
            "normal" or "truncated_normal" => false,
            _ => throw Error(field, $"VarianceScaling distribution must be uniform, normal or truncated_normal, got '{distribution}'"),
        };
        return (scale, fan, uniform) switch
        {
            (1.0, FanMode.FanAvg, true) => new GlorotUniform(),
            (1.0, FanMode.FanAvg, false) => new GlorotNormal(),
            (2.0, FanMode.FanIn, true) => new HeUniform(),
            (2.0, FanMode.FanIn, false) => new HeNormal(),
            (1.0, FanMode.FanIn, true) => new LecunUniform(),
            (1.0, FanMode.FanIn, false) => new LecunNormal(),
            _ => new VarianceScaling(scale, fan, uniform),
        };
    }

    /// <summary>An optional regularizer: <c>{"class_name":"L1L2"|"L1"|"L2","config":{"l1":..,"l2":..}}</c> or null.</summary>
    public Regularizer? GetRegularizer(string field)
    {
        if (!TryGet(field, out JsonElement e) || e.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty("class_name", out JsonElement cn)
            || cn.GetString() is not ("L1L2" or "L1" or "L2") || !e.TryGetProperty("config", out JsonElement cfg)
            || cfg.ValueKind != JsonValueKind.Object)
        {
            throw Error(field, $"expected {{\"class_name\":\"L1L2\",\"config\":{{\"l1\":..,\"l2\":..}}}} or null but got {e.GetRawText()}");
        }
        double l1 = Factor(cfg, "l1", field);
        double l2 = Factor(cfg, "l2", field);
        return new Regularizer(l1, l2);
    }

    /// <summary>An optional (height, width) pair, written by Keras as [h, w]; a single integer means (n, n).</summary>
    public (int Height, int Width) GetPair(string field, (int Height, int Width) defaultValue)
    {
        if (!TryGet(field, out JsonElement e) || e.ValueKind == JsonValueKind.Null)
        {
            return defaultValue;
        }
        if (e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int n) && n > 0)
        {
            return (n, n);
        }
        if (e.ValueKind == JsonValueKind.Array && e.GetArrayLength() == 2
            && e[0].ValueKind == JsonValueKind.Number && e[0].TryGetInt32(out int h) && h > 0
            && e[1].ValueKind == JsonValueKind.Number && e[1].TryGetInt32(out int w) && w > 0)
        {
            return (h, w);
        }
        throw Error(field, $"expected [height, width] of positive integers but got {e.GetRawText()}");
    }

    /// <summary>An optional string that must be one of <paramref name="allowed"/> (compared without case).</summary>
    public string GetChoice(string field, string defaultValue, params string[] allowed)
    {
        string? v = GetOptionalString(field);
        if (v is null)
        {
            return defaultValue;
        }
        return allowed.FirstOrDefault(a => string.Equals(a, v, StringComparison.OrdinalIgnoreCase))
            ?? throw Error(field, $"expected {string.Join(" or ", allowed.Select(a => $"\"{a}\""))} but got \"{v}\"");
    }

    /// <summary>A required array of integers (e.g. Reshape's target_shape, which may hold −1).</summary>
    public int[] GetIntArray(string field)
    {
        JsonElement e = Required(field);
        if (e.ValueKind != JsonValueKind.Array || e.EnumerateArray().Any(d => d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out _)))
        {
            throw Error(field, $"expected an array of integers but got {e.GetRawText()}");
        }
        return [.. e.EnumerateArray().Select(d => d.GetInt32())];
    }

    /// <summary>The optional <c>input_shape</c> (without batch), or Keras' <c>batch_input_shape</c> [null, ...].</summary>
    public Shape? GetInputShape()
    {
        bool hasShape = TryGet("input_shape", out JsonElement e) && e.ValueKind != JsonValueKind.Null;
        bool hasBatch = TryGet("batch_input_shape", out JsonElement b) && b.ValueKind != JsonValueKind.Null;
        if (hasShape && hasBatch)
        {
            throw Error("batch_input_shape", "give input_shape or batch_input_shape, not both");
        }
        if (!hasShape && !hasBatch)
        {
            return null;
        }
        string field = hasShape ? "input_shape" : "batch_input_shape";
        JsonElement arr = hasShape ? e : b;
        if (arr.ValueKind != JsonValueKind.Array)
        {
            throw Error(field, $"expected an array of positive integers but got {arr.GetRawText()}");
        }
        var dims = new List<int>();
        int i = 0;
        foreach (JsonElement d in arr.EnumerateArray())
        {
            if (!hasShape && i == 0)
            {
                if (d.ValueKind != JsonValueKind.Null)
                {
                    throw Error(field, "the batch dimension (first entry) must be null");
                }
            }
            else if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out int v) || v <= 0)
            {
                throw Error(field, $"expected an array of positive integers but got {arr.GetRawText()}");
            }
            else
            {
                dims.Add(v);
            }
            i++;
        }
        if (dims.Count == 0)
        {
            throw Error(field, "the shape has no dimensions");
        }
        return new Shape([.. dims]);
    }

    /// <summary>A nested layer, <c>{"class_name": …, "config": {…}}</c> (a wrapper's "layer"); errors carry this layer's index.</summary>
    public Layer<T> GetLayer<T>(string field)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        JsonElement e = Required(field);
        return ModelConfig.ReadLayer<T>(e, LayerIndex);
    }

    /// <summary>Throws if the config has a field no getter asked for (a typo or an unsupported option).</summary>
    public void ThrowOnUnreadFields()
    {
        foreach (JsonProperty p in _config.EnumerateObject())
        {
            if (NullOnly.Contains(p.Name) && !_read.Contains(p.Name))
            {
                if (p.Value.ValueKind != JsonValueKind.Null)
                {
                    throw Error(p.Name, $"not supported by RefNet (only null is accepted), got {p.Value.GetRawText()}");
                }
                continue;
            }
            if (!_read.Contains(p.Name) && !Ignored.Contains(p.Name))
            {
                throw Error(p.Name, "unknown field for this layer class");
            }
            if (p.Name == "trainable" && p.Value.ValueKind != JsonValueKind.True)
            {
                throw Error(p.Name, "frozen layers (trainable: false) are not supported in configs");
            }
        }
    }

    private double Factor(JsonElement cfg, string key, string field)
    {
        if (!cfg.TryGetProperty(key, out JsonElement v) || v.ValueKind == JsonValueKind.Null)
        {
            return 0;
        }
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out double d) || !(d >= 0) || !double.IsFinite(d))
        {
            throw Error(field, $"{key} must be a non-negative number but got {v.GetRawText()}");
        }
        return d;
    }

    private JsonElement Required(string field) =>
        TryGet(field, out JsonElement e) && e.ValueKind != JsonValueKind.Null ? e : throw Error(field, "missing required field");

    /// <summary>Whether the field is present and not null (an absent field leaves the choice to the Keras profile).</summary>
    public bool Has(string field)
    {
        _read.Add(field);
        return _config.TryGetProperty(field, out JsonElement e) && e.ValueKind != JsonValueKind.Null;
    }

    private bool TryGet(string field, out JsonElement value)
    {
        _read.Add(field);
        return _config.TryGetProperty(field, out value);
    }
}

/// <summary>A model configuration that cannot be read; says which layer and field.</summary>
public sealed class ModelConfigException : FormatException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The full message (already names layer and field).</param>
    /// <param name="layerIndex">0-based layer index, or null for model-level problems.</param>
    /// <param name="field">The offending field, if known.</param>
    /// <param name="inner">The underlying exception, if any.</param>
    public ModelConfigException(string message, int? layerIndex, string? field, Exception? inner = null)
        : base(message, inner)
    {
        LayerIndex = layerIndex;
        Field = field;
    }

    /// <summary>0-based index of the layer at fault (null for model-level problems).</summary>
    public int? LayerIndex { get; }

    /// <summary>The field at fault, if known.</summary>
    public string? Field { get; }

    /// <summary>The message of an argument error without .NET's " (Parameter 'name')" suffix, for embedding in a sentence.</summary>
    internal static string MessageOf(ArgumentException e) =>
        e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", string.Empty);
}
