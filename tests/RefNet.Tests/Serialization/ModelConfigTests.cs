// Tests of the Keras-style model config JSON: round trips, hand-written configs, and every error path.
using RefNet.Activations;
using RefNet.Backends;
using RefNet.Engine;
using RefNet.Initializers;
using RefNet.Layers;
using RefNet.Regularizers;
using RefNet.Serialization;
using Xunit;

namespace RefNet.Tests.Serialization;

public class ModelConfigTests
{
    private static Network<double> RichNetwork()
    {
        var net = new Network<double>(seed: 11);
        net.Add(new Dense<double>(6, ActivationFunction.Relu, inputDim: 4, kernelRegularizer: new Regularizer(l2: 0.01),
            biasRegularizer: new Regularizer(l1: 0.5, l2: 0.25), biasInitializer: new Constant(0.1)));
        net.Add(new Dropout<double>(0.2, seed: 5));
        net.Add(new Dense<double>(3, ActivationFunction.Linear, useBias: false, kernelInitializer: new Constant(1)));
        net.Add(new Activation<double>("softmax"));
        return net;
    }

    [Fact]
    public void RoundTrip_ConfigNetworkConfig_IsIdentical()
    {
        Network<double> original = RichNetwork();
        string json = ModelConfig.ToJson(original);
        Network<double> rebuilt = ModelConfig.FromJson<double>(json);
        Assert.Equal(json, ModelConfig.ToJson(rebuilt));
        Assert.Equal(original.Summary(), rebuilt.Summary());
        // Same seeds in the config give the same initial weights.
        foreach (var (a, b) in original.Parameters.Zip(rebuilt.Parameters))
        {
            Assert.Equal(a.Name, b.Name);
            Assert.Equal(a.Value.ToArray(), b.Value.ToArray());
        }
    }

    [Fact]
    public void RoundTrip_PreservesEveryDenseArgument()
    {
        Network<double> rebuilt = ModelConfig.FromJson<double>(ModelConfig.ToJson(RichNetwork()));
        var d1 = Assert.IsType<Dense<double>>(rebuilt.Layers[0]);
        Assert.Equal(6, d1.Units);
        Assert.Equal(ActivationFunction.Relu, d1.Activation);
        Assert.Equal(0.01, d1.KernelRegularizer!.L2);
        Assert.Equal(0.5, d1.BiasRegularizer!.L1);
        Assert.Equal(0.25, d1.BiasRegularizer!.L2);
        Assert.Equal(0.1, Assert.IsType<Constant>(d1.BiasInitializer).Value);
        Assert.Equal(11, d1.Seed);
        var drop = Assert.IsType<Dropout<double>>(rebuilt.Layers[1]);
        Assert.Equal(0.2, drop.Rate);
        Assert.Equal(5, drop.Seed);
        var d2 = Assert.IsType<Dense<double>>(rebuilt.Layers[2]);
        Assert.False(d2.UseBias);
        Assert.Equal("ones", d2.KernelInitializer.Name);
        Assert.Equal(ActivationFunction.Softmax, Assert.IsType<Activation<double>>(rebuilt.Layers[3]).Function);
    }

    public static TheoryData<string, Func<Initializer>> Initializers => new()
    {
        { "glorot_uniform", () => new GlorotUniform() },
        { "he_normal", () => new HeNormal() },
        { "lecun_uniform", () => new LecunUniform() },
        { "variance_scaling", () => new VarianceScaling(0.5, FanMode.FanOut, uniform: true) },
        { "random_normal", () => new RandomNormal(0.1, 0.2) },
        { "random_uniform", () => new RandomUniform(-0.3, 0.4) },
        { "truncated_normal", () => new TruncatedNormal(0, 0.01) },
        { "orthogonal", () => new Orthogonal(1.5) },
        { "constant", () => new Constant(0.25) },
    };

    [Theory]
    [MemberData(nameof(Initializers))]
    public void RoundTrip_KeepsEveryInitializerAndItsArguments(string name, Func<Initializer> create)
    {
        var net = new Network<double>(seed: 4);
        net.Add(new Dense<double>(5, ActivationFunction.Tanh, inputDim: 6, kernelInitializer: create(), biasInitializer: name == "orthogonal" ? new Constant(0.5) : create()));
        string json = ModelConfig.ToJson(net);
        Network<double> rebuilt = ModelConfig.FromJson<double>(json);
        Assert.Equal(json, ModelConfig.ToJson(rebuilt));
        Assert.Equal(name, ((Dense<double>)rebuilt.Layers[0]).KernelInitializer.Name);
        // Same initializer, same arguments and same seed: the same weights.
        Assert.Equal(net.Layers[0].Parameters[0].Value.ToArray(), rebuilt.Layers[0].Parameters[0].Value.ToArray());
        Assert.Equal(net.Layers[0].Parameters[1].Value.ToArray(), rebuilt.Layers[0].Parameters[1].Value.ToArray());
    }

