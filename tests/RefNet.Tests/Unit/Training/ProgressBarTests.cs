// Keras progress-line formatting (Progbar) and what Fit prints with verbose 0 and 1.
using System.Text.RegularExpressions;
using RefNet.Engine;
using RefNet.Losses;
using RefNet.Optimizers;
using RefNet.Tensors;
using Xunit;

namespace RefNet.Tests.Unit.Training;

public class ProgressBarTests
{
    [Fact]
    public void FinalLine_HasKerasLayout()
    {
        string line = ProgressBar.FormatLine(60000, 60000, 2.7,
        [
            new("loss", 0.24291), new("acc", 0.92449), new("val_loss", 0.10712), new("val_acc", 0.9654),
        ]);
        Assert.Equal("60000/60000 [==============================] - 2s - loss: 0.2429 - acc: 0.9245 - val_loss: 0.1071 - val_acc: 0.9654", line);
    }

    [Theory]
    [InlineData(0, 10, " 0/10 [..............................]")]
    [InlineData(5, 10, " 5/10 [==============>...............]")]
    [InlineData(1, 4, "1/4 [======>.......................]")]
    [InlineData(10, 10, "10/10 [==============================]")]
    public void Bar_FollowsProgbar(int current, int target, string expected) =>
        Assert.Equal(expected, ProgressBar.FormatBar(current, target));

    [Theory]
    [InlineData(0.24291, " 0.2429")]
    [InlineData(-0.5, " -0.5000")]
    [InlineData(12.34567, " 12.3457")]
    [InlineData(0.001, " 1.0000e-03")] // |v| > 1e-3 is false at exactly 1e-3
    [InlineData(1.23456e-5, " 1.2346e-05")]
    [InlineData(0.0, " 0.0000e+00")]
    [InlineData(double.NaN, " nan")]
    public void Values_UseFourDecimalsOrScientific(double value, string expected) =>
        Assert.Equal(expected, ProgressBar.FormatValue(value));

    [Fact]
    public void RunningLine_ShowsEta()
    {
        // 25 of 100 samples in 1 s → 0.04 s per sample → ETA int(3.0) = 3 s.
        string line = ProgressBar.FormatLine(25, 100, 1.0, [new("loss", 0.5)]);
        Assert.Equal(" 25/100 [======>.......................] - ETA: 3s - loss: 0.5000", line);
    }

    [Fact]
    public void InPlaceMode_RedrawsWithCarriageReturn()
    {
        var w = new StringWriter();
        var bar = new ProgressBar(w, 4, inPlace: true);
        bar.Update(1, ["loss"], [0.5], 1);
        bar.Finish(4, [new("loss", 0.25)]);
        string s = w.ToString();
        Assert.StartsWith("\r1/4 [======>.......................] - ETA: ", s);
        Assert.Matches(new Regex(@"\r4/4 \[=+\] - \d+s - loss: 0\.2500 *" + Regex.Escape(Environment.NewLine) + "$"), s);
    }

    [Fact]
    public void Fit_Verbose1_PrintsEpochHeaderAndOneLinePerEpoch_WhenRedirected()
    {
        var (net, x, y) = Tiny();
        var w = new StringWriter();
        History h = net.Fit(x, y, batchSize: 2, epochs: 2, verbose: 1, log: w, validationData: (x, y));
        string[] lines = w.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, lines.Length);
        Assert.Equal("Train on 4 samples, validate on 4 samples", lines[0]);
        Assert.Equal("Epoch 1/2", lines[1]);
        Assert.Equal("Epoch 2/2", lines[3]);
        Assert.DoesNotContain('\r', w.ToString());
        var m = Regex.Match(lines[4], @"^4/4 \[={30}\] - \d+s - loss: (\S+) - acc: (\S+) - val_loss: (\S+) - val_acc: (\S+)$");
        Assert.True(m.Success, lines[4]);
        Assert.Equal(ProgressBar.FormatValue(h["loss"][1]).Trim(), m.Groups[1].Value);
        Assert.Equal(ProgressBar.FormatValue(h["val_acc"][1]).Trim(), m.Groups[4].Value);
    }

    [Fact]
    public void Fit_ProgressLine_LeavesOutCallbackExtras()
    {
        var (net, x, y) = Tiny();
        var w = new StringWriter();
        History h = net.Fit(x, y, batchSize: 4, epochs: 1, verbose: 2, log: w,
            callbacks: [new RefNet.Callbacks.LearningRateScheduler((_, lr) => lr)]);
        Assert.True(h.Contains("lr"));
        Assert.DoesNotContain("lr:", w.ToString());
        Assert.Matches(@"^4/4 \[={30}\] - \d+s - loss: \S+ - acc: \S+$", w.ToString().Split(Environment.NewLine)[1]);
    }

    [Fact]
    public void Fit_Verbose0_PrintsNothing()
    {
        var (net, x, y) = Tiny();
        var w = new StringWriter();
        net.Fit(x, y, batchSize: 2, epochs: 2, verbose: 0, log: w);
        Assert.Equal(string.Empty, w.ToString());
    }

    private static (Network<double>, Tensor<double>, Tensor<double>) Tiny()
    {
        var net = new Network<double>(inputDim: 2, hiddenLayerDims: [3], outputDim: 1, seed: 2);
        net.Compile(new Sgd(learningRate: 0.5), new BinaryCrossentropy(), ["accuracy"]);
        var x = Tensor<double>.FromRows(new double[,] { { 0, 0 }, { 0, 1 }, { 1, 0 }, { 1, 1 } });
        var y = Tensor<double>.FromRows(new double[,] { { 0 }, { 1 }, { 1 }, { 1 } });
        return (net, x, y);
    }
}
