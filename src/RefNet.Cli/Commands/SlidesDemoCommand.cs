// refnet slides-demo: trains the slides' 2-4-3-1 sigmoid network on the 3-observation example.
// Prints the summary, the loss at a few epochs and the final predictions; favours clarity over speed.
using RefNet.Engine;
using RefNet.Losses;
using RefNet.Optimizers;
using RefNet.Tensors;

namespace RefNet.Cli.Commands;

/// <summary><c>refnet slides-demo</c>: the slides' example network, its summary and its loss while training.</summary>
public sealed class SlidesDemoCommand : ICommand
{
    /// <inheritdoc/>
    public string Name => "slides-demo";

    /// <inheritdoc/>
    public string Description => "train the slides' 2-4-3-1 sigmoid network on X=[[5,2],[1,0],[3,1]], y=[0,1,1]";

    /// <inheritdoc/>
    public int Run(string[] args, TextWriter output)
    {
        if (args.Length > 0)
        {
            throw new UsageException($"unexpected argument '{args[0]}'");
        }
        var x = Tensor<double>.FromRows(new double[,] { { 5, 2 }, { 1, 0 }, { 3, 1 } });
        var y = Tensor<double>.FromRows(new double[,] { { 0 }, { 1 }, { 1 } });
        var net = new Network<double>(inputDim: 2, hiddenLayerDims: [4, 3], outputDim: 1, seed: 1);
        output.Write(net.Summary());
        net.Compile(new Sgd(learningRate: 0.5), new BinaryCrossentropy(Reduction.Sum), ["accuracy"]);
        History h = net.Fit(x, y, batchSize: 3, epochs: 500, shuffle: false, verbose: 0);
        foreach (int e in new[] { 0, 9, 49, 99, 249, 499 })
        {
            output.WriteLine($"epoch {e + 1,4}: J = {h["loss"][e]:F6}  accuracy = {h["acc"][e]:F2}");
        }
        double[] p = net.Predict(x).ToDoubleArray();
        output.WriteLine($"ŷ = [{string.Join(", ", p.Select(v => v.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)))}] for y = [0, 1, 1]");
        return 0;
    }
}
