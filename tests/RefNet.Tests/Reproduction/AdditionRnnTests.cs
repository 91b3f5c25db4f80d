// addition_rnn: the data procedure (Keras' rules, checked on the generated problems themselves), the encoding, the
// model's published parameter count, the judging rules against values written out from the golden file, and the
// command end to end on a small subset. The judged full-data epoch is AdditionRnnSlowTests.
using RefNet.Engine;
using RefNet.Reproduction;
using RefNet.Tensors;
using Xunit;

namespace RefNet.Tests.Reproduction;

public sealed class AdditionRnnTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("refnet-addition-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Generate_FollowsKerasRules()
    {
        IReadOnlyList<AdditionProblem> p = AdditionRnn.Generate(5000, seed: 3);
        Assert.Equal(5000, p.Count);
        var pairs = new HashSet<(int, int)>();
        foreach (AdditionProblem x in p)
        {
            string[] ab = x.Question.Split('+');
            int a = int.Parse(ab[0]), b = int.Parse(ab[1]);
            Assert.InRange(a, 0, 999);
            Assert.InRange(b, 0, 999);
            Assert.True(pairs.Add((Math.Min(a, b), Math.Max(a, b))), $"{x.Question}: a pair seen before (in either order)");
            Assert.Equal(7, x.Query.Length);
            Assert.Equal(new string(x.Question.PadRight(7).Reverse().ToArray()), x.Query);
            Assert.Equal((a + b).ToString().PadRight(4), x.Answer);
        }
        // Operands of 1, 2 and 3 digits all occur (drawn digits may lead with 0, so "07" is 7).
        int[] operands = p.SelectMany(x => x.Question.Split('+')).Select(int.Parse).ToArray();
        Assert.Contains(operands, v => v < 10);
        Assert.Contains(operands, v => v is >= 10 and < 100);
        Assert.Contains(operands, v => v >= 100);
        Assert.Equal(p.Select(x => x.Question), AdditionRnn.Generate(5000, seed: 3).Select(x => x.Question));
        Assert.NotEqual(p.Select(x => x.Question), AdditionRnn.Generate(5000, seed: 4).Select(x => x.Question));
    }

    [Fact]
    public void Encode_IsOneHotInKerasCharOrder_AndDecodeReadsItBack()
    {
        Tensor<double> x = AdditionRnn.Encode<double>([" 16+535"], 7);
        Assert.Equal(new Shape(1, 7, 12), x.Shape);
        double[] v = x.ToArray();
        // " 16+535": step 0 is ' ' (index 11), step 1 is '1' (index 1), step 3 is '+' (index 10).
        Assert.Equal(1.0, v[11]);
        Assert.Equal(1.0, v[12 + 1]);
        Assert.Equal(1.0, v[(3 * 12) + 10]);
        Assert.Equal(7.0, v.Sum());
        Assert.Equal(" 16+535", AdditionRnn.Decode(x, 0));
        var e = Assert.Throws<ArgumentException>(() => AdditionRnn.Encode<double>(["12*3   "], 7));
        Assert.Contains("'*' at 2", e.Message);
        Assert.Throws<ArgumentException>(() => AdditionRnn.Encode<double>(["12+3"], 7));
    }

    [Fact]
    public void Split_KeepsTheLastTenthForValidation()
    {
        IReadOnlyList<AdditionProblem> p = AdditionRnn.Generate(1000, seed: 1);
        var (train, val, valProblems) = AdditionRnn.Split<float>(p, seed: 1);
        Assert.Equal(new Shape(900, 7, 12), train.X.Shape);
        Assert.Equal(new Shape(900, 4, 12), train.Y.Shape);
        Assert.Equal(new Shape(100, 7, 12), val.X.Shape);
        Assert.Equal(100, valProblems.Count);
        Assert.Equal(valProblems[0].Query, AdditionRnn.Decode(val.X, 0));
        Assert.Equal(100, valProblems.Select(q => q.Question).Distinct().Count());
        Assert.All(valProblems, q => Assert.Contains(q, p));
    }

    [Fact]
    public void Build_HasKerasIoParameterCount()
    {
        Sequential<float> m = AdditionRnn.Build<float>(seed: 1);
        // keras-io's summary: 72 192 / 0 / 131 584 / 1 548 = 205 324 (golden/published/parameter_counts.json, addition_rnn).
        Assert.Equal(205324, m.CountParameters());
        Assert.Equal(new Shape(4, 12), m.Layers[^1].OutputShape);
    }

    [Fact]
    public void Judge_AppliesTheGoldenRules()
    {
        // From golden/published/addition_rnn_keras.json: epochs 1-5 within ±0.0415 of 0.4116, 0.5708, 0.6534, 0.7011, 0.7436.
        double[] ok = [0.40, 0.60, 0.69, 0.70, 0.75, 0.80, 0.85, 0.88, 0.89, 0.905];
        CurveVerdict v = AdditionRnn.Judge(Curve(ok), 45000);
        Assert.True(v.Pass, string.Join("; ", v.Checks));
        Assert.Equal(6, v.Checks.Count);
        Assert.False(AdditionRnn.Judge(Curve([0.369]), 45000).Pass);
        Assert.True(AdditionRnn.Judge(Curve([0.4530]), 45000).Pass);
        Assert.False(AdditionRnn.Judge(Curve([0.4116, 0.5708, 0.6534, 0.7011, 0.7436, 0.8, 0.85, 0.88, 0.89, 0.899]), 45000).Pass);
        double[] late = [.. ok, .. Enumerable.Repeat(0.985, 19)];
        CurveVerdict v29 = AdditionRnn.Judge(Curve(late), 45000);
        Assert.False(v29.Pass);
        Assert.Equal(29, v29.Checks.Single(c => !c.Pass).Epoch);
        late[20] = 0.991;
        Assert.True(AdditionRnn.Judge(Curve(late), 45000).Pass);
        Assert.NotNull(AdditionRnn.Judge(Curve(ok), 44999).NotJudgedReason);

        static IReadOnlyDictionary<string, IReadOnlyList<double>> Curve(double[] valAcc) =>
            new Dictionary<string, IReadOnlyList<double>> { ["val_acc"] = valAcc };
    }

    [Fact]
    public void Command_OnASubset_PrintsQuestionsTableAndFiles_AndIsNotJudged()
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = RefNet.Cli.Cli.Run(["reproduce", "addition-rnn", "--epochs", "1", "--limit", "300", "--out", _dir], o, e);
        string output = o.ToString();
        Assert.True(code == 0, e.ToString());
        Assert.Contains("Total questions: 300", output);
        Assert.Contains("Iteration 1", output);
        Assert.Equal(10, output.Split('\n').Count(l => l.StartsWith("Q ", StringComparison.Ordinal) && (l.Contains('☑') || l.Contains('☒'))));
        Assert.Contains("Total params: 205,324", output);
        Assert.Contains("Overall: NOT JUDGED", output);
        Assert.True(File.Exists(Path.Combine(_dir, "curve.csv")));
        Assert.True(File.Exists(Path.Combine(_dir, "addition-rnn.png")));
        Assert.Equal(2, RefNet.Cli.Cli.Run(["reproduce", "addition-rnn", "--seeds", "2"], new StringWriter(), new StringWriter()));
    }
}
