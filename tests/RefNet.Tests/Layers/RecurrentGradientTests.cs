// Backpropagation through time checked against float64 central differences: SimpleRNN, LSTM and GRU wrt the input,
// the kernel, the recurrent kernel and the bias, over sequence lengths 1–6, units 1–4, return_sequences on and off,
// go_backwards, both GRU forms and both LSTM recurrent activations. Every case has a fixed seed (in its name).
using RefNet.Activations;
using RefNet.Backends;
using RefNet.Initializers;
using RefNet.Layers;
using RefNet.Tensors;
using RefNet.Verification;
using Xunit;

namespace RefNet.Tests.Layers;

public sealed class RecurrentGradientTests
{
    // batch, timesteps, features, units, returnSequences, goBackwards
    public static TheoryData<int, int, int, int, bool, bool> Shapes() => new()
    {
        { 2, 1, 3, 1, false, false },
        { 1, 2, 1, 2, true, false },
        { 3, 3, 2, 3, false, true },
        { 2, 4, 3, 4, true, true },
        { 1, 5, 2, 2, false, false },
        { 2, 6, 1, 3, true, false },
        { 2, 6, 2, 1, false, true },
        { 1, 3, 3, 4, true, true },
    };

    // Inputs in ±[0.05, 0.5]; weights uniform ±0.3 (kept small so hard_sigmoid's kinks at ±2.5 stay far:
    // |z| ≤ features·0.5·0.3 + units·1·0.3 + 0.3 ≤ 1.95 for features ≤ 3, units ≤ 4 — a margin far above the step 2⁻¹³).
    private static Tensor<double> Input(int batch, int steps, int features, int seed)
    {
        var random = new Random(seed);
        var x = new double[batch * steps * features];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = GradientCheck.AwayFromZero(random, 0.05, 0.5);
        }
        return Tensor<double>.FromArray(new Shape(batch, steps, features), x);
    }

    private static readonly Initializer Small = new RandomUniform(-0.3, 0.3);

    private static void Check(Recurrent<double> layer, int batch, int steps, int features, int seed)
    {
        layer.UseBackend(ReferenceBackend<double>.Instance);
        layer.Build(new Shape(steps, features));
        GradientCheckResult r = GradientCheck.Layer(layer, Input(batch, steps, features, seed), seed + 1);
        Assert.True(r.Passed, $"seed {seed}: {r}");
        Assert.True(r.ElementsChecked >= layer.TrainableParameters.Sum(p => p.Value.Length) + batch * steps * features, r.ToString());
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void SimpleRNN_Bptt_MatchesCentralDifferences(int batch, int steps, int features, int units, bool sequences, bool backwards) =>
        Check(new SimpleRNN<double>(units, returnSequences: sequences, goBackwards: backwards, kernelInitializer: Small, recurrentInitializer: Small,
            biasInitializer: Small, seed: 100 + steps * 10 + units, name: "simple_rnn"), batch, steps, features, 100 + steps * 10 + units);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void LSTM_Sigmoid_Bptt_MatchesCentralDifferences(int batch, int steps, int features, int units, bool sequences, bool backwards) =>
        Check(new LSTM<double>(units, returnSequences: sequences, goBackwards: backwards, kernelInitializer: Small, recurrentInitializer: Small,
            biasInitializer: Small, unitForgetBias: false, seed: 200 + steps * 10 + units, name: "lstm"), batch, steps, features, 200 + steps * 10 + units);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void LSTM_HardSigmoid_Bptt_MatchesCentralDifferences(int batch, int steps, int features, int units, bool sequences, bool backwards) =>
        Check(new LSTM<double>(units, recurrentActivation: ActivationFunction.FromName("hard_sigmoid"), returnSequences: sequences, goBackwards: backwards,
            kernelInitializer: Small, recurrentInitializer: Small, biasInitializer: Small, unitForgetBias: false, seed: 300 + steps * 10 + units,
            name: "lstm"), batch, steps, features, 300 + steps * 10 + units);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void GRU_Keras2Form_Bptt_MatchesCentralDifferences(int batch, int steps, int features, int units, bool sequences, bool backwards) =>
        Check(new GRU<double>(units, returnSequences: sequences, goBackwards: backwards, kernelInitializer: Small, recurrentInitializer: Small,
            biasInitializer: Small, seed: 400 + steps * 10 + units, name: "gru"), batch, steps, features, 400 + steps * 10 + units);

    [Theory]
    [MemberData(nameof(Shapes))]
    public void GRU_ResetAfter_Bptt_MatchesCentralDifferences(int batch, int steps, int features, int units, bool sequences, bool backwards) =>
        Check(new GRU<double>(units, returnSequences: sequences, goBackwards: backwards, resetAfter: true, kernelInitializer: Small,
            recurrentInitializer: Small, biasInitializer: Small, seed: 500 + steps * 10 + units, name: "gru"), batch, steps, features, 500 + steps * 10 + units);

    [Fact]
    public void GRU_HardSigmoid_WithoutBias_Bptt_MatchesCentralDifferences() =>
        Check(new GRU<double>(3, recurrentActivation: ActivationFunction.FromName("hard_sigmoid"), returnSequences: true, useBias: false, kernelInitializer: Small,
            recurrentInitializer: Small, seed: 601, name: "gru"), 2, 4, 2, 601);

    [Fact]
    public void LSTM_WithDefaultInitializers_AndUnitForgetBias_Bptt_MatchesCentralDifferences() =>
        Check(new LSTM<double>(3, returnSequences: true, seed: 701, name: "lstm"), 2, 5, 3, 701);
}
