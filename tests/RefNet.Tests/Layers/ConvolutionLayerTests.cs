// Conv2D, pooling, global pooling, Flatten, Reshape and Dense on rank-3 inputs: cases worked by hand in the
// comments, a direct convolution loop written here (independent of im2col and the GEMM), float64 gradient checks
// over geometries, and the errors for bad sizes and shapes.
using RefNet.Activations;
using RefNet.Backends;
using RefNet.Engine;
using RefNet.Layers;
using RefNet.Tensors;
using RefNet.Verification;
using Xunit;

namespace RefNet.Tests.Layers;

public sealed class ConvolutionLayerTests
{
    private static Tensor<double> Image(int h, int w, int c, Func<int, double> value, int batch = 1) =>
        Tensor<double>.FromArray(new Shape(batch, h, w, c), Enumerable.Range(0, batch * h * w * c).Select(value).ToArray());

    private static Conv2D<double> Conv(int filters, (int, int) kernel, (int, int) strides, string padding, Shape input, double[]? weights = null,
        (int, int)? dilation = null, ActivationFunction? activation = null)
    {
        var conv = new Conv2D<double>(filters, kernel, strides, padding, dilation, activation, name: "conv");
        conv.UseBackend(ReferenceBackend<double>.Instance);
        conv.Build(input);
        if (weights is not null)
        {
            conv.Kernel.Value.Span.Clear();
            weights.CopyTo(conv.Kernel.Value.Span);
        }
        return conv;
    }

    [Fact]
    public void Conv2D_4x4_Kernel2x2_Stride2_Same_ByHand()
    {
        // x = 1 … 16 row by row; K = [[1, 2], [3, 4]]; "same" with stride 2: out ⌈4/2⌉ = 2, total padding
        // (2−1)·2 + 2 − 4 = 0, so the windows are the four 2 × 2 blocks:
        // [1 2; 5 6]·K = 1 + 4 + 15 + 24 = 44;  [3 4; 7 8] = 3 + 8 + 21 + 32 = 64;
        // [9 10; 13 14] = 9 + 20 + 39 + 56 = 124;  [11 12; 15 16] = 11 + 24 + 45 + 64 = 144.
        Conv2D<double> conv = Conv(1, (2, 2), (2, 2), "same", new Shape(4, 4, 1), [1, 2, 3, 4]);
        Tensor<double> y = conv.Forward(Image(4, 4, 1, i => i + 1), training: false);
        Assert.Equal(new Shape(1, 2, 2, 1), y.Shape);
        Assert.Equal([44.0, 64, 124, 144], y.ToArray());
    }

    [Fact]
    public void Conv2D_3x3_Kernel2x2_Stride1_Same_PutsTheOddPaddingRowAndColumnAtTheBottomRight()
    {
        // x = 1 … 9; K = [[1, 2], [3, 4]]; out 3 × 3; total padding (3−1) + 2 − 3 = 1 per axis, ⌊1/2⌋ = 0 on top/left,
        // so the extra zero row and column are at the bottom/right (TensorFlow):
        // y(0,0) = 1·1 + 2·2 + 4·3 + 5·4 = 37;  y(0,2) = 3·1 + 6·3 = 21;  y(2,0) = 7·1 + 8·2 = 23;  y(2,2) = 9·1 = 9.
        Conv2D<double> conv = Conv(1, (2, 2), (1, 1), "same", new Shape(3, 3, 1), [1, 2, 3, 4]);
        double[] y = conv.Forward(Image(3, 3, 1, i => i + 1), training: false).ToArray();
        Assert.Equal(9, y.Length);
        Assert.Equal((37.0, 21.0, 23.0, 9.0), (y[0], y[2], y[6], y[8]));
    }

