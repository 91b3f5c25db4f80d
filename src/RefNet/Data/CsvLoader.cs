// CSV datasets: a header row, numeric feature columns and one named label column → x tensor and labels.
// Parsing through CsvHelper (RFC 4180 quoting); every bad cell is reported with file, line and column.
using System.Globalization;
using System.Numerics;
using CsvHelper;
using RefNet.Tensors;

namespace RefNet.Data;

/// <summary>How the label column is turned into targets.</summary>
public enum CsvLabelKind
{
    /// <summary>Class labels: integers 0..k-1 are used as they are; any other values are mapped to indices in sorted (ordinal) order. Y is one-hot.</summary>
    Class,

    /// <summary>A numeric target: Y is (N, 1) holding the values.</summary>
    Regression,
}

/// <summary>A dataset read from CSV, with the names of its columns.</summary>
/// <typeparam name="T">float or double.</typeparam>
/// <param name="Data">x (N, features), y (one-hot or (N, 1)), and integer labels for class data.</param>
/// <param name="FeatureNames">Header names of the feature columns, in x's column order.</param>
/// <param name="ClassNames">For class labels: the label text of each class index; null for regression.</param>
public sealed record CsvDataset<T>(Dataset<T> Data, IReadOnlyList<string> FeatureNames, IReadOnlyList<string>? ClassNames)
    where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>Reads numeric CSV files with a header row into tensors.</summary>
