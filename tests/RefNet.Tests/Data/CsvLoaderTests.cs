// CsvLoader tests: small CSV files written by the tests; errors must name file, line and column.
using RefNet.Data;
using Xunit;

namespace RefNet.Tests.Data;

public sealed class CsvLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("refnet-csv-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string text)
    {
        string path = Path.Combine(_dir, "data.csv");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Load_SplitsFeaturesAndIntegerLabels()
    {
        string path = Write("a,label,b\n1.5,2,-3\n0,0,4e-1\n\"7\",1,8\n");
        CsvDataset<double> d = CsvLoader.Load<double>(path, "label");
        Assert.Equal(new[] { "a", "b" }, d.FeatureNames);
        Assert.Equal(new[] { 1.5, -3, 0, 0.4, 7, 8 }, d.Data.X.ToArray());
        Assert.Equal(new[] { 2, 0, 1 }, d.Data.Labels);
        Assert.Equal(new[] { 3, 3 }, d.Data.Y.Shape.ToArray());
        Assert.Equal(new double[] { 0, 0, 1, 1, 0, 0, 0, 1, 0 }, d.Data.Y.ToArray());
        Assert.Equal(new[] { "0", "1", "2" }, d.ClassNames);
    }

    [Fact]
    public void Load_TextLabels_MapToSortedClassIndices()
    {
        string path = Write("x,species\n1,virginica\n2,setosa\n3,versicolor\n4,setosa\n");
        CsvDataset<float> d = CsvLoader.Load<float>(path, "species");
        Assert.Equal(new[] { "setosa", "versicolor", "virginica" }, d.ClassNames);
        Assert.Equal(new[] { 2, 0, 1, 0 }, d.Data.Labels);
    }

    [Fact]
    public void Load_Regression_KeepsTargetValues()
    {
        string path = Write("x,y\n1,0.5\n2,-1.25\n");
        CsvDataset<double> d = CsvLoader.Load<double>(path, "y", CsvLabelKind.Regression);
        Assert.Null(d.Data.Labels);
        Assert.Equal(new[] { 0.5, -1.25 }, d.Data.Y.ToArray());
    }

    [Fact]
    public void MissingLabelColumn_NamesFileAndColumns()
    {
        string path = Write("a,b\n1,2\n");
        var e = Assert.Throws<DataFormatException>(() => CsvLoader.Load<double>(path, "label"));
        Assert.Contains(path, e.Message);
        Assert.Contains("line 1", e.Message);
        Assert.Contains("'label'", e.Message);
        Assert.Contains("a, b", e.Message);
    }

    [Fact]
    public void NonNumericCell_NamesFileLineAndColumn()
    {
        string path = Write("a,b,label\n1,2,0\n3,oops,1\n");
        var e = Assert.Throws<DataFormatException>(() => CsvLoader.Load<double>(path, "label"));
        Assert.Contains(path, e.Message);
        Assert.Equal(3, e.Line);
        Assert.Equal("b", e.Column);
        Assert.Contains("'oops'", e.Message);
    }

    [Fact]
    public void ShortRow_NamesTheFirstMissingColumn()
    {
        string path = Write("a,b,label\n1,2,0\n3\n");
        var e = Assert.Throws<DataFormatException>(() => CsvLoader.Load<double>(path, "label"));
        Assert.Equal(3, e.Line);
        Assert.Equal("b", e.Column);
    }

    [Fact]
    public void EmptyFile_IsReported()
    {
        string path = Write(string.Empty);
        var e = Assert.Throws<DataFormatException>(() => CsvLoader.Load<double>(path, "label"));
        Assert.Contains("empty", e.Message);
    }

    [Fact]
    public void BadRegressionTarget_NamesLabelColumn()
    {
        string path = Write("x,y\n1,2\n2,NaN\n");
        var e = Assert.Throws<DataFormatException>(() => CsvLoader.Load<double>(path, "y", CsvLabelKind.Regression));
        Assert.Equal(3, e.Line);
        Assert.Equal("y", e.Column);
    }

    [Theory]
    [InlineData("1e39")]
    [InlineData("-3.5e38")]
    public void ANumberBeyondFloat32_IsAnErrorInFloat_NamingTheCell_ButReadsInDouble(string cell)
    {
        string path = Write($"a,b,label\n1,2,0\n3,{cell},1\n");
        var e = Assert.Throws<DataFormatException>(() => CsvLoader.Load<float>(path, "label"));
        Assert.Equal(3, e.Line);
        Assert.Equal("b", e.Column);
        Assert.Contains($"'{cell}' is beyond the range of float32", e.Message);
        Assert.Equal(double.Parse(cell, System.Globalization.CultureInfo.InvariantCulture), CsvLoader.Load<double>(path, "label").Data.X.ToArray()[3]);
    }

    [Theory]
    [InlineData("300000000")]
    [InlineData("2147483647")]
    [InlineData("20000000")]
    public void AHugeIntegerLabel_IsAnErrorNamingItsLine_NotAGiantOneHot(string label)
    {
        string path = Write($"a,label\n1,0\n2,{label}\n3,1\n");
        var e = Assert.Throws<DataFormatException>(() => CsvLoader.Load<float>(path, "label"));
        Assert.Equal(3, e.Line);
        Assert.Equal("label", e.Column);
        Assert.Contains($"class label {label} is above {CsvLoader.MaxClassIndex}", e.Message);
        // As a regression target the same column reads fine.
        Assert.Equal(float.Parse(label, System.Globalization.CultureInfo.InvariantCulture), CsvLoader.Load<float>(path, "label", CsvLabelKind.Regression).Data.Y.ToArray()[1]);
    }

    [Fact]
    public void TheLargestAllowedClassIndex_IsRead()
    {
        string path = Write($"a,label\n1,{CsvLoader.MaxClassIndex}\n");
        Assert.Equal(CsvLoader.MaxClassIndex + 1, CsvLoader.Load<float>(path, "label").Data.Y.Shape[1]);
    }

    [Fact]
    public void AnEmptyLabel_IsAnErrorNamingItsLine()
    {
        string path = Write("a,label\n1,cat\n2,\n3,dog\n");
        var e = Assert.Throws<DataFormatException>(() => CsvLoader.Load<double>(path, "label"));
        Assert.Equal(3, e.Line);
        Assert.Contains("the label is empty", e.Message);
    }

    [Fact]
    public void ARepeatedHeaderName_IsAnErrorNamingBothColumns()
    {
        string path = Write("a,b,a,label\n1,2,3,0\n");
        var e = Assert.Throws<DataFormatException>(() => CsvLoader.Load<double>(path, "label"));
        Assert.Equal(1, e.Line);
        Assert.Contains("names 'a' twice (columns 1 and 3)", e.Message);
    }

    [Fact]
    public void AOneHotBeyondTheCap_IsAnErrorNamingTheLineOfTheLargestLabel()
    {
        // 4 097 rows with labels up to 65 535: 4 097 × 65 536 > 2²⁸ values, refused before anything is allocated.
        var text = new System.Text.StringBuilder("a,label\n");
        for (int i = 0; i < 4097; i++)
        {
            text.Append(i).Append(',').Append(i == 100 ? CsvLoader.MaxClassIndex : i % 10).Append('\n');
        }
        string path = Write(text.ToString());
        var e = Assert.Throws<DataFormatException>(() => CsvLoader.Load<float>(path, "label"));
        Assert.Equal(102, e.Line);
        Assert.Contains("one-hot targets for 4097 rows would hold 268500992 values", e.Message);
    }
}
