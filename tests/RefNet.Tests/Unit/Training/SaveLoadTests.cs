// Saving and loading: bitwise round trips, the documented header, atomic writes, and typed failures that
// name the file and leave the network untouched (corrupted, truncated, other dtype, other architecture).
using RefNet.Activations;
using System.Security.Cryptography;
using RefNet.Backends;
using RefNet.Engine;
using RefNet.Layers;
using RefNet.Serialization;
using RefNet.Tensors;
using Xunit;

namespace RefNet.Tests.Unit.Training;

public sealed class SaveLoadTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("refnet-saveload-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private static Network<T> Net<T>(int hidden = 5, int seed = 3)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var net = new Network<T>(seed: seed);
        net.Add(new Dense<T>(hidden, ActivationFunction.Relu, inputDim: 4));
        net.Add(new Dropout<T>(0.25));
        net.Add(new Dense<T>(3, ActivationFunction.Softmax));
        return net;
    }

    private static Tensor<float> Input() => Tensor<float>.FromRows(new double[,] { { 0.1, -0.2, 0.3, 0.4 }, { 1, 2, -1, 0.5 } });

    [Fact]
    public void SaveWeights_LoadWeights_RoundTripsBitwise_Float32()
    {
        Network<float> a = Net<float>(seed: 3);
        Network<float> b = Net<float>(seed: 99);
        Assert.NotEqual(a.GetWeights(), b.GetWeights());
        a.SaveWeights(PathOf("w.bin"));
        b.LoadWeights(PathOf("w.bin"));
        Assert.Equal(a.GetWeights(), b.GetWeights());
        Assert.Equal(a.Predict(Input()).ToArray(), b.Predict(Input()).ToArray());
    }

    [Fact]
    public void SaveWeights_LoadWeights_RoundTripsBitwise_Float64()
    {
        Network<double> a = Net<double>(seed: 3);
        Network<double> b = Net<double>(seed: 99);
        a.SaveWeights(PathOf("w.bin"));
        b.LoadWeights(PathOf("w.bin"));
        Assert.Equal(a.GetWeights(), b.GetWeights());
    }

    [Fact]
    public void Save_Load_RebuildsArchitectureAndWeights()
    {
        Network<float> a = Net<float>();
        a.Save(PathOf("model.bin"));
        Network<float> b = Network<float>.Load(PathOf("model.bin"));
        Assert.Equal(a.Summary(), b.Summary());
        Assert.Equal(a.GetWeights(), b.GetWeights());
        Assert.Equal(a.Predict(Input()).ToArray(), b.Predict(Input()).ToArray());
        Assert.IsType<Dropout<float>>(b.Layers[1]);
        Assert.Equal(0.25, ((Dropout<float>)b.Layers[1]).Rate);
    }

    [Fact]
    public void File_HasTheDocumentedHeaderAndChecksum()
    {
        Network<double> a = Net<double>();
        a.SaveWeights(PathOf("w.bin"));
        byte[] bytes = File.ReadAllBytes(PathOf("w.bin"));
        Assert.Equal("RFNW"u8.ToArray(), bytes[..4]);
        Assert.Equal(1, BitConverter.ToInt32(bytes, 4)); // version
        Assert.Equal(8, BitConverter.ToInt32(bytes, 8)); // dtype: 8-byte float64
        Assert.Equal(0, BitConverter.ToInt32(bytes, 12)); // no config in a weights-only file
        Assert.Equal(4, BitConverter.ToInt32(bytes, 16)); // kernel, bias, kernel, bias
        int parameters = (4 * 5) + 5 + (5 * 3) + 3;
        Assert.Equal(SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32)), bytes[^32..]);
        long payload = BitConverter.ToInt64(bytes, bytes.Length - 32 - (parameters * 8) - 8);
        Assert.Equal(parameters * 8L, payload);
    }

    [Fact]
    public void Save_IsAtomic_ReplacesTheFileAndLeavesNoTemporaryFiles()
    {
        Network<float> a = Net<float>(seed: 1);
        Network<float> b = Net<float>(seed: 2);
        a.Save(PathOf("m.bin"));
        b.Save(PathOf("m.bin"));
        Assert.Equal(["m.bin"], Directory.GetFiles(_dir).Select(Path.GetFileName));
        Assert.Equal(b.GetWeights(), Network<float>.Load(PathOf("m.bin")).GetWeights());
    }

    [Fact]
    public void FailedWrite_KeepsTheOldFile()
    {
        Network<float> a = Net<float>(seed: 1);
        a.SaveWeights(PathOf("w.bin"));
        byte[] before = File.ReadAllBytes(PathOf("w.bin"));
        // Values of another length than the shape make Write throw after the header was built in memory.
        Assert.Throws<ArgumentException>(() => WeightsFile.Write(PathOf("w.bin"), null, [new WeightsFile.Entry("x", [2, 2])], [new float[3]]));
        Assert.Equal(before, File.ReadAllBytes(PathOf("w.bin")));
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Fact]
    public void CorruptedByte_IsRejected_AndTheNetworkIsUnchanged()
    {
        Net<float>(seed: 1).SaveWeights(PathOf("w.bin"));
        byte[] bytes = File.ReadAllBytes(PathOf("w.bin"));
        bytes[bytes.Length - 40] ^= 0x10; // inside the payload
        File.WriteAllBytes(PathOf("w.bin"), bytes);
        AssertRejected(PathOf("w.bin"), ModelFileProblem.Corrupted, "SHA-256");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(10)]
    [InlineData(30)]
    [InlineData(-1)]
    [InlineData(-33)]
    public void TruncatedFile_IsRejected_AndTheNetworkIsUnchanged(int keep)
    {
        Net<float>(seed: 1).SaveWeights(PathOf("w.bin"));
        byte[] bytes = File.ReadAllBytes(PathOf("w.bin"));
        int length = keep >= 0 ? keep : bytes.Length + keep;
        File.WriteAllBytes(PathOf("w.bin"), bytes[..length]);
        AssertRejected(PathOf("w.bin"), length < 4 ? ModelFileProblem.NotAModelFile : ModelFileProblem.Truncated, length < 4 ? "RFNW" : "bytes");
    }

    [Fact]
    public void HugeShapeInTheHeader_IsRejectedAsCorrupted_NotOverflowed()
    {
        // A header whose eight dimensions of 1000 multiply past long.MaxValue (1000^8 · 4 bytes).
        var bytes = new List<byte>("RFNW"u8.ToArray());
        void Int(int v) => bytes.AddRange(BitConverter.GetBytes(v));
        Int(1);
        Int(4);
        Int(0);
        Int(1);
        Int(1);
        bytes.Add((byte)'x');
        Int(8);
        for (int d = 0; d < 8; d++)
        {
            Int(1000);
        }
        bytes.AddRange(new byte[2000]);
        File.WriteAllBytes(PathOf("w.bin"), bytes.ToArray());
        AssertRejected(PathOf("w.bin"), ModelFileProblem.Corrupted, "too large");
    }

    [Fact]
    public void OtherArchitecture_IsRejected_NamingBothShapes()
    {
        Net<float>(hidden: 6).SaveWeights(PathOf("w.bin"));
        var ex = AssertRejected(PathOf("w.bin"), ModelFileProblem.ArchitectureMismatch, "(4, 6)");
        Assert.Contains("(4, 5)", ex.Message);
    }

    [Fact]
    public void OtherParameterCount_IsRejected()
    {
        var small = new Network<float>();
        small.Add(new Dense<float>(5, inputDim: 4));
        small.SaveWeights(PathOf("w.bin"));
        AssertRejected(PathOf("w.bin"), ModelFileProblem.ArchitectureMismatch, "2 weight tensors");
    }

    [Fact]
    public void OtherDtype_IsRejected()
    {
        Net<double>().SaveWeights(PathOf("w.bin"));
        var ex = AssertRejected(PathOf("w.bin"), ModelFileProblem.DtypeMismatch, "float64");
        Assert.Contains("float32", ex.Message);

        Net<float>().Save(PathOf("m.bin"));
        var load = Assert.Throws<ModelFileException>(() => Network<double>.Load(PathOf("m.bin")));
        Assert.Equal(ModelFileProblem.DtypeMismatch, load.Problem);
    }

    [Fact]
    public void UnsupportedVersion_And_NotAModelFile_AreRejected()
    {
        Net<float>().SaveWeights(PathOf("w.bin"));
        byte[] bytes = File.ReadAllBytes(PathOf("w.bin"));
        BitConverter.TryWriteBytes(bytes.AsSpan(4), 7);
        File.WriteAllBytes(PathOf("w.bin"), bytes);
        AssertRejected(PathOf("w.bin"), ModelFileProblem.UnsupportedVersion, "version 7");

        File.WriteAllText(PathOf("w.bin"), "{\"class_name\": \"Sequential\"}");
        AssertRejected(PathOf("w.bin"), ModelFileProblem.NotAModelFile, "RFNW");
    }

    [Fact]
    public void Load_OfAWeightsOnlyFile_SaysItHasNoConfig()
    {
        Net<float>().SaveWeights(PathOf("w.bin"));
        var ex = Assert.Throws<ModelFileException>(() => Network<float>.Load(PathOf("w.bin")));
        Assert.Equal(ModelFileProblem.MissingConfig, ex.Problem);
        Assert.Contains(PathOf("w.bin"), ex.Message);
    }

    [Fact]
    public void SetWeights_ValidatesBeforeWriting()
    {
        Network<float> net = Net<float>();
        double[][] before = net.GetWeights();
        double[][] bad = net.GetWeights();
        bad[3] = new double[2];
        bad[0][0] = 123;
        Assert.Throws<ArgumentException>(() => net.SetWeights(bad));
        Assert.Equal(before, net.GetWeights());
    }

    private ModelFileException AssertRejected(string path, ModelFileProblem problem, string detail)
    {
        Network<float> target = Net<float>(seed: 42);
        double[][] before = target.GetWeights();
        var ex = Assert.Throws<ModelFileException>(() => target.LoadWeights(path));
        Assert.Equal(problem, ex.Problem);
        Assert.Equal(path, ex.FilePath);
        Assert.StartsWith(path, ex.Message);
        Assert.Contains(detail, ex.Message);
        Assert.Equal(before, target.GetWeights());
        return ex;
    }
}
