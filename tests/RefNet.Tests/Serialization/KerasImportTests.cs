// Keras models in: HDF5 files in Keras 2.3.1's layout written by h5py (tests/fixtures/keras-models/make_h5.py) with
// predictions computed there in NumPy, a TensorFlow.js model saved by tfjs 4.22 (make_tfjs.mjs) with tfjs' own
// predictions, and bad files written here (PureHDF, in Keras' layout) that must fail with a typed, named error.
using PureHDF;
using RefNet.Conformance;
using RefNet.Engine;
using RefNet.Serialization;
using RefNet.Tensors;
using RefNet.Tests.Common;
using Xunit;

namespace RefNet.Tests.Serialization;

public sealed class KerasImportTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"refnet-keras-import-{Guid.NewGuid():N}");

    public KerasImportTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Fixture(string name) => Path.Combine(GoldenFile.RepositoryRoot, "tests", "fixtures", "keras-models", name);

    private static double[] Predict(Network<double> net, string input)
    {
        NpyArray x = Npy.Read(Fixture(input));
        return net.Predict(Tensor<double>.FromArray(new Shape(x.Shape), x.Values)).ToArray();
    }

    private static void AssertClose(double[] expected, double[] actual, double relative)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= relative * Math.Max(1, Math.Abs(expected[i])), $"element {i}: expected {expected[i]}, got {actual[i]}");
        }
    }

    [Theory]
    [InlineData("mlp.h5", "mlp")]
    [InlineData("cnn.h5", "cnn")]
    public void Hdf5ModelSave_PredictsWhatNumPyComputesFromTheSameWeights(string file, string stem)
    {
        Network<double> net = KerasImport.LoadHdf5<double>(Fixture(file));
        Assert.Equal("2.3.1", net.Keras.Id);
        // Both sides compute in float64 from the same float32 weights: only rounding differs.
        AssertClose(Npy.Read(Fixture($"{stem}_y.npy")).Values, Predict(net, $"{stem}_x.npy"), 1e-12);
    }

    [Fact]
    public void SaveWeightsFile_WithTheJsonConfig_LoadsTheSameModel()
    {
        Network<double> net = KerasImport.LoadHdf5<double>(Fixture("mlp_weights.h5"), File.ReadAllText(Fixture("mlp.json")));
        AssertClose(Npy.Read(Fixture("mlp_y.npy")).Values, Predict(net, "mlp_x.npy"), 1e-12);
        var e = Assert.Throws<ModelFileException>(() => KerasImport.LoadHdf5<double>(Fixture("mlp_weights.h5")));
        Assert.Equal(ModelFileProblem.MissingConfig, e.Problem);
        Assert.Contains("--config", e.Message);
    }

    [Fact]
    public void TfjsModel_PredictsWhatTensorFlowJsPredicted()
    {
        Network<double> net = KerasImport.LoadTfjs<double>(Fixture("tfjs/model.json"));
        Assert.Equal("tfjs-4.22", net.Keras.Id);
        Assert.Equal(["dense_Dense1", "dense_Dense2"], net.Layers.Select(l => l.Name));
        // TensorFlow.js computed in float32: a few float32 ulps of the outputs.
        AssertClose(Npy.Read(Fixture("tfjs_y.npy")).Values, Predict(net, "tfjs_x.npy"), 1e-6);
    }

    private string WriteKerasH5(string name, Action<H5Group>? changeLayer = null, string backend = "tensorflow", double[,]? kernel = null)
    {
        var layer = new H5Group
        {
            Attributes = new() { ["weight_names"] = new[] { "dense_1/kernel:0", "dense_1/bias:0" } },
            ["dense_1"] = new H5Group
            {
                ["kernel:0"] = kernel ?? new double[,] { { 1, 2, 3, 4 }, { 5, 6, 7, 8 }, { 9, 10, 11, 12 } },
                ["bias:0"] = new double[] { 0, 0, 0, 0 },
            },
        };
        changeLayer?.Invoke(layer);
        var file = new H5File
        {
            Attributes = new()
            {
                ["keras_version"] = "2.3.1",
                ["backend"] = backend,
                ["model_config"] = File.ReadAllText(Fixture("mlp.json")),
            },
            ["model_weights"] = new H5Group
            {
                Attributes = new() { ["layer_names"] = new[] { "dense_1", "dense_2" }, ["backend"] = backend },
                ["dense_1"] = layer,
                ["dense_2"] = new H5Group
                {
                    Attributes = new() { ["weight_names"] = new[] { "dense_2/kernel:0", "dense_2/bias:0" } },
                    ["dense_2"] = new H5Group { ["kernel:0"] = new float[4, 2], ["bias:0"] = new float[2] },
                },
            },
        };
        string path = Path.Combine(_dir, name);
        file.Write(path);
        return path;
    }

    [Fact]
    public void AFileWrittenHereInKerasLayout_Loads()
    {
        Network<double> net = KerasImport.LoadHdf5<double>(WriteKerasH5("ok.h5"));
        Assert.Equal(new double[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }, net.Layers[0].Parameters[0].Value.ToArray());
    }

    [Fact]
    public void ATransposedKernel_IsRefused_NamingLayerWeightAndBothShapes()
    {
        string path = WriteKerasH5("transposed.h5", kernel: new double[4, 3]);
        var e = Assert.Throws<ModelFileException>(() => KerasImport.LoadHdf5<double>(path));
        Assert.Equal(ModelFileProblem.ArchitectureMismatch, e.Problem);
        Assert.Contains(path, e.Message);
        Assert.Contains("layer 'dense_1' weight 'kernel': the file has shape (4, 3), the layer needs (3, 4)", e.Message);
    }

    [Fact]
    public void AMissingWeightOrLayer_IsRefused_AndTheNetworkIsLeftUnchanged()
    {
        string noBias = WriteKerasH5("nobias.h5", g => g.Attributes = new() { ["weight_names"] = new[] { "dense_1/kernel:0" } });
        var e = Assert.Throws<ModelFileException>(() => KerasImport.LoadHdf5<double>(noBias));
        Assert.Contains("layer 'dense_1' has no weight 'bias' in the file (it has: dense_1/kernel:0)", e.Message);

        Network<double> net = KerasImport.LoadHdf5<double>(Fixture("mlp.h5"));
        double[] before = net.Layers[0].Parameters[0].Value.ToArray();
        // dense_1's weights are fine and dense_2's are missing: nothing may be written.
        var file = new H5File
        {
            ["model_weights"] = new H5Group
            {
                Attributes = new() { ["layer_names"] = new[] { "dense_1" } },
                ["dense_1"] = new H5Group
                {
                    Attributes = new() { ["weight_names"] = new[] { "dense_1/kernel:0", "dense_1/bias:0" } },
                    ["dense_1"] = new H5Group { ["kernel:0"] = new double[3, 4], ["bias:0"] = new double[4] },
                },
            },
        };
        string onlyFirst = Path.Combine(_dir, "onlyfirst.h5");
        file.Write(onlyFirst);
        e = Assert.Throws<ModelFileException>(() => KerasImport.LoadHdf5Weights(net, onlyFirst));
        Assert.Contains("layer 'dense_2' (Dense) has no weights in the file (its layers: dense_1)", e.Message);
        Assert.Equal(before, net.Layers[0].Parameters[0].Value.ToArray());
    }

    [Fact]
    public void TheanoKernels_AreRefused_ForConvolutions()
    {
        var file = new H5File
        {
            Attributes = new() { ["backend"] = "theano", ["keras_version"] = "2.3.1" },
            ["model_weights"] = new H5Group { Attributes = new() { ["layer_names"] = new[] { "conv2d_1" }, ["backend"] = "theano" } },
        };
        string path = Path.Combine(_dir, "theano.h5");
        file.Write(path);
        Network<double> cnn = KerasImport.LoadHdf5<double>(Fixture("cnn.h5"));
        var e = Assert.Throws<ModelFileException>(() => KerasImport.LoadHdf5Weights(cnn, path));
        Assert.Contains("Theano backend", e.Message);
    }

    [Fact]
    public void NotHdf5_Truncated_AndMissing_AreTypedErrors()
    {
        string text = Path.Combine(_dir, "model.h5");
        File.WriteAllText(text, "{\"not\": \"hdf5\"}");
        Assert.Equal(ModelFileProblem.NotAModelFile, Assert.Throws<ModelFileException>(() => KerasImport.LoadHdf5<double>(text)).Problem);
        byte[] bytes = File.ReadAllBytes(Fixture("mlp.h5"));
        string cut = Path.Combine(_dir, "cut.h5");
        File.WriteAllBytes(cut, bytes[..(bytes.Length / 3)]);
        var e = Assert.Throws<ModelFileException>(() => KerasImport.LoadHdf5<double>(cut));
        Assert.Contains(cut, e.Message);
        Assert.Throws<FileNotFoundException>(() => KerasImport.LoadHdf5<double>(Path.Combine(_dir, "none.h5")));
    }

    [Fact]
    public void TfjsBadFiles_AreTypedErrors()
    {
        string folder = Path.Combine(_dir, "tfjs");
        Directory.CreateDirectory(folder);
        string model = Path.Combine(folder, "model.json");
        File.Copy(Fixture("tfjs/model.json"), model);
        var e = Assert.Throws<ModelFileException>(() => KerasImport.LoadTfjs<double>(model));
        Assert.Contains("weights.bin", e.FilePath);
        Assert.Contains("missing", e.Message);
        byte[] weights = File.ReadAllBytes(Fixture("tfjs/weights.bin"));
        File.WriteAllBytes(Path.Combine(folder, "weights.bin"), weights[..^4]);
        e = Assert.Throws<ModelFileException>(() => KerasImport.LoadTfjs<double>(model));
        Assert.Equal(ModelFileProblem.Truncated, e.Problem);
        Assert.Contains("'dense_Dense2/bias'", e.Message);
        string good = File.ReadAllText(Fixture("tfjs/model.json"));
        File.WriteAllText(model, good.Replace("\"paths\"", "\"pathz\"", StringComparison.Ordinal));
        e = Assert.Throws<ModelFileException>(() => KerasImport.LoadTfjs<double>(model));
        Assert.Equal(ModelFileProblem.Corrupted, e.Problem);
        Assert.Contains("malformed weightsManifest", e.Message);
        File.WriteAllText(model, good.Replace("\"shape\": [\n      3,", "\"shape\": [\n      -3,", StringComparison.Ordinal));
        e = Assert.Throws<ModelFileException>(() => KerasImport.LoadTfjs<double>(model));
        Assert.Contains("negative dimension", e.Message);
        File.WriteAllText(model, "{\"modelTopology\": ");
        Assert.Equal(ModelFileProblem.Corrupted, Assert.Throws<ModelFileException>(() => KerasImport.LoadTfjs<double>(model)).Problem);
    }

    [Fact]
    public void Cli_VerifyModel_PassesOnTheFixtures_AndFailsOnAWrongExpectation()
    {
        var output = new StringWriter();
        Assert.Equal(0, RefNet.Cli.Cli.Run(["verify-model", "--weights", Fixture("cnn.h5"), "--input", Fixture("cnn_x.npy"), "--expected", Fixture("cnn_y.npy")], output, new StringWriter()));
        Assert.EndsWith("verify-model: passed", output.ToString().TrimEnd());
        Assert.Equal(0, RefNet.Cli.Cli.Run(["verify-model", "--tfjs", Fixture("tfjs/model.json"), "--input", Fixture("tfjs_x.npy"), "--expected", Fixture("tfjs_y.npy")], new StringWriter(), new StringWriter()));
        NpyArray y = Npy.Read(Fixture("mlp_y.npy"));
        string wrong = Path.Combine(_dir, "wrong.npy");
        Npy.Write(wrong, y with { Values = [.. y.Values.Select((v, i) => i == 3 ? v + 1e-3 : v)] });
        output = new StringWriter();
        Assert.Equal(1, RefNet.Cli.Cli.Run(["verify-model", "--weights", Fixture("mlp.h5"), "--input", Fixture("mlp_x.npy"), "--expected", wrong], output, new StringWriter()));
        Assert.Contains("1 of 10 elements outside", output.ToString());
        Assert.Contains("worst at (1, 1)", output.ToString());
        Assert.EndsWith("verify-model: failed", output.ToString().TrimEnd());
        var error = new StringWriter();
        Assert.Equal(1, RefNet.Cli.Cli.Run(["verify-model", "--weights", Fixture("mlp.h5"), "--input", Fixture("cnn_x.npy"), "--expected", wrong], new StringWriter(), error));
        Assert.Contains("(2, 6, 6, 1)", error.ToString());
    }
}
