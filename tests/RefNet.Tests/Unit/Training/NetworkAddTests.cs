// Network.Add's checks, as Keras' Sequential.add: a layer cannot join twice, names are unique (auto names skip the names
// a user gave), and a later layer whose declared input shape contradicts the layer before it is refused naming both.
using RefNet.Activations;
using RefNet.Engine;
using RefNet.Layers;
using RefNet.Serialization;
using RefNet.Tensors;
using Xunit;

namespace RefNet.Tests.Unit.Training;

public sealed class NetworkAddTests
{
    [Fact]
    public void ADuplicateLayerName_IsRefused_NamingItAndItsPosition()
    {
        var net = new Sequential<double>();
        net.Add(new Dense<double>(3, ActivationFunction.Relu, inputDim: 2, name: "hidden"));
        var e = Assert.Throws<ArgumentException>(() => net.Add(new Dense<double>(1, ActivationFunction.Linear, name: "hidden")));
        Assert.Contains("Layer name 'hidden' is already used in this network (layer 0)", e.Message);
        Assert.Single(net.Layers);
    }

    [Fact]
    public void AutomaticNames_SkipNamesTheUserGave()
    {
        var net = new Sequential<double>();
        net.Add(new Dense<double>(3, ActivationFunction.Relu, inputDim: 2, name: "dense_2"));
        net.Add(new Dense<double>(3, ActivationFunction.Relu));
        net.Add(new Dense<double>(1, ActivationFunction.Linear));
        Assert.Equal(["dense_2", "dense_1", "dense_3"], net.Layers.Select(l => l.Name));
    }

    [Fact]
    public void TheSameLayerTwice_IsRefused()
    {
        var net = new Sequential<double>();
        var d = new Dense<double>(2, ActivationFunction.Linear, inputDim: 2);
        net.Add(d);
        Assert.Contains("is already in this network", Assert.Throws<ArgumentException>(() => net.Add(d)).Message);
    }

    [Fact]
    public void ALaterLayersContradictingInputDim_IsAShapeErrorNamingBothShapes_AnAgreeingOneIsFine()
    {
        var net = new Sequential<double>();
        net.Add(new Dense<double>(5, ActivationFunction.Relu, inputDim: 3, name: "a"));
        var e = Assert.Throws<ShapeMismatchException>(() => net.Add(new Dense<double>(2, ActivationFunction.Linear, inputDim: 4, name: "b")));
        Assert.Contains("Dense 'b' declares its input shape, but the layer before it ('a') outputs (5,)", e.Message);
        Assert.Contains("but got (4,)", e.Message);
        net.Add(new Dense<double>(2, ActivationFunction.Linear, inputDim: 5, name: "c"));
        Assert.Equal(2, net.Layers.Count);
    }

    [Fact]
    public void AModelJsonWithDuplicateLayerNames_IsATypedError()
    {
        const string json = """
            {"class_name": "Sequential", "config": {"name": "s", "layers": [
              {"class_name": "Dense", "config": {"name": "d", "units": 2, "activation": "linear", "batch_input_shape": [null, 3]}},
              {"class_name": "Dense", "config": {"name": "d", "units": 1, "activation": "linear"}}]}}
            """;
        var e = Assert.ThrowsAny<Exception>(() => ModelConfig.FromJson<double>(json));
        Assert.True(e is ModelConfigException or ArgumentException, e.GetType().Name);
        Assert.Contains("'d' is already used", e.Message);
    }

    [Fact]
    public void AModelJsonWithARepeatedKey_IsAModelConfigException_NotTheLastValueWinning()
    {
        const string json = """
            {"class_name": "Sequential", "config": {"name": "s", "layers": [
              {"class_name": "Dense", "config": {"name": "d", "units": 2, "units": 3, "activation": "linear", "batch_input_shape": [null, 3]}}]}}
            """;
        var e = Assert.Throws<ModelConfigException>(() => ModelConfig.FromJson<double>(json));
        Assert.Contains("units", e.Message);
    }

    [Fact]
    public void DataShapeErrors_OfFitEvaluateAndPredict_NameTheLayerAndBothShapes()
    {
        var net = new Sequential<double>();
        net.Add(new Dense<double>(4, ActivationFunction.Relu, inputDim: 3, name: "hidden"));
        net.Add(new Dense<double>(2, ActivationFunction.Softmax, name: "out"));
        net.Compile(new RefNet.Optimizers.Sgd(), new RefNet.Losses.CategoricalCrossentropy());
        var e = Assert.Throws<ShapeMismatchException>(() => net.Fit(new Tensor<double>(5, 4), new Tensor<double>(5, 2), verbose: 0));
        Assert.Contains("training inputs (the input of the first layer, Dense 'hidden'): expected shape (*, 3) but got (5, 4)", e.Message);
        var t = Assert.Throws<ShapeMismatchException>(() => net.Evaluate(new Tensor<double>(5, 3), new Tensor<double>(5, 3)));
        Assert.Contains("evaluation targets (compared with the output of the last layer, Dense 'out', by categorical_crossentropy): expected shape (5, 2) but got (5, 3)", t.Message);
        var p = Assert.Throws<ShapeMismatchException>(() => net.Predict(new Tensor<double>(2, 7)));
        Assert.Contains("Dense 'hidden'", p.Message);
        Assert.Contains("(2, 7)", p.Message);
    }
}
