// The README's training example, shrunk to tiny shapes, so the documented API keeps compiling and running.
using RefNet.Callbacks;
using RefNet.Engine;
using RefNet.Layers;
using RefNet.Losses;
using RefNet.Optimizers;
using RefNet.Tensors;
using Xunit;

namespace RefNet.Tests.Unit.Training;

public sealed class ReadmeExampleTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("refnet-readme-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void TrainingExample_Runs()
    {
        var random = new Random(2);
        var xTrain = new Tensor<float>(40, 6);
        var yTrain = new Tensor<float>(40, 3);
        for (int i = 0; i < 40; i++)
        {
            int label = i % 3;
            yTrain[i, label] = 1;
            for (int j = 0; j < 6; j++)
            {
                xTrain[i, j] = (float)((j % 3 == label ? 1.0 : 0.0) + (0.3 * random.NextDouble()));
            }
        }

        var net = new Sequential<float>(seed: 1);
        net.Add(new Dense<float>(16, "relu", inputDim: 6));
        net.Add(new Dropout<float>(0.2));
        net.Add(new Dense<float>(3, "softmax"));
        net.Compile(new RmsProp(learningRate: 0.01), new CategoricalCrossentropy(), ["accuracy"]);
        History h = net.Fit(xTrain, yTrain, batchSize: 8, epochs: 15, validationData: (xTrain, yTrain), verbose: 0,
            callbacks: [new EarlyStopping(patience: 3, restoreBestWeights: true), new CsvLogger(Path.Combine(_dir, "log.csv"))]);
        var (loss, acc) = net.Evaluate(xTrain, yTrain);
        Tensor<float> p = net.Predict(xTrain);
        net.Save(Path.Combine(_dir, "model.rfn"));
        Network<float> again = Network<float>.Load(Path.Combine(_dir, "model.rfn"));

        Assert.True(h["loss"][^1] < h["loss"][0]);
        Assert.True(acc > 0.9, $"accuracy {acc}, loss {loss}");
        Assert.Equal(p.ToArray(), again.Predict(xTrain).ToArray());
    }
}
