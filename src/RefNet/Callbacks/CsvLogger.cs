// CsvLogger: write one CSV row per epoch (epoch, then the log keys in sorted order), as Keras' CSVLogger.
// Rows are flushed as they are written so a crashed run keeps its history.
using System.Globalization;
using CsvHelper;

namespace RefNet.Callbacks;

/// <summary>Streams epoch results to a CSV file (Keras <c>CSVLogger</c>): columns "epoch" then the sorted log keys.</summary>
/// <remarks>Epochs are 0-based as in Keras. Numbers use the invariant culture and round-trip precision. With
/// <paramref name="append"/> an existing file is extended without repeating the header.</remarks>
/// <param name="path">CSV file path.</param>
/// <param name="separator">Field separator (Keras default ',').</param>
/// <param name="append">Append to an existing file instead of overwriting it.</param>
public sealed class CsvLogger(string path, char separator = ',', bool append = false) : Callback
{
    private StreamWriter? _stream;
    private CsvWriter? _csv;
    private string[]? _keys;
    private bool _writeHeader;

    /// <summary>The CSV file.</summary>
    public string Path { get; } = string.IsNullOrWhiteSpace(path) ? throw new ArgumentException("CSV path is empty", nameof(path)) : path;

    /// <inheritdoc/>
    public override void OnTrainBegin()
    {
        bool writeHeader = !(append && File.Exists(Path) && new FileInfo(Path).Length > 0);
        _stream = new StreamWriter(Path, append);
        _csv = CsvWriter.Create(_stream, new CsvWriterOptions { Separator = separator }, leaveOpen: true);
        _writeHeader = writeHeader;
        _keys = null;
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        if (_csv is null)
        {
            throw new InvalidOperationException("CsvLogger.OnEpochEnd called before OnTrainBegin");
        }
        if (_keys is null)
        {
            // Keras: the columns are fixed by the first epoch's (sorted) keys.
            _keys = logs.Keys.Order(StringComparer.Ordinal).ToArray();
            if (_writeHeader)
            {
                _csv.WriteHeader(["epoch", .. _keys]);
            }
        }
        var row = new string[_keys.Length + 1];
        row[0] = epoch.ToString(CultureInfo.InvariantCulture);
        for (int i = 0; i < _keys.Length; i++)
        {
            row[i + 1] = logs.TryGetValue(_keys[i], out double v) ? v.ToString("R", CultureInfo.InvariantCulture) : string.Empty;
        }
        _csv.WriteRecord(row);
        _csv.Flush();
        _stream!.Flush();
    }

    /// <inheritdoc/>
    public override void OnTrainEnd()
    {
        _csv?.Dispose();
        _stream?.Dispose();
        _csv = null;
        _stream = null;
    }
}
