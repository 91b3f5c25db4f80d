// CurveBand: judges a training curve against a published one and the band stored beside it in golden/published/
// (loss, acc, val_loss, val_acc per epoch, then the final test accuracy). Shared by the Keras reproductions.
namespace RefNet.Reproduction;

/// <summary>The band rules of a golden curve file: per-epoch intervals and the final test-accuracy interval.</summary>
public static class CurveBand
{
    /// <summary>The metrics judged at every epoch, in report order.</summary>
    public static readonly string[] Metrics = ["loss", "acc", "val_loss", "val_acc"];

    /// <summary>Judges a run: every epoch that ran (up to <paramref name="publishedEpochs"/>), then the test accuracy.</summary>
    /// <param name="golden">The published curves and their band.</param>
    /// <param name="publishedEpochs">Epochs of the published script; the test-accuracy interval applies after that many.</param>
    /// <param name="requiredSamples">Training samples of the published run; fewer means the run is reported but not judged.</param>
    /// <param name="history">RefNet's per-epoch values.</param>
    /// <param name="testAccuracy">Accuracy of evaluate(x_test, y_test) after training, or null.</param>
    /// <param name="trainingSamples">Training samples used.</param>
    /// <param name="bandScale">Multiplies every half-width (0.5 for the mean of K ≥ 5 seeds).</param>
    public static CurveVerdict Judge(PublishedCurves golden, int publishedEpochs, int requiredSamples,
        IReadOnlyDictionary<string, IReadOnlyList<double>> history, double? testAccuracy, int trainingSamples, double bandScale = 1.0)
    {
        ArgumentNullException.ThrowIfNull(golden);
        ArgumentNullException.ThrowIfNull(history);
        var checks = new List<CurveCheck>();
        int epochs = history.Count == 0 ? 0 : history.Values.Max(v => v.Count);
        for (int e = 1; e <= epochs && e <= publishedEpochs; e++)
        {
            foreach (string metric in Metrics)
            {
                if (!history.TryGetValue(metric, out IReadOnlyList<double>? values) || values.Count < e)
                {
                    continue;
                }
                (double center, double half) = Interval(golden, metric, e);
                half *= bandScale;
                checks.Add(new CurveCheck(metric, e, values[e - 1], center, center - half, center + half));
            }
        }
        if (testAccuracy is { } test)
        {
            if (epochs == publishedEpochs)
            {
                double lo = golden.Band("test_accuracy", "min");
                double hi = golden.Band("test_accuracy", "max");
                double center = (lo + hi) / 2;
                double half = (hi - lo) / 2 * bandScale;
                checks.Add(new CurveCheck("test_acc", 0, test, center, center - half, center + half));
            }
            else if (epochs is > 0 && epochs < publishedEpochs)
            {
                // The validation set is the test set: after fewer epochs, judge the test accuracy by that epoch's val_acc band.
                (double center, double half) = Interval(golden, "val_acc", epochs);
                half *= bandScale;
                checks.Add(new CurveCheck("test_acc", 0, test, center, center - half, center + half));
            }
        }
        string? reason = trainingSamples < requiredSamples
            ? $"trained on {trainingSamples} of the {requiredSamples} training samples (--limit); the published curves use all of them"
            : null;
        return new CurveVerdict(checks, reason);
    }

    /// <summary>Centre and half-width of the accepted interval of a metric at a 1-based epoch, by the golden file's band rules.</summary>
    /// <exception cref="ArgumentOutOfRangeException">No published value at that epoch.</exception>
    /// <exception cref="ArgumentException">A metric without a band.</exception>
    public static (double Center, double HalfWidth) Interval(PublishedCurves golden, string metric, int epoch)
    {
        ArgumentNullException.ThrowIfNull(golden);
        double reference = golden.Reference(metric, epoch)
            ?? throw new ArgumentOutOfRangeException(nameof(epoch), $"no published value of {metric} at epoch {epoch}");
        return metric switch
        {
            "loss" when epoch == 1 => (golden.Band("loss", "epoch1_center"), golden.Band("loss", "epoch1_half_width")),
            "loss" => (reference, Math.Max(golden.Band("loss", "later_half_width_absolute"), golden.Band("loss", "later_half_width_relative") * reference)),
            "acc" when epoch == 1 => (golden.Band("acc", "epoch1_center"), golden.Band("acc", "epoch1_half_width")),
            "acc" => (reference, golden.Band("acc", "half_width")),
            "val_loss" => (reference, golden.Band("val_loss", "half_width")),
            "val_acc" => (reference, golden.Band("val_acc", "half_width")),
            _ => throw new ArgumentException($"no band for metric '{metric}'", nameof(metric)),
        };
    }
}