    [Fact]
    public void Conv2D_KerasKernelLayout_Is_KhKwInOut_AndTheBiasIsPerFilter()
    {
        // 1 × 1 kernel, 2 input channels, 3 filters: y[f] = Σ_c x[c]·K[0, 0, c, f] + b[f].
        // K (1, 1, 2, 3) row-major = [K[c=0, f=0..2], K[c=1, f=0..2]] = [1, 2, 3, 10, 20, 30]; x = (1, −1); b = (0.5, 0, −0.5):
        // y = (1 − 10 + 0.5, 2 − 20, 3 − 30 − 0.5) = (−8.5, −18, −27.5).
        Conv2D<double> conv = Conv(3, (1, 1), (1, 1), "valid", new Shape(1, 1, 2), [1, 2, 3, 10, 20, 30]);
        Assert.Equal(new Shape(1, 1, 2, 3), conv.Kernel.Value.Shape);
        conv.Bias!.Value.Span[0] = 0.5;
        conv.Bias.Value.Span[2] = -0.5;
        Assert.Equal([-8.5, -18, -27.5], conv.Forward(Image(1, 1, 2, i => i == 0 ? 1 : -1), training: false).ToArray());
    }

    public static TheoryData<int, int, int, int, int, int, int, int, string> Geometries() => new()
    {
        // batch, H, W, C, filters, kernel, stride, dilation, padding
        { 2, 5, 5, 1, 2, 3, 1, 1, "valid" },
        { 1, 6, 5, 3, 2, 2, 2, 1, "same" },
        { 3, 4, 6, 2, 3, 3, 3, 1, "same" },
        { 1, 7, 7, 2, 1, 3, 1, 2, "valid" },
        { 2, 5, 4, 1, 2, 2, 1, 2, "same" },
        { 1, 3, 3, 2, 2, 4, 1, 1, "same" },
        { 2, 4, 4, 3, 1, 1, 2, 1, "valid" },
    };

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Conv2D_MatchesADirectConvolutionLoop(int batch, int h, int w, int c, int filters, int k, int s, int d, string padding)
    {
        var rng = new Random((h * 100) + (w * 10) + k);
        Conv2D<double> conv = Conv(filters, (k, k), (s, s), padding, new Shape(h, w, c), dilation: (d, d));
        foreach (Parameter<double> p in conv.Parameters)
        {
            for (int i = 0; i < p.Count; i++)
            {
                p.Value.Span[i] = rng.NextDouble() - 0.5;
            }
        }
        Tensor<double> x = Image(h, w, c, _ => rng.NextDouble() - 0.5, batch);
        Tensor<double> y = conv.Forward(x, training: false);

        // TensorFlow's output size and padding, written out: valid: ⌊(H − span)/s⌋ + 1; same: ⌈H/s⌉, pad_top = ⌊total/2⌋.
        int span = ((k - 1) * d) + 1;
        (int oh, int top) = padding == "same" ? ((h + s - 1) / s, Math.Max(((((h + s - 1) / s) - 1) * s) + span - h, 0) / 2) : (((h - span) / s) + 1, 0);
        (int ow, int left) = padding == "same" ? ((w + s - 1) / s, Math.Max(((((w + s - 1) / s) - 1) * s) + span - w, 0) / 2) : (((w - span) / s) + 1, 0);
        Assert.Equal(new Shape(batch, oh, ow, filters), y.Shape);
        Span<double> K = conv.Kernel.Value.Span, b = conv.Bias!.Value.Span;
        for (int n = 0; n < batch; n++)
        {
            for (int oy = 0; oy < oh; oy++)
            {
                for (int ox = 0; ox < ow; ox++)
                {
                    for (int f = 0; f < filters; f++)
                    {
                        double sum = b[f];
                        for (int ky = 0; ky < k; ky++)
                        {
                            for (int kx = 0; kx < k; kx++)
                            {
                                int iy = (oy * s) - top + (ky * d), ix = (ox * s) - left + (kx * d);
                                if (iy < 0 || iy >= h || ix < 0 || ix >= w)
                                {
                                    continue;
                                }
                                for (int ch = 0; ch < c; ch++)
                                {
                                    sum += x[n, iy, ix, ch] * K[(((((ky * k) + kx) * c) + ch) * filters) + f];
                                }
                            }
                        }
                        Assert.True(Math.Abs(sum - y[n, oy, ox, f]) <= 1e-12, $"y[{n},{oy},{ox},{f}] = {y[n, oy, ox, f]:R}, direct loop {sum:R}");
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Conv2D_GradientsWrtInputKernelAndBias_MatchCentralDifferences(int batch, int h, int w, int c, int filters, int k, int s, int d, string padding)
    {
        var conv = new Conv2D<double>(filters, (k, k), (s, s), padding, (d, d), ActivationFunction.Tanh, name: "conv", seed: 3);
        conv.UseBackend(ReferenceBackend<double>.Instance);
        GradientCheckResult r = GradientCheck.Layer(conv, new Shape(batch, h, w, c), seed: k + s);
        Assert.True(r.Passed, r.ToString());
    }

    [Fact]
    public void Conv2D_OnTheFastBackend_GivesThePlainBackendsOutputAndGradients()
    {
        Tensor<double>[] Run(IBackend<double> backend)
        {
            var conv = new Conv2D<double>(4, (3, 3), (1, 1), "same", activation: ActivationFunction.Relu, name: "conv", seed: 7);
            conv.UseBackend(backend);
            conv.Build(new Shape(6, 5, 3));
            Tensor<double> x = Image(6, 5, 3, i => Math.Sin(i), batch: 2);
            Tensor<double> y = conv.Forward(x, training: true);
            Tensor<double> dx = conv.Backward(Image(6, 5, 4, i => Math.Cos(i), batch: 2));
            return [y, dx, conv.Kernel.Gradient, conv.Bias!.Gradient];
        }
        Tensor<double>[] plain = Run(ReferenceBackend<double>.Instance), fast = Run(new CpuBackend<double>());
        for (int i = 0; i < plain.Length; i++)
        {
            double[] a = plain[i].ToArray(), b = fast[i].ToArray();
            Assert.Equal(a.Length, b.Length);
            Assert.All(a.Zip(b), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-12 * (1 + Math.Abs(p.First)), $"tensor {i}: {p.First:R} vs {p.Second:R}"));
        }
    }

    [Fact]
    public void MaxPooling2D_4x4_ByHand_AndItsGradientGoesToEachWindowsFirstMaximum()
    {
        // x = [1 3 2 2; 4 2 0 1; 5 6 7 8; 6 1 8 0] (one channel), 2 × 2 windows, stride 2:
        // maxima 4, 2 (tie of x[0,2] and x[0,3]: the first, x[0,2], gets the gradient), 6 (x[2,1]; x[3,0] is also 6 but later), 8 (x[2,3] first).
        double[] v = [1, 3, 2, 2, 4, 2, 0, 1, 5, 6, 7, 8, 6, 1, 8, 0];
        var pool = new MaxPooling2D<double>((2, 2), name: "pool");
        pool.UseBackend(ReferenceBackend<double>.Instance);
        pool.Build(new Shape(4, 4, 1));
        Tensor<double> y = pool.Forward(Tensor<double>.FromArray(new Shape(1, 4, 4, 1), v), training: true);
        Assert.Equal([4.0, 2, 6, 8], y.ToArray());
        double[] dx = pool.Backward(Tensor<double>.FromArray(new Shape(1, 2, 2, 1), [10.0, 20, 30, 40])).ToArray();
        double[] expected = new double[16];
        expected[4] = 10;
        expected[2] = 20;
        expected[9] = 30;
        expected[11] = 40;
        Assert.Equal(expected, dx);
    }

    [Fact]
    public void AveragePooling2D_Same_DividesByTheUnpaddedCount()
    {
        // 3 × 3 input 1 … 9, pool 2, stride 2, "same": out 2 × 2, total padding 1 per axis, all at the bottom/right.
        // y(0,0) = (1+2+4+5)/4 = 3;  y(0,1) = (3+6)/2 = 4.5;  y(1,0) = (7+8)/2 = 7.5;  y(1,1) = 9/1 = 9.
        // Backward of ones: each element gets 1/count of its window: corner 9 gets 1, the edge pairs 1/2, the block 1/4.
        var pool = new AveragePooling2D<double>((2, 2), padding: "same", name: "pool");
        pool.UseBackend(ReferenceBackend<double>.Instance);
        pool.Build(new Shape(3, 3, 1));
        Assert.Equal([3.0, 4.5, 7.5, 9], pool.Forward(Image(3, 3, 1, i => i + 1), training: false).ToArray());
        Assert.Equal([0.25, 0.25, 0.5, 0.25, 0.25, 0.5, 0.5, 0.5, 1], pool.Backward(Image(2, 2, 1, _ => 1)).ToArray());
    }

    [Theory]
    [InlineData(2, 2, "valid", 5, 4)]
    [InlineData(3, 2, "same", 5, 5)]
    [InlineData(2, 1, "valid", 4, 3)]
    [InlineData(3, 3, "same", 4, 7)]
    public void Pooling_GradientsWrtInput_MatchCentralDifferences(int pool, int stride, string padding, int h, int w)
    {
        // Inputs are a permutation of distinct values (no ties): max pooling is differentiable there.
        var rng = new Random((pool * 10) + stride);
        double[] distinct = [.. Enumerable.Range(0, 2 * h * w * 2).Select(i => (i + 1) * 0.37 % 5.3).OrderBy(_ => rng.Next())];
        foreach (Layer<double> layer in new Layer<double>[]
        {
            new MaxPooling2D<double>((pool, pool), (stride, stride), padding, name: "max"),
            new AveragePooling2D<double>((pool, pool), (stride, stride), padding, name: "average"),
            new GlobalMaxPooling2D<double>(name: "global_max"),
            new GlobalAveragePooling2D<double>(name: "global_average"),
        })
        {
            layer.UseBackend(ReferenceBackend<double>.Instance);
            GradientCheckResult r = GradientCheck.Layer(layer, Tensor<double>.FromArray(new Shape(2, h, w, 2), distinct), seed: pool);
            Assert.True(r.Passed, r.ToString());
        }
    }

    [Fact]
    public void GlobalPooling_GivesOneValuePerChannel()
    {
        // Two channels of a 2 × 2 image: channel 0 = (1, 2, 3, 4), channel 1 = (−1, 5, 0, 2): means 2.5 and 1.5, maxima 4 and 5.
        Tensor<double> x = Tensor<double>.FromArray(new Shape(1, 2, 2, 2), [1, -1, 2, 5, 3, 0, 4, 2]);
        var avg = new GlobalAveragePooling2D<double>(name: "g");
        var max = new GlobalMaxPooling2D<double>(name: "m");
        avg.Build(new Shape(2, 2, 2));
        max.Build(new Shape(2, 2, 2));
        Assert.Equal(new Shape(2), avg.OutputShape);
        Assert.Equal([2.5, 1.5], avg.Forward(x, false).ToArray());
        Assert.Equal([4.0, 5], max.Forward(x, false).ToArray());
        Assert.Equal(new Shape(1, 2), max.Forward(x, false).Shape);
    }

    [Fact]
    public void Flatten_IsChannelsLastOrder_AndSharesStorageBothWays()
    {
        var flatten = new Flatten<double>(name: "flatten");
        flatten.Build(new Shape(2, 2, 3));
        Assert.Equal(new Shape(12), flatten.OutputShape);
        Tensor<double> x = Image(2, 2, 3, i => i, batch: 2);
        Tensor<double> y = flatten.Forward(x, training: true);
        Assert.Equal(new Shape(2, 12), y.Shape);
        Assert.Same(x.Storage, y.Storage);
        Assert.Equal(x[1, 1, 0, 2], y[1, (((1 * 2) + 0) * 3) + 2]); // y[n, (i·W + j)·C + c] = x[n, i, j, c]
        Tensor<double> g = Tensor<double>.FromArray(new Shape(2, 12), Enumerable.Range(0, 24).Select(i => (double)i).ToArray());
        Tensor<double> dx = flatten.Backward(g);
        Assert.Equal(new Shape(2, 2, 2, 3), dx.Shape);
        Assert.Same(g.Storage, dx.Storage);
    }

    [Fact]
    public void Reshape_InfersTheMinusOne_AndRejectsSizesThatDoNotDivide()
    {
        var reshape = new Reshape<double>([-1, 3], name: "r");
        reshape.Build(new Shape(2, 2, 3));
        Assert.Equal(new Shape(4, 3), reshape.OutputShape);
        Tensor<double> y = reshape.Forward(Image(2, 2, 3, i => i), training: false);
        Assert.Equal(new Shape(1, 4, 3), y.Shape);
        var e = Assert.Throws<ShapeMismatchException>(() => new Reshape<double>([-1, 5], name: "r5").Build(new Shape(2, 2, 3)));
        Assert.Contains("Reshape 'r5' target (-1, 5)", e.Message);
        Assert.Contains("(2, 2, 3)", e.Message);
        Assert.Throws<ArgumentException>(() => new Reshape<double>([-1, -1]));
        Assert.Throws<ArgumentException>(() => new Reshape<double>([0, 3]));
    }

    [Fact]
    public void Dense_OnARank3Input_ActsOnTheLastAxis_LikeOneDensePerPosition()
    {
        // (batch 2, 3 positions, 4 features) → (2, 3, 5): each position's row is x·W + b with the same W and b.
        var dense = new Dense<double>(5, ActivationFunction.Tanh, seed: 1, name: "d");
        dense.UseBackend(ReferenceBackend<double>.Instance);
        dense.Build(new Shape(3, 4));
        Assert.Equal(new Shape(3, 5), dense.OutputShape);
        Assert.Equal(new Shape(4, 5), dense.Kernel.Value.Shape);
        Tensor<double> x = Tensor<double>.FromArray(new Shape(2, 3, 4), Enumerable.Range(0, 24).Select(i => Math.Sin(i)).ToArray());
        Tensor<double> y = dense.Forward(x, training: false);
        Assert.Equal(new Shape(2, 3, 5), y.Shape);
        for (int n = 0; n < 2; n++)
        {
            for (int t = 0; t < 3; t++)
            {
                for (int u = 0; u < 5; u++)
                {
                    double z = dense.Bias!.Value.Span[u];
                    for (int f = 0; f < 4; f++)
                    {
                        z += x[n, t, f] * dense.Kernel.Value[f, u];
                    }
                    Assert.Equal(Math.Tanh(z), y[n, t, u], 14);
                }
            }
        }
        GradientCheckResult r = GradientCheck.Layer(new Dense<double>(2, ActivationFunction.Sigmoid, name: "d2"), new Shape(2, 3, 4), seed: 5);
        Assert.True(r.Passed, r.ToString());
    }

    [Fact]
    public void BadSizes_AndShapes_AreRejected_NamingTheLayerAndBothShapes()
    {
        var big = new Conv2D<float>(2, (5, 5), name: "conv_big");
        var e = Assert.Throws<ShapeMismatchException>(() => big.Build(new Shape(4, 4, 1)));
        Assert.Contains("Conv2D 'conv_big' input", e.Message);
        Assert.Contains("(4, 4, 1)", e.Message);
        Assert.Contains("5×5 window", e.Message);

        var flat = new Conv2D<float>(2, (3, 3), name: "conv_rank");
        e = Assert.Throws<ShapeMismatchException>(() => flat.Build(new Shape(784)));
        Assert.Contains("Conv2D 'conv_rank' input", e.Message);
        Assert.Contains("(height, width, channels)", e.Message);

        var built = new Conv2D<float>(2, (3, 3), name: "conv_c");
        built.Build(new Shape(8, 8, 3));
        e = Assert.Throws<ShapeMismatchException>(() => built.Forward(new Tensor<float>(2, 8, 8, 1), training: false));
        Assert.Contains("Conv2D 'conv_c' input", e.Message);
        Assert.Contains("(*, 8, 8, 3)", e.Message);
        Assert.Contains("(2, 8, 8, 1)", e.Message);

        Assert.Contains("Conv2D needs at least one filter, got 0", Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2D<float>(0, (3, 3))).Message);
        Assert.Contains("Conv2D kernel size must be positive, got (0, 3)", Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2D<float>(1, (0, 3))).Message);
        Assert.Contains("Conv2D strides must be positive, got (1, -1)", Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2D<float>(1, (3, 3), strides: (1, -1))).Message);
        Assert.Contains("Keras 2 rejects strides > 1 with dilation > 1",
            Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2D<float>(1, (3, 3), strides: (2, 2), dilationRate: (2, 1))).Message);
        Assert.Contains("Conv2D padding must be \"valid\" or \"same\", got \"full\"", Assert.Throws<ArgumentException>(() => new Conv2D<float>(1, (3, 3), padding: "full")).Message);
        Assert.Contains("MaxPooling2D pool size must be positive, got (0, 0)", Assert.Throws<ArgumentOutOfRangeException>(() => new MaxPooling2D<float>(0)).Message);
        e = Assert.Throws<ShapeMismatchException>(() => new GlobalAveragePooling2D<float>(name: "gap").Build(new Shape(10)));
        Assert.Contains("GlobalAveragePooling2D 'gap' input", e.Message);
    }

