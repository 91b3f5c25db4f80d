// Byte-level fuzzing of every parser RefNet exposes: IDX images and labels, CSV, the model file (with its SHA-256
// recomputed after the mutation, so the parser behind the checksum is reached), model JSON, NPY and case.json. Each
// mutated input must parse or fail with the parser's own typed exception — never another exception, a crash or a hang.
// CI runs a fixed, logged seed and a short budget; `make fuzz` runs a long one (REFNET_FUZZ_ITERATIONS, REFNET_FUZZ_SEED).
// Seeds come from valid files written here plus tests/fuzz/corpus/<parser>/*, where any crasher found is committed and
// then replayed on every run.
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using RefNet.Activations;
using RefNet.Conformance;
using RefNet.Data;
using RefNet.Engine;
using RefNet.Layers;
using RefNet.Losses;
using RefNet.Optimizers;
using RefNet.Serialization;
using RefNet.Tensors;
using RefNet.Tests.Common;
using Xunit;
using Xunit.Abstractions;

namespace RefNet.Tests.Properties;

public sealed class ParserFuzzTests(ITestOutputHelper log) : IDisposable
{
    /// <summary>CI's fixed seed (REFNET_FUZZ_SEED overrides it; `make fuzz` draws and logs one).</summary>
    private const int DefaultSeed = 1204;

    /// <summary>Mutations per parser in CI (REFNET_FUZZ_ITERATIONS overrides it).</summary>
    private const int DefaultIterations = 400;

