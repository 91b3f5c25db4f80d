// PNG plots of a RefNet training curve beside published Keras runs (ScottPlot, headless through SkiaSharp).
// Two panels: loss and accuracy, train solid and validation dashed; the acceptance band shaded.
using RefNet.Reproduction;
using ScottPlot;

namespace RefNet.Cli.Reproduction;

/// <summary>Draws the loss and accuracy panels of a reproduction run.</summary>
public static class CurvePlot
{
    /// <summary>Saves a two-panel PNG (loss left, accuracy right).</summary>
    /// <param name="path">Destination .png (written to a temporary name, then renamed).</param>
    /// <param name="title">Title prefix, e.g. "mnist_mlp: RefNet vs Keras".</param>
    /// <param name="history">RefNet's per-epoch values.</param>
    /// <param name="published">Published runs to draw beside it.</param>
    /// <param name="band">Optional accepted interval per metric and epoch (1-based), shaded.</param>
    public static void Save(string path, string title, IReadOnlyDictionary<string, IReadOnlyList<double>> history,
        IReadOnlyList<PublishedRun> published, Func<string, int, (double Low, double High)?>? band = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(published);
        Plot loss = Panel($"{title} — loss", "loss", ["loss", "val_loss"], history, published, band);
        Plot acc = Panel($"{title} — accuracy", "accuracy", ["acc", "val_acc"], history, published, band);
        var multiplot = new Multiplot();
        multiplot.Reset(loss); // a new Multiplot starts with one empty plot

        multiplot.AddPlot(acc);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        string temp = path + ".tmp.png";
        multiplot.SavePng(temp, 1400, 560);
        File.Move(temp, path, overwrite: true);
    }

    private static Plot Panel(string title, string yLabel, string[] metrics, IReadOnlyDictionary<string, IReadOnlyList<double>> history,
        IReadOnlyList<PublishedRun> published, Func<string, int, (double Low, double High)?>? band)
    {
        var plot = new Plot();
        Color[] runColors = [Colors.Gray, Colors.Orange, Colors.Green];
        Color refnet = Colors.Blue;
        foreach (string metric in metrics)
        {
            bool validation = metric.StartsWith("val_", StringComparison.Ordinal);
            int runEpochs = history.TryGetValue(metric, out IReadOnlyList<double>? mine) ? mine.Count : 0;
            int bandEpochs = Math.Max(runEpochs, published.Max(r => r.Epochs.TryGetValue(metric, out double[]? v) ? v.Length : 0));
            if (band is not null)
            {
                var xs = new List<double>();
                var lo = new List<double>();
                var hi = new List<double>();
                for (int e = 1; e <= bandEpochs; e++)
                {
                    if (band(metric, e) is { } b)
                    {
                        xs.Add(e);
                        lo.Add(b.Low);
                        hi.Add(b.High);
                    }
                }
                if (xs.Count > 1)
                {
                    var fill = plot.Add.FillY(xs.ToArray(), lo.ToArray(), hi.ToArray());
                    fill.FillColor = refnet.WithAlpha(validation ? 0.08 : 0.15);
                    fill.LineWidth = 0;
                    fill.LegendText = $"band {metric}";
                }
            }
            for (int r = 0; r < published.Count; r++)
            {
                if (!published[r].Epochs.TryGetValue(metric, out double[]? values))
                {
                    continue;
                }
                var s = plot.Add.Scatter(Enumerable.Range(1, values.Length).Select(e => (double)e).ToArray(), values);
                s.Color = runColors[r % runColors.Length];
                s.LineWidth = 1.5f;
                s.MarkerSize = 4;
                s.LinePattern = validation ? LinePattern.Dashed : LinePattern.Solid;
                s.LegendText = $"{published[r].Id} {metric}";
            }
            if (runEpochs > 0)
            {
                var s = plot.Add.Scatter(Enumerable.Range(1, runEpochs).Select(e => (double)e).ToArray(), mine!.ToArray());
                s.Color = refnet;
                s.LineWidth = 2.5f;
                s.MarkerSize = 6;
                s.LinePattern = validation ? LinePattern.Dashed : LinePattern.Solid;
                s.LegendText = $"RefNet {metric}";
            }
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel(yLabel);
        plot.ShowLegend(yLabel == "loss" ? Alignment.UpperRight : Alignment.LowerRight);
        return plot;
    }
}
