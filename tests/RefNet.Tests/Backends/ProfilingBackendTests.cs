// The profiling wrapper of `refnet bench --profile`: it changes no result (bitwise the inner backend's weights),
// and its rows count what a Dense network's forward and backward formulas say they must call.
using RefNet.Activations;
using RefNet.Backends;
using RefNet.Engine;
using RefNet.Layers;
using RefNet.Losses;
using RefNet.Optimizers;
using RefNet.Tensors;
using Xunit;

namespace RefNet.Tests.Backends;

public sealed class ProfilingBackendTests
{
    // Dense(3, tanh) on 5 inputs, Dense(2, softmax); 8 samples in batches of 4: two steps per epoch.
    private static Sequential<double> Net(IBackend<double> backend)
    {
        var net = new Sequential<double>(backend, seed: 4);
        net.Add(new Dense<double>(3, ActivationFunction.Tanh, inputDim: 5));
        net.Add(new Dense<double>(2, ActivationFunction.Softmax));
        net.Compile(new RmsProp(), new CategoricalCrossentropy());
        return net;
    }

    private static (Tensor<double> X, Tensor<double> Y) Data()
    {
        var x = new Tensor<double>(8, 5);
        var y = new Tensor<double>(8, 2);
        for (int i = 0; i < 8; i++)
        {
            for (int j = 0; j < 5; j++)
            {
                x[i, j] = Math.Sin((3 * i) + j);
            }
            y[i, i % 2] = 1;
        }
        return (x, y);
    }

    [Fact]
    public void Training_OnTheProfiler_GivesBitwiseTheInnerBackendsWeights()
    {
        (Tensor<double> x, Tensor<double> y) = Data();
        Sequential<double> plain = Net(CpuBackend<double>.Instance);
        var profiler = new ProfilingBackend<double>(CpuBackend<double>.Instance);
        Sequential<double> profiled = Net(profiler);
        History a = plain.Fit(x, y, batchSize: 4, epochs: 2, seed: 5, verbose: 0);
        History b = profiled.Fit(x, y, batchSize: 4, epochs: 2, seed: 5, verbose: 0);
        Assert.Equal(a["loss"], b["loss"]);
        Assert.Equal(plain.Parameters.SelectMany(p => p.Value.ToArray()), profiled.Parameters.SelectMany(p => p.Value.ToArray()));
        Assert.Equal("cpu", profiler.Name);
        Assert.Same(CpuBackend<double>.Instance, profiler.Inner);
    }

    [Fact]
    public void OneEpoch_CountsTheProductsTheSlideFormulasCall_WithTheirShapesAndFlops()
    {
        (Tensor<double> x, Tensor<double> y) = Data();
        var profiler = new ProfilingBackend<double>(ReferenceBackend<double>.Instance);
        Sequential<double> net = Net(profiler);
        net.Fit(x, y, batchSize: 4, epochs: 1, seed: 5, verbose: 0);
        profiler.Reset();
        Assert.Empty(profiler.Rows);
        net.Fit(x, y, batchSize: 4, epochs: 1, seed: 6, verbose: 0);
        Dictionary<string, ProfileRow> rows = profiler.Rows.ToDictionary(r => r.Operation);

        // Per step: z = x·W for each layer (4×3×5, 4×2×3); ∂J/∂W = aᵀ·δ (5×3×4 Aᵀ, 3×2×4 Aᵀ); δ·Wᵀ for the
        // second layer only (4×3×2 Bᵀ): Fit skips the first layer's input gradient.
        (string Label, int M, int N, int K)[] products =
            [("MatMul 4×3×5", 4, 3, 5), ("MatMul 4×2×3", 4, 2, 3), ("MatMul 5×3×4 Aᵀ", 5, 3, 4), ("MatMul 3×2×4 Aᵀ", 3, 2, 4), ("MatMul 4×3×2 Bᵀ", 4, 3, 2)];
        foreach ((string label, int m, int n, int k) in products)
        {
            Assert.True(rows.ContainsKey(label), $"no row '{label}' in:\n{profiler.Format()}");
            Assert.Equal(2, rows[label].Calls);
            Assert.Equal(2L * 2 * m * n * k, rows[label].Elements);
        }
        Assert.Equal(5, rows.Keys.Count(k => k.StartsWith("MatMul", StringComparison.Ordinal)));
        // RMSprop updates each of the four parameters once per step, with its rule struct named after its file.
        Assert.Equal(8, rows["Update RmsProp.Rule"].Calls);
        Assert.Equal(2L * ((5 * 3) + 3 + (3 * 2) + 2), rows["Update RmsProp.Rule"].Elements);
        Assert.Equal(2, rows["MapRows Softmax.Function"].Calls);
        Assert.Equal(4, rows["GatherRows"].Calls); // x and y of each batch
        Assert.All(profiler.Rows, r => Assert.True(r.Time >= TimeSpan.Zero));
    }

    [Fact]
    public void Format_ListsEveryRow_MostTimeFirst_AndTheirTotal()
    {
        var profiler = new ProfilingBackend<float>(ReferenceBackend<float>.Instance);
        var a = new Tensor<float>(16, 16);
        var c = new Tensor<float>(16, 16);
        for (int i = 0; i < 50; i++)
        {
            profiler.MatMul(a, false, a, true, c, 1, 0);
        }
        profiler.Fill(c, 2);
        IReadOnlyList<ProfileRow> rows = profiler.Rows;
        Assert.Equal(["Fill", "MatMul 16×16×16 Bᵀ"], rows.Select(r => r.Operation).Order(StringComparer.Ordinal));
        Assert.True(rows[0].Time >= rows[1].Time);
        Assert.Equal(16 * 16, rows.Single(r => r.Operation == "Fill").Elements);
        string[] lines = profiler.Format().Split('\n');
        Assert.Equal(rows.Count + 2, lines.Length);
        Assert.StartsWith("primitive", lines[0]);
        Assert.StartsWith("all primitives", lines[^1]);
        Assert.Contains(" 51 ", lines[^1]);
        Assert.Throws<ArgumentNullException>(() => new ProfilingBackend<float>(null!));
    }
}