    [Fact]
    public void HandWrittenKerasStyleConfig_BuildsThe271Model()
    {
        const string json = """
        {"class_name": "Sequential", "config": {"name": "slides", "layers": [
          {"class_name": "Dense", "config": {"units": 10, "activation": "sigmoid", "batch_input_shape": [null, 20], "trainable": true, "dtype": "float32"}},
          {"class_name": "Dense", "config": {"units": 5, "activation": "sigmoid", "kernel_initializer": {"class_name": "GlorotUniform", "config": {}}}},
          {"class_name": "Dense", "config": {"units": 1, "activation": "sigmoid", "kernel_regularizer": {"class_name": "L2", "config": {"l2": 0.01}}}}
        ]}}
        """;
        Network<float> net = ModelConfig.FromJson<float>(json);
        Assert.Equal(271, net.CountParameters());
        Assert.Equal(new[] { 210, 55, 6 }, net.Layers.Select(l => l.CountParameters()).ToArray());
        Assert.Equal(0.01, ((Dense<float>)net.Layers[2]).KernelRegularizer!.L2);
    }

    [Theory]
    [InlineData("""{"class_name":"Dense","config":{"units":3,"input_shape":[2]}}, {"class_name":"Conv9D","config":{}}""", 1, "class_name")]
    [InlineData("""{"class_name":"Dense","config":{"input_shape":[2]}}""", 0, "units")]
    [InlineData("""{"class_name":"Dense","config":{"units":-3,"input_shape":[2]}}""", 0, "units")]
    [InlineData("""{"class_name":"Dense","config":{"units":"ten","input_shape":[2]}}""", 0, "units")]
    [InlineData("""{"class_name":"Dense","config":{"units":3,"input_shape":[2],"activation":"swish"}}""", 0, "activation")]
    [InlineData("""{"class_name":"Dense","config":{"units":3,"input_shape":[2],"unitz":4}}""", 0, "unitz")]
    [InlineData("""{"class_name":"Dense","config":{"units":3,"input_shape":[2],"use_bias":"yes"}}""", 0, "use_bias")]
    [InlineData("""{"class_name":"Dense","config":{"units":3,"input_shape":[2],"kernel_initializer":"he_magic"}}""", 0, "kernel_initializer")]
    [InlineData("""{"class_name":"Dense","config":{"units":3,"input_shape":[2],"kernel_regularizer":{"class_name":"L1L2","config":{"l1":-1}}}}""", 0, "kernel_regularizer")]
    [InlineData("""{"class_name":"Conv2D","config":{"filters":2,"kernel_size":[3],"input_shape":[5,5,1]}}""", 0, "kernel_size")]
    [InlineData("""{"class_name":"Conv2D","config":{"filters":2,"input_shape":[5,5,1]}}""", 0, "kernel_size")]
    [InlineData("""{"class_name":"Conv2D","config":{"filters":2,"kernel_size":3,"padding":"full","input_shape":[5,5,1]}}""", 0, "padding")]
    [InlineData("""{"class_name":"Conv2D","config":{"filters":2,"kernel_size":[3,3],"strides":[2,2],"dilation_rate":[2,2],"input_shape":[9,9,1]}}""", 0, "dilation_rate")]
    [InlineData("""{"class_name":"MaxPooling2D","config":{"pool_size":[2,2],"data_format":"channels_first","input_shape":[4,4,1]}}""", 0, "data_format")]
    [InlineData("""{"class_name":"Flatten","config":{"input_shape":[4,4,1]}}, {"class_name":"Reshape","config":{"target_shape":"16"}}""", 1, "target_shape")]
    [InlineData("""{"class_name":"Dense","config":{"units":3}}""", 0, "input_shape")]
    [InlineData("""{"class_name":"Dense","config":{"units":3,"input_shape":[2]}}, {"class_name":"Dropout","config":{"rate":1.5}}""", 1, "rate")]
    [InlineData("""{"class_name":"Dense","config":{"units":3,"input_shape":[2]}}, {"class_name":"Dropout","config":{}}""", 1, "rate")]
    [InlineData("""{"class_name":"Dense","config":{"units":3,"input_shape":[2]}}, {"class_name":"Activation","config":{}}""", 1, "activation")]
    [InlineData("""{"class_name":"Dense","config":{"units":3,"input_shape":[2]}}, {"class_name":"Dense","config":{"units":1,"seed":1.5}}""", 1, "seed")]
    public void BadLayer_ThrowsModelConfigException_NamingLayerAndField(string layers, int layerIndex, string field)
    {
        string json = "{\"class_name\":\"Sequential\",\"config\":{\"name\":\"m\",\"layers\":[" + layers + "]}}";
        var e = Assert.Throws<ModelConfigException>(() => ModelConfig.FromJson<double>(json));
        Assert.Equal(layerIndex, e.LayerIndex);
        Assert.Equal(field, e.Field);
        Assert.Contains($"layer {layerIndex}", e.Message);
        Assert.Contains(field, e.Message);
    }