public static class CsvLoader
{
    /// <summary>Reads <paramref name="path"/>: every column except <paramref name="labelColumn"/> is a numeric feature.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="path">CSV file with a header row, comma-separated, invariant culture numbers ("1.5", "-2e-3").</param>
    /// <param name="labelColumn">Header name of the label/target column (case-sensitive).</param>
    /// <param name="labelKind">Class labels (one-hot targets) or a numeric regression target.</param>
    /// <exception cref="DataFormatException">Empty file, missing label column, a row with the wrong number of fields,
    /// or a non-numeric feature cell; the message names the file, the line and the column.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static CsvDataset<T> Load<T>(string path, string labelColumn, CsvLabelKind labelKind = CsvLabelKind.Class)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(labelColumn);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such file", path);
        }
        CsvReaderOptions options = CsvReaderOptions.Default with
        {
            Separator = ',',
            HasHeader = true,
            TrackLineNumbers = true,
            TrimWhitespace = true,
            FormatProvider = CultureInfo.InvariantCulture,
        };
        using CsvReader csv = CsvReader.FromFile(path, options);
        try
        {
            return Read<T>(csv, path, labelColumn, labelKind);
        }
        catch (CsvFormatException e)
        {
            throw new DataFormatException(path, (int)e.LineNumber, e.FieldIndex >= 0 ? $"#{e.FieldIndex + 1}" : "?", $"malformed CSV: {e.Message}");
        }
    }

    private static CsvDataset<T> Read<T>(CsvReader csv, string path, string labelColumn, CsvLabelKind labelKind)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        string[] header = csv.Headers.ToArray();
        if (header.Length == 0)
        {
            throw new DataFormatException(path, 1, labelColumn, "the file is empty (expected a header row)");
        }
        for (int c = 1; c < header.Length; c++)
        {
            int first = Array.IndexOf(header, header[c], 0, c);
            if (first >= 0)
            {
                throw new DataFormatException(path, 1, header[c], $"the header names '{header[c]}' twice (columns {first + 1} and {c + 1})");
            }
        }
        int labelIndex = Array.IndexOf(header, labelColumn);
        if (labelIndex < 0)
        {
            throw new DataFormatException(path, 1, labelColumn, $"no such column in the header (columns: {string.Join(", ", header)})");
        }
        string[] featureNames = header.Where((_, i) => i != labelIndex).ToArray();
        var features = new List<T>();
        var labelTexts = new List<string>();
        var labelLines = new List<int>();
        while (csv.Read())
        {
            int line = (int)csv.LineNumber;
            if (csv.FieldCount != header.Length)
            {
                throw new DataFormatException(path, line, csv.FieldCount < header.Length ? header[csv.FieldCount] : $"#{header.Length + 1}",
                    $"row has {csv.FieldCount} fields but the header has {header.Length}");
            }
            for (int c = 0; c < header.Length; c++)
            {
                string text = csv.GetString(c) ?? string.Empty;
                if (c == labelIndex)
                {
                    if (text.Length == 0)
                    {
                        throw new DataFormatException(path, line, labelColumn, "the label is empty");
                    }
                    labelTexts.Add(text);
                    labelLines.Add(line);
                    continue;
                }
                features.Add(ParseNumber<T>(text, path, line, header[c]));
            }
        }
        int n = labelTexts.Count;
        var x = new Tensor<T>(n, featureNames.Length);
        Span<T> xs = x.Span;
        features.CopyTo(xs);
        if (labelKind == CsvLabelKind.Regression)
        {
            var y = new Tensor<T>(n, 1);
            for (int i = 0; i < n; i++)
            {
                y.Span[i] = ParseNumber<T>(labelTexts[i], path, labelLines[i], labelColumn);
            }
            return new CsvDataset<T>(new Dataset<T>(x, y, null), featureNames, null);
        }
        (int[] labels, string[] classNames) = EncodeClasses(labelTexts, labelLines, path, labelColumn);
        return new CsvDataset<T>(new Dataset<T>(x, Preprocessing.ToCategorical<T>(labels, classNames.Length), labels), featureNames, classNames);
    }

    /// <summary>The largest class index an integer label may be (a one-hot row per sample has index + 1 columns).</summary>
    public const int MaxClassIndex = 65535;

    /// <summary>The most values a one-hot target tensor from a CSV may hold (2²⁸, 1 GiB of float32), rows × classes.</summary>
    public const long MaxOneHotElements = 1L << 28;

    // Integers 0..k-1 stay as they are (class names "0".."k-1"); anything else maps to sorted distinct values.
    private static (int[] Labels, string[] ClassNames) EncodeClasses(List<string> texts, List<int> lines, string path, string column)
    {
        var ints = new int[texts.Count];
        bool allIntegers = true;
        for (int i = 0; i < texts.Count && allIntegers; i++)
        {
            allIntegers = int.TryParse(texts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out ints[i]) && ints[i] >= 0;
        }
        if (allIntegers)
        {
            int worst = texts.Count == 0 ? -1 : Array.IndexOf(ints, ints.Max());
            if (worst >= 0 && ints[worst] > MaxClassIndex)
            {
                throw new DataFormatException(path, lines[worst], column,
                    $"class label {ints[worst]} is above {MaxClassIndex}: integer labels are class indices, and one-hot targets would need {(long)ints[worst] + 1} columns; " +
                    "number the classes 0..k-1, or read the column as a regression target");
            }
            int k = texts.Count == 0 ? 0 : ints.Max() + 1;
            if ((long)texts.Count * k > MaxOneHotElements)
            {
                throw new DataFormatException(path, lines[worst], column,
                    $"class label {ints[worst]} makes {k} classes: one-hot targets for {texts.Count} rows would hold {(long)texts.Count * k} values (at most {MaxOneHotElements}); " +
                    "number the classes 0..k-1, or read the column as a regression target");
            }
            return (ints, Enumerable.Range(0, k).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray());
        }
        string[] names = texts.Distinct().Order(StringComparer.Ordinal).ToArray();
        var index = names.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
        return (texts.Select(t => index[t]).ToArray(), names);
    }

    // Finite in T, not only in double: "1e39" is a double but +∞ as float.
    private static T ParseNumber<T>(string text, string path, int line, string column)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
        {
            throw new DataFormatException(path, line, column, $"'{text}' is not a finite number");
        }
        T narrowed = T.CreateChecked(value);
        if (!T.IsFinite(narrowed))
        {
            throw new DataFormatException(path, line, column, $"'{text}' is beyond the range of {(typeof(T) == typeof(float) ? "float32 (±3.40282347e38)" : typeof(T).Name)}");
        }
        return narrowed;
    }
}
