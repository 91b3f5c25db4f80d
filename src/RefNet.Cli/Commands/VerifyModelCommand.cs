// refnet verify-model: load a Keras 2 model (HDF5, or JSON config + HDF5 weights) or a TensorFlow.js layers model,
// run RefNet on an input and compare with the other framework's predictions. Exit 1 when they differ.
using System.Globalization;
using RefNet.Conformance;
using RefNet.Conventions;
using RefNet.Engine;
using RefNet.Serialization;
using RefNet.Tensors;

namespace RefNet.Cli.Commands;

/// <summary><c>refnet verify-model (--weights model.h5 [--config model.json] | --tfjs model.json) --input x.npy --expected y.npy
/// [--keras V] [--rtol R] [--atol A]</c>.</summary>
public sealed class VerifyModelCommand : ICommand
{
    /// <inheritdoc/>
    public string Name => "verify-model";

    /// <inheritdoc/>
    public string Description => "run a Keras model (--weights model.h5 [--config model.json] | --tfjs model.json) on --input x.npy and compare with --expected y.npy [--keras V] [--rtol 1e-5] [--atol 1e-6]";

    /// <inheritdoc/>
    public int Run(string[] args, TextWriter output)
    {
        string? weights = null, config = null, tfjs = null, input = null, expected = null;
        KerasProfile? keras = null;
        double rtol = 1e-5, atol = 1e-6;
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new UsageException($"{args[i]} needs a value");
            double Number(string option)
            {
                string v = Value();
                return double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && d >= 0 && double.IsFinite(d)
                    ? d : throw new UsageException($"{option} needs a non-negative number, got '{v}'");
            }
            switch (args[i])
            {
                case "--weights": weights = Value(); break;
                case "--config": config = Value(); break;
                case "--tfjs": tfjs = Value(); break;
                case "--input": input = Value(); break;
                case "--expected": expected = Value(); break;
                case "--keras": keras = Profiles.Parse(Value(), "--keras"); break;
                case "--rtol": rtol = Number("--rtol"); break;
                case "--atol": atol = Number("--atol"); break;
                default: throw new UsageException($"unknown argument '{args[i]}'");
            }
        }
        if ((weights is null) == (tfjs is null) || input is null || expected is null || (config is not null && weights is null))
        {
            throw new UsageException("usage: refnet verify-model (--weights model.h5 [--config model.json] | --tfjs model.json) --input x.npy --expected y.npy [--keras V] [--rtol R] [--atol A]");
        }
        Network<double> net = weights is not null
            ? KerasImport.LoadHdf5<double>(weights, config is null ? null : File.ReadAllText(config), keras: keras)
            : KerasImport.LoadTfjs<double>(tfjs!, keras: keras);
        output.WriteLine($"model: {weights ?? tfjs} ({net.Keras}): {net.Layers.Count} layers, {net.CountParameters()} parameters, computed in float64");
        NpyArray x = Npy.Read(input);
        NpyArray want = Npy.Read(expected);
        Tensor<double> y = net.Predict(Tensor<double>.FromArray(new Shape(x.Shape), x.Values));
        var actual = new NpyArray("float64", y.Shape.ToArray(), y.ToArray());
        var tensor = new CaseTensor("prediction", "output", Path.GetFileName(expected), want.Shape, want.Dtype,
            Tolerance: new CaseTolerance(rtol, atol, 1, "verify-model: |Δ| ≤ atol + rtol·|expected|"));
        TensorComparison c = Verifier.Compare(tensor, want, actual);
        output.WriteLine($"input {input} {x.ShapeText} → prediction {actual.ShapeText}; expected {expected} {want.ShapeText}");
        if (c.Problem is null)
        {
            output.WriteLine($"{c.Mismatches} of {c.Count} elements outside |Δ| ≤ atol + rtol·|expected| (rtol {rtol:G3}, atol {atol:G3}); " +
                $"worst at {c.WorstIndex}: expected {TensorComparison.G(c.Expected)}, RefNet {TensorComparison.G(c.Actual)}, abs error {c.AbsError:G3}");
        }
        else
        {
            output.WriteLine(c.Problem);
        }
        output.WriteLine($"verify-model: {(c.Passed ? "passed" : "failed")}");
        return c.Passed ? 0 : 1;
    }
}