    private readonly string _dir = Directory.CreateTempSubdirectory("refnet-fuzz-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out int v) ? v : fallback;

    private static readonly byte[][] Tokens =
    [
        "-1"u8.ToArray(), "0"u8.ToArray(), "1e309"u8.ToArray(), "NaN"u8.ToArray(), "\""u8.ToArray(), ","u8.ToArray(), "{"u8.ToArray(),
        "}"u8.ToArray(), "["u8.ToArray(), "]"u8.ToArray(), "null"u8.ToArray(), "\n"u8.ToArray(), "99"u8.ToArray(), "\0"u8.ToArray(),
        [0xFF, 0xFF, 0xFF, 0x7F], [0x00, 0x00, 0x00, 0x80], [0xC3],
    ];

    /// <summary>One random mutation: bit flips, byte overwrites, a token inserted, a slice deleted or duplicated, a cut.</summary>
    private static byte[] Mutate(byte[] input, Random random)
    {
        var data = new List<byte>(input);
        int rounds = 1 + random.Next(3);
        for (int r = 0; r < rounds; r++)
        {
            int at = data.Count == 0 ? 0 : random.Next(data.Count);
            switch (random.Next(6))
            {
                case 0 when data.Count > 0:
                    data[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when data.Count > 0:
                    data[at] = (byte)(random.Next(4) switch { 0 => 0x00, 1 => 0xFF, 2 => 0x7F, _ => random.Next(256) });
                    break;
                case 2:
                    data.InsertRange(at, Tokens[random.Next(Tokens.Length)]);
                    break;
                case 3 when data.Count > 1:
                    data.RemoveRange(at, Math.Min(data.Count - at, 1 + random.Next(8)));
                    break;
                case 4 when data.Count > 1:
                    int length = Math.Min(data.Count - at, 1 + random.Next(16));
                    data.InsertRange(at, data.GetRange(at, length));
                    break;
                default:
                    data.RemoveRange(at, data.Count - at); // truncated
                    break;
            }
        }
        return [.. data];
    }

    /// <summary>A parser under test: its seeds, how it reads a file, and the exception types it may throw.</summary>
    private sealed record Target(string Name, Func<string, byte[][]> Seeds, Action<string> Parse, Type[] Allowed, bool Resign = false, bool NamesFile = true);

    private static Network<double> SmallNetwork()
    {
        var net = new Sequential<double>(seed: 3);
        net.Add(new Dense<double>(4, ActivationFunction.Relu, inputDim: 3));
        net.Add(new Dropout<double>(0.25));
        net.Add(new Dense<double>(2, ActivationFunction.Softmax));
        net.Compile(new Adam(), new CategoricalCrossentropy(), ["accuracy"]);
        return net;
    }

    private static IEnumerable<Target> Targets()
    {
        yield return new("idx-images", dir =>
        {
            string p = Path.Combine(dir, "i.idx");
            Idx.WriteImages(p, new IdxImages(3, 2, 2, [.. Enumerable.Range(0, 12).Select(i => (byte)i)]));
            return [File.ReadAllBytes(p)];
        }, p => Idx.ReadImages(p), [typeof(DataFormatException)]);
        yield return new("idx-labels", dir =>
        {
            string p = Path.Combine(dir, "l.idx");
            Idx.WriteLabels(p, [1, 2, 3, 0]);
            return [File.ReadAllBytes(p)];
        }, p => Idx.ReadLabels(p), [typeof(DataFormatException)]);
        yield return new("csv", _ => [Encoding.UTF8.GetBytes("a,b,label\n1.5,-2,cat\n\"3\",4e-1,dog\n0,0,cat\n"),
            Encoding.UTF8.GetBytes("x,label\n1,0\n2,1\n3,2\n")],
            p =>
            {
                CsvLoader.Load<float>(p, "label");
                CsvLoader.Load<double>(p, "label", CsvLabelKind.Regression);
            }, [typeof(DataFormatException)]);
        yield return new("model-file", dir =>
        {
            Network<double> net = SmallNetwork();
            var x = Tensor<double>.FromArray(new Shape(4, 3), [.. Enumerable.Range(0, 12).Select(i => i / 10.0)]);
            var y = Tensor<double>.FromArray(new Shape(4, 2), [1, 0, 0, 1, 1, 0, 0, 1]);
            net.Fit(x, y, batchSize: 2, epochs: 1, verbose: 0);
            string a = Path.Combine(dir, "a.rfn"), b = Path.Combine(dir, "b.rfn");
            net.Save(a);
            net.Save(b, includeOptimizer: false);
            return [File.ReadAllBytes(a), File.ReadAllBytes(b)];
        }, p => Network<double>.Load(p), [typeof(ModelFileException)], Resign: true);
        yield return new("model-json", _ => [Encoding.UTF8.GetBytes(ModelConfig.ToJson(SmallNetwork()))],
            p => ModelConfig.FromJson<double>(File.ReadAllText(p)), [typeof(ModelConfigException)], NamesFile: false);
        yield return new("npy", _ => [Npy.ToBytes(new NpyArray("float64", [2, 3], [1, 2, 3, 4, 5, 6])), Npy.ToBytes(new NpyArray("float32", [], [0.5])),
            Npy.ToBytes(new NpyArray("int64", [3], [1, 2, 3]))],
            p => Npy.Read(p), [typeof(NpyFormatException)]);
        yield return new("case-json", _ => [Encoding.UTF8.GetBytes(CaseLibrary.Find("layer/dense/relu")!.Create().Build().ToJson())],
            p => ConformanceCase.Parse(File.ReadAllText(p), p), [typeof(CaseFormatException)]);
    }

    /// <summary>Re-signs a mutated model file: SHA-256 over everything but the last 32 bytes, written there.</summary>
    private static byte[] Resign(byte[] data)
    {
        if (data.Length < 32)
        {
            return data;
        }
        byte[] signed = [.. data];
        SHA256.HashData(signed.AsSpan(0, signed.Length - 32)).CopyTo(signed, signed.Length - 32);
        return signed;
    }

    public static TheoryData<string> Names() => [.. Targets().Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(Names))]
    public void EveryMutatedInput_ParsesOrFailsWithTheParsersTypedException(string name)
    {
        Target target = Targets().Single(t => t.Name == name);
        int seed = Setting("REFNET_FUZZ_SEED", DefaultSeed);
        int iterations = Setting("REFNET_FUZZ_ITERATIONS", DefaultIterations);
        log.WriteLine($"fuzz {name}: seed {seed}, {iterations} mutations");
        List<byte[]> seeds = [.. target.Seeds(_dir)];
        string corpus = Path.Combine(GoldenFile.RepositoryRoot, "tests", "fuzz", "corpus", name);
        if (Directory.Exists(corpus))
        {
            seeds.AddRange(Directory.GetFiles(corpus).Order(StringComparer.Ordinal).Select(File.ReadAllBytes));
        }
        if (Environment.GetEnvironmentVariable("REFNET_FUZZ_WRITE_CORPUS") == "1")
        {
            Directory.CreateDirectory(corpus);
            for (int i = 0; i < seeds.Count; i++)
            {
                File.WriteAllBytes(Path.Combine(corpus, $"seed-{i:D2}"), seeds[i]);
            }
        }
        var random = new Random(seed ^ Checksum(name));
        string file = Path.Combine(_dir, name + ".input");
        int parsed = 0, refused = 0;
        var slowest = TimeSpan.Zero;
        // The seeds themselves (and committed crashers) first, unmutated, then the mutations.
        IEnumerable<byte[]> inputs = seeds.Concat(Enumerable.Range(0, iterations).Select(_ =>
        {
            byte[] m = Mutate(seeds[random.Next(seeds.Count)], random);
            return target.Resign && random.Next(4) != 0 ? Resign(m) : m;
        }));
        int index = 0;
        foreach (byte[] input in inputs)
        {
            File.WriteAllBytes(file, input);
            var clock = Stopwatch.StartNew();
            try
            {
                target.Parse(file);
                parsed++;
            }
            catch (Exception e) when (target.Allowed.Any(t => t.IsInstanceOfType(e)))
            {
                refused++;
                if (target.NamesFile)
                {
                    Assert.Contains(file, e.Message); // typed errors name the file
                }
            }
            catch (Exception e)
            {
                string crasher = Path.Combine(corpus, $"crasher-{seed}-{index}");
                Assert.Fail($"{name} input {index} (seed {seed}) threw {e.GetType().Name}: {e.Message}\n" +
                    $"commit it as {crasher} to replay it; base64: {Convert.ToBase64String(input)}");
            }
            slowest = clock.Elapsed > slowest ? clock.Elapsed : slowest;
            index++;
        }
        log.WriteLine($"  {parsed} parsed, {refused} refused with a typed error; slowest input {slowest.TotalMilliseconds:F0} ms");
        Assert.True(refused > 0, "no mutation was refused: the mutator does not reach the parser");
    }

    private static int Checksum(string text) => text.Aggregate(17, (h, c) => (h * 31) + c);
}
