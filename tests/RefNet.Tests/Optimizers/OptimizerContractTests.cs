// What the Stryker run of src/RefNet/Optimizers left standing: the Keras names and configuration keys, argument
// checks and their messages, both Step overloads, Reset, and the momentum bound. Expected values are Keras' names
// (keras/optimizers.py get_config) and the documented ranges.
using RefNet.Backends;
using RefNet.Engine;
using RefNet.Optimizers;
using RefNet.Tensors;
using Xunit;

namespace RefNet.Tests.Optimizers;

public sealed class OptimizerContractTests
{
    public static TheoryData<string, string[]> ConfigKeys() => new()
    {
        { "sgd", ["name", "learning_rate", "decay", "momentum", "nesterov"] },
        { "rmsprop", ["name", "learning_rate", "decay", "rho", "epsilon"] },
        { "adam", ["name", "learning_rate", "decay", "beta_1", "beta_2", "epsilon"] },
        { "adagrad", ["name", "learning_rate", "decay", "epsilon", "initial_accumulator_value"] },
        { "adadelta", ["name", "learning_rate", "decay", "rho", "epsilon"] },
        { "adamax", ["name", "learning_rate", "decay", "beta_1", "beta_2", "epsilon"] },
        { "nadam", ["name", "learning_rate", "beta_1", "beta_2", "epsilon", "schedule_decay"] },
    };

    [Theory]
    [MemberData(nameof(ConfigKeys))]
    public void FromName_GivesThatOptimizer_WithKerasConfigKeys(string name, string[] keys)
    {
        Optimizer o = Optimizer.FromName($"  {name.ToUpperInvariant()} ");
        Assert.Equal(name, o.Name);
        Dictionary<string, object?> config = o.GetConfig();
        Assert.Equal(keys.Order(), config.Keys.Order());
        Assert.Equal(name, config["name"]);
        Assert.Equal(o.LearningRate, config["learning_rate"]);
    }

    [Fact]
    public void Config_CarriesTheConstructorValues()
    {
        Assert.Equal(0.9, new Sgd(momentum: 0.9).GetConfig()["momentum"]);
        Assert.Equal(true, new Sgd(momentum: 0.5, nesterov: true).GetConfig()["nesterov"]);
        Assert.Equal(0.8, new RmsProp(rho: 0.8).GetConfig()["rho"]);
        Assert.Equal(1e-6, new RmsProp(epsilon: 1e-6).GetConfig()["epsilon"]);
        var adam = new Adam(beta1: 0.8, beta2: 0.99, epsilon: 1e-5).GetConfig();
        Assert.Equal((0.8, 0.99, 1e-5), ((double)adam["beta_1"]!, (double)adam["beta_2"]!, (double)adam["epsilon"]!));
        var adagrad = new AdaGrad(epsilon: 1e-4, initialAccumulator: 0.2).GetConfig();
        Assert.Equal((1e-4, 0.2), ((double)adagrad["epsilon"]!, (double)adagrad["initial_accumulator_value"]!));
        Assert.Equal(0.01, new Sgd(decay: 0.01).GetConfig()["decay"]);
    }

    [Fact]
    public void FromName_RejectsNullAndUnknownNames()
    {
        Assert.Throws<ArgumentNullException>(() => Optimizer.FromName(null!));
        var e = Assert.Throws<ArgumentException>(() => Optimizer.FromName("adamw"));
        Assert.Contains("Unknown optimizer 'adamw' (supported: sgd, rmsprop, adam, adagrad, adadelta, adamax, nadam)", e.Message);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0000001)]
    [InlineData(double.NaN)]
    public void Sgd_MomentumOutsideZeroToOne_IsRejected_WithItsValue(double momentum)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(momentum: momentum));
        Assert.Contains($"Momentum must be in [0, 1], got {momentum}", e.Message);
    }

    [Fact]
    public void Sgd_MomentumOfExactlyOne_IsAccepted() => Assert.Equal(1.0, new Sgd(momentum: 1).Momentum);

    [Fact]
    public void RangeChecks_NameTheArgument_AndTheRange()
    {
        Assert.Contains("rho must be a finite number in [0, 1), got 1", Assert.Throws<ArgumentOutOfRangeException>(() => new RmsProp(rho: 1)).Message);
        Assert.Contains("beta1 must be a finite number in [0, 1), got -1", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(beta1: -1)).Message);
        Assert.Contains("epsilon must be a finite number in [0, ∞), got NaN", Assert.Throws<ArgumentOutOfRangeException>(() => new AdaGrad(epsilon: double.NaN)).Message);
        Assert.Contains("decay must be a finite number in [0, ∞), got -0.5", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(decay: -0.5)).Message);
    }

    [Fact]
    public void Step_AcceptsAnyEnumerable_AndRejectsNull()
    {
        // p = 1, g = 0.5, plain SGD lr 0.1: p becomes 1 − 0.05 = 0.95 through either overload.
        Parameter<double> Make() => new("w", Tensor<double>.FromArray(new Shape(1), [1.0]), Tensor<double>.FromArray(new Shape(1), [0.5]));
        var backend = ReferenceBackend<double>.Instance;
        var sgd = new Sgd(learningRate: 0.1);
        Parameter<double> p = Make();
        sgd.Step(backend, new[] { p }.Where(_ => true));
        Assert.Equal(0.95, p.Value.Span[0], 15);
        Assert.Equal(1L, sgd.Iterations);
        Assert.Throws<ArgumentNullException>(() => sgd.Step(backend, (IEnumerable<Parameter<double>>)null!));
        Assert.Throws<ArgumentNullException>(() => sgd.Step(backend, (IReadOnlyList<Parameter<double>>)null!));
    }

    [Fact]
    public void Reset_ForgetsTheState_SoTheNextStepIsAFirstStep()
    {
        // Momentum 0.9, lr 0.1, g = 1: the first step moves p by −0.1, the second by −0.19 (v = 0.9·(−0.1) − 0.1).
        var backend = ReferenceBackend<double>.Instance;
        var p = new Parameter<double>("w", Tensor<double>.FromArray(new Shape(1), [0.0]), Tensor<double>.FromArray(new Shape(1), [1.0]));
        var sgd = new Sgd(learningRate: 0.1, momentum: 0.9);
        sgd.Step(backend, [p]);
        Assert.Equal(-0.1, p.Value.Span[0], 15);
        sgd.Reset();
        Assert.Equal(0L, sgd.Iterations);
        sgd.Step(backend, [p]);
        Assert.Equal(-0.2, p.Value.Span[0], 15); // a first step again (−0.1), not −0.19
    }
}
