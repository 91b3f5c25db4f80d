// The Keras 2 progress bar (keras.utils.generic_utils.Progbar) that Fit prints with verbose = 1.
// On a terminal the line is redrawn in place with '\r'; otherwise one finished line per epoch is written.
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace RefNet.Engine;

/// <summary>Keras' <c>Progbar</c>: "current/target [====&gt;....] - ETA: 3s - loss: 0.2429 - acc: 0.9245".</summary>
/// <remarks>Formatting follows Keras 2.0.8 <c>Progbar.update</c>: the counter is right-aligned to the width of
/// the target, the bar is 30 characters ('=' for done, '&gt;' for the head, '.' for the rest), the time is
/// "ETA: Ns" while running and "Ns" (elapsed, truncated) when done, and each value prints as
/// <c>' %.4f'</c> when |v| &gt; 1e-3, else <c>' %.4e'</c>. In-place redraws are limited to one per
/// 0.05 s as in Keras; the final line is always written. The displayed values are the epoch's running
/// sample-weighted means, and the final line shows exactly the values recorded in <see cref="History"/>.</remarks>
public sealed class ProgressBar
{
    private const int BarWidth = 30;
    private const double RedrawInterval = 0.05;

    private readonly TextWriter _writer;
    private readonly bool _inPlace;
    private readonly long _start;
    private long _lastRedraw;
    private int _previousWidth;

    /// <summary>Starts a bar for one epoch.</summary>
    /// <param name="writer">Where the bar goes.</param>
    /// <param name="target">Samples in the epoch.</param>
    /// <param name="inPlace">Redraw the line in place during the epoch (only sensible on a terminal).</param>
    public ProgressBar(TextWriter writer, int target, bool inPlace)
    {
        _writer = writer ?? throw new ArgumentNullException(nameof(writer));
        Target = target;
        _inPlace = inPlace;
        _start = Stopwatch.GetTimestamp();
        _lastRedraw = long.MinValue;
    }

    /// <summary>Samples per epoch.</summary>
    public int Target { get; }

    /// <summary>True when Fit should redraw progress in place: the writer is the console and the console is not redirected.</summary>
    public static bool IsTerminal(TextWriter writer) => ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected;

    /// <summary>Redraws the running line (terminal mode only, at most every 0.05 s); does nothing otherwise.</summary>
    /// <param name="current">Samples seen so far.</param>
    /// <param name="keys">Value names, e.g. "loss", "acc".</param>
    /// <param name="sums">Running sums (value × batch size); shown divided by <paramref name="current"/>.</param>
    /// <param name="count">How many of <paramref name="keys"/> to show.</param>
    public void Update(int current, string[] keys, double[] sums, int count)
    {
        if (!_inPlace || current >= Target)
        {
            return;
        }
        long now = Stopwatch.GetTimestamp();
        if (_lastRedraw != long.MinValue && Stopwatch.GetElapsedTime(_lastRedraw, now).TotalSeconds < RedrawInterval)
        {
            return;
        }
        _lastRedraw = now;
        double elapsed = Stopwatch.GetElapsedTime(_start, now).TotalSeconds;
        var values = new List<KeyValuePair<string, double>>(count);
        for (int i = 0; i < count; i++)
        {
            values.Add(new(keys[i], sums[i] / current));
        }
        Draw(FormatLine(current, Target, elapsed, values));
    }

    /// <summary>Writes the finished line with the epoch's logs (and ends it with a newline).</summary>
    public void Finish(int current, IEnumerable<KeyValuePair<string, double>> logs)
    {
        double elapsed = Stopwatch.GetElapsedTime(_start).TotalSeconds;
        string line = FormatLine(current, Target, elapsed, logs);
        if (_inPlace)
        {
            Draw(line);
            _writer.WriteLine();
        }
        else
        {
            _writer.WriteLine(line);
        }
        _writer.Flush();
    }

    private void Draw(string line)
    {
        string padded = line.Length < _previousWidth ? line.PadRight(_previousWidth) : line;
        _previousWidth = line.Length;
        _writer.Write('\r');
        _writer.Write(padded);
        _writer.Flush();
    }

    /// <summary>One Keras progress line, e.g. "60000/60000 [==============================] - 2s - loss: 0.2429".</summary>
    /// <param name="current">Samples seen.</param>
    /// <param name="target">Samples per epoch.</param>
    /// <param name="elapsedSeconds">Seconds since the epoch began.</param>
    /// <param name="values">Names and values to show, in order.</param>
    public static string FormatLine(int current, int target, double elapsedSeconds, IEnumerable<KeyValuePair<string, double>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var sb = new StringBuilder(FormatBar(current, target));
        if (current < target)
        {
            double perSample = current > 0 ? elapsedSeconds / current : 0;
            sb.Append(" - ETA: ").Append(((long)(perSample * (target - current))).ToString(CultureInfo.InvariantCulture)).Append('s');
        }
        else
        {
            sb.Append(" - ").Append(((long)elapsedSeconds).ToString(CultureInfo.InvariantCulture)).Append('s');
        }
        foreach ((string key, double value) in values)
        {
            sb.Append(" - ").Append(key).Append(':').Append(FormatValue(value));
        }
        return sb.ToString();
    }

    /// <summary>"current/target [bar]" with the counter right-aligned to the target's width and a 30-character bar.</summary>
    public static string FormatBar(int current, int target)
    {
        if (target <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(target), $"target must be positive, got {target}");
        }
        int digits = target.ToString(CultureInfo.InvariantCulture).Length;
        var sb = new StringBuilder();
        sb.Append(current.ToString(CultureInfo.InvariantCulture).PadLeft(digits)).Append('/')
            .Append(target.ToString(CultureInfo.InvariantCulture)).Append(" [");
        int done = (int)(BarWidth * ((double)current / target));
        done = Math.Min(done, BarWidth);
        if (done > 0)
        {
            sb.Append('=', done - 1);
            sb.Append(current < target ? '>' : '=');
        }
        sb.Append('.', BarWidth - done);
        sb.Append(']');
        return sb.ToString();
    }

    /// <summary>Keras' number format with its leading space: " %.4f" when |v| &gt; 1e-3, else " %.4e" (e.g. " 1.2346e-05").</summary>
    public static string FormatValue(double value)
    {
        if (double.IsNaN(value))
        {
            return " nan";
        }
        if (double.IsInfinity(value))
        {
            return value > 0 ? " inf" : " -inf";
        }
        return Math.Abs(value) > 1e-3
            ? " " + value.ToString("F4", CultureInfo.InvariantCulture)
            : " " + value.ToString("0.0000e+00", CultureInfo.InvariantCulture);
    }
}