    [Fact]
    public void LayerTooLargeToAllocate_IsAModelConfigException_NamingTheLayerAndShape()
    {
        string json = """{"class_name":"Sequential","config":{"layers":[{"class_name":"Dense","config":{"units":100000,"input_shape":[100000]}}]}}""";
        var e = Assert.Throws<ModelConfigException>(() => ModelConfig.FromJson<float>(json));
        Assert.Equal(0, e.LayerIndex);
        Assert.Contains("(100000, 100000)", e.Message);
        Assert.DoesNotContain("(Parameter", e.Message);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("[]")]
    [InlineData("""{"class_name":"Functional","config":{"layers":[]}}""")]
    [InlineData("""{"class_name":"Sequential"}""")]
    [InlineData("""{"class_name":"Sequential","config":{"layers":[]}}""")]
    public void BadModel_ThrowsModelConfigException(string json)
    {
        var e = Assert.Throws<ModelConfigException>(() => ModelConfig.FromJson<float>(json));
        Assert.Null(e.LayerIndex);
        Assert.IsAssignableFrom<FormatException>(e);
    }

    [Fact]
    public void ToJson_WritesKerasStructure()
    {
        var net = new Network<float>();
        net.Add(new Dense<float>(10, "sigmoid", inputDim: 20)).Add(new Dense<float>(5, "sigmoid")).Add(new Dense<float>(1, "sigmoid"));
        string json = ModelConfig.ToJson(net);
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal("Sequential", root.GetProperty("class_name").GetString());
        var layers = root.GetProperty("config").GetProperty("layers");
        Assert.Equal(3, layers.GetArrayLength());
        var first = layers[0].GetProperty("config");
        Assert.Equal("Dense", layers[0].GetProperty("class_name").GetString());
        Assert.Equal(10, first.GetProperty("units").GetInt32());
        Assert.Equal("sigmoid", first.GetProperty("activation").GetString());
        Assert.Equal(20, first.GetProperty("input_shape")[0].GetInt32());
        Assert.Equal("glorot_uniform", first.GetProperty("kernel_initializer").GetString());
        Assert.False(layers[1].GetProperty("config").TryGetProperty("input_shape", out _));
    }
}

public class ModelConfigKerasCompatibilityTests
{
    // The shape of Keras 2.0.x model.to_json() for Sequential: config is the bare layer list, glorot_uniform is
    // written as VarianceScaling, and unused options appear as nulls.
    private const string Keras20Json = """
    {"class_name": "Sequential", "keras_version": "2.0.8", "backend": "tensorflow", "config": [
      {"class_name": "Dense", "config": {"name": "dense_1", "trainable": true, "batch_input_shape": [null, 784], "dtype": "float32",
        "units": 512, "activation": "relu", "use_bias": true,
        "kernel_initializer": {"class_name": "VarianceScaling", "config": {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform", "seed": null}},
        "bias_initializer": {"class_name": "Zeros", "config": {}},
        "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null}},
      {"class_name": "Dropout", "config": {"name": "dropout_1", "trainable": true, "rate": 0.2, "noise_shape": null, "seed": null}},
      {"class_name": "Dense", "config": {"name": "dense_2", "trainable": true, "units": 10, "activation": "softmax", "use_bias": true,
        "kernel_initializer": {"class_name": "VarianceScaling", "config": {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform", "seed": null}},
        "bias_initializer": {"class_name": "Zeros", "config": {}},
        "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null}}
    ]}
    """;

    [Fact]
    public void Keras20StyleJson_IsRead()
    {
        Network<float> net = ModelConfig.FromJson<float>(Keras20Json);
        // Dense formula in·out + out: 784·512 + 512, 0, 512·10 + 10.
        Assert.Equal(new[] { 401920, 0, 5130 }, net.Layers.Select(l => l.CountParameters()).ToArray());
        Assert.Equal("glorot_uniform", ((Dense<float>)net.Layers[0]).KernelInitializer.Name);
        Assert.Equal("dense_2", net.Layers[2].Name);
    }

    [Theory]
    [InlineData("\"kernel_constraint\": null", "\"kernel_constraint\": {\"class_name\": \"MaxNorm\", \"config\": {\"max_value\": 2}}", "kernel_constraint")]
    [InlineData("\"scale\": 1.0, \"mode\": \"fan_avg\"", "\"scale\": 1.0, \"mode\": \"fan_sideways\"", "kernel_initializer")]
    [InlineData("\"distribution\": \"uniform\"", "\"distribution\": \"cauchy\"", "kernel_initializer")]
    [InlineData("\"noise_shape\": null", "\"noise_shape\": [null, 1]", "noise_shape")]
    public void UnsupportedKerasOptions_AreRejectedByName(string original, string replacement, string field)
    {
        var e = Assert.Throws<ModelConfigException>(() => ModelConfig.FromJson<float>(ReplaceFirst(Keras20Json, original, replacement)));
        Assert.Equal(field, e.Field);
    }

    private static string ReplaceFirst(string text, string old, string replacement)
    {
        int i = text.IndexOf(old, StringComparison.Ordinal);
        Assert.True(i >= 0, $"'{old}' not in the sample");
        return text[..i] + replacement + text[(i + old.Length)..];
    }
}