    [Fact]
    public void ASmallConvnet_LearnsVerticalFromHorizontalBars_WithFitAndAdadelta()
    {
        // 64 noisy 8 × 8 images: class 0 has a bright vertical bar at a random column, class 1 a horizontal one.
        // A linear model on raw pixels cannot tell them apart by position-free features as easily; a 3 × 3
        // convolution, pooling and a softmax can, within a few epochs. Fixed seeds: the same run every time.
        var rng = new Random(21);
        const int n = 64;
        var x = new Tensor<float>(n, 8, 8, 1);
        var y = new Tensor<float>(n, 2);
        for (int i = 0; i < n; i++)
        {
            int label = i % 2, at = rng.Next(1, 7);
            for (int r = 0; r < 8; r++)
            {
                for (int c = 0; c < 8; c++)
                {
                    bool bar = label == 0 ? c == at : r == at;
                    x[i, r, c, 0] = (bar ? 1f : 0f) + (float)(rng.NextDouble() * 0.3);
                }
            }
            y[i, label] = 1;
        }
        var net = new Sequential<float>(seed: 5);
        net.Add(new Conv2D<float>(4, 3, "relu", inputShape: new Shape(8, 8, 1)));
        net.Add(new MaxPooling2D<float>(2));
        net.Add(new Flatten<float>());
        net.Add(new Dense<float>(2, "softmax"));
        net.Compile(new RefNet.Optimizers.Adadelta(), new RefNet.Losses.CategoricalCrossentropy(), ["accuracy"]);
        History h = net.Fit(x, y, batchSize: 8, epochs: 40, seed: 3, verbose: 0);
        Assert.True(h["loss"][^1] < h["loss"][0] / 4, $"loss {h["loss"][0]} → {h["loss"][^1]}");
        Assert.True(h["acc"][^1] >= 0.95, $"accuracy after 40 epochs {h["acc"][^1]}");
        Assert.Equal(new Shape(n, 2), net.Predict(x).Shape);
    }
}
