// The pre-redesign backend operations (Activation, LossForward, AdamUpdate, …) expressed through today's primitives and
// formula structs, so the contract tests written against them keep asserting exactly what they asserted.
using System.Numerics;
using RefNet.Activations;
using RefNet.Backends;
using RefNet.Layers;
using RefNet.Losses;
using RefNet.Metrics;
using RefNet.Optimizers;
using RefNet.Regularizers;
using RefNet.Tensors;

namespace RefNet.Tests;

/// <summary>The five activations the first backend had, as constants usable in [InlineData].</summary>
public enum ActivationKind
{
    Linear,
    Relu,
    Sigmoid,
    Tanh,
    Softmax,
}

/// <summary>The four built-in losses, in the first backend's order (tests derive seeds from the value).</summary>
public enum LossKind
{
    MeanSquaredError,
    BinaryCrossentropy,
    CategoricalCrossentropy,
    MeanAbsoluteError,
}

public static class FormulaOps
{
    public static ActivationFunction Function(this ActivationKind kind) => kind switch
    {
        ActivationKind.Linear => ActivationFunction.Linear,
        ActivationKind.Relu => ActivationFunction.Relu,
        ActivationKind.Sigmoid => ActivationFunction.Sigmoid,
        ActivationKind.Tanh => ActivationFunction.Tanh,
        ActivationKind.Softmax => ActivationFunction.Softmax,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static Loss Loss(this LossKind kind, double epsilon = 1e-7) => kind switch
    {
        LossKind.MeanSquaredError => new MeanSquaredError(),
        LossKind.MeanAbsoluteError => new MeanAbsoluteError(),
        LossKind.BinaryCrossentropy => new BinaryCrossentropy(epsilon: epsilon),
        LossKind.CategoricalCrossentropy => new CategoricalCrossentropy(epsilon: epsilon),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static void Activation<T>(this IBackend<T> b, ActivationKind kind, Tensor<T> x, Tensor<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => kind.Function().Forward(b, x, y);

    /// <remarks>These five derivatives read only the output y (and dy), so y stands in for the input x.</remarks>
    public static void ActivationBackward<T>(this IBackend<T> b, ActivationKind kind, Tensor<T> output, Tensor<T> outputGradient, Tensor<T> inputGradient)
        where T : unmanaged, IFloatingPointIeee754<T> => kind.Function().Backward(b, output, output, outputGradient, inputGradient);

    public static void LossForward<T>(this IBackend<T> b, LossKind kind, Tensor<T> p, Tensor<T> y, Tensor<T> perSample, T epsilon)
        where T : unmanaged, IFloatingPointIeee754<T> => kind.Loss(double.CreateChecked(epsilon)).PerSample(b, p, y, perSample);

    public static void LossBackward<T>(this IBackend<T> b, LossKind kind, Tensor<T> p, Tensor<T> y, T scale, Tensor<T> gradient, T epsilon)
        where T : unmanaged, IFloatingPointIeee754<T> => kind.Loss(double.CreateChecked(epsilon)).ScaledGradient(b, p, y, scale, gradient);

    public static int CountCorrect<T>(this IBackend<T> b, AccuracyKind kind, Tensor<T> p, Tensor<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => Accuracy.CountCorrect(b, kind, p, y);

    public static void DropoutMask<T>(this IBackend<T> b, ulong seed, T rate, Tensor<T> mask)
        where T : unmanaged, IFloatingPointIeee754<T> => b.Generate(mask, new DropoutMask<T>(seed, rate));

    public static void AxpySign<T>(this IBackend<T> b, T alpha, Tensor<T> x, Tensor<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => b.Map(y, x, y, new Regularizer.L1Gradient<T>(alpha));

    public static void SgdUpdate<T>(this IBackend<T> b, Tensor<T> p, Tensor<T> g, Tensor<T>? velocity, T learningRate, T momentum, bool nesterov)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (velocity is null)
        {
            b.Update(p, g, new Sgd.Rule<T>(learningRate));
            return;
        }
        b.Update(p, g, velocity, new Sgd.MomentumRule<T>(learningRate, momentum, nesterov));
    }

    public static void RmsPropUpdate<T>(this IBackend<T> b, Tensor<T> p, Tensor<T> g, Tensor<T> a, T learningRate, T rho, T epsilon)
        where T : unmanaged, IFloatingPointIeee754<T> => b.Update(p, g, a, new RmsProp.Rule<T>(learningRate, rho, epsilon));

    public static void AdamUpdate<T>(this IBackend<T> b, Tensor<T> p, Tensor<T> g, Tensor<T> m, Tensor<T> v, T learningRateT, T beta1, T beta2, T epsilon)
        where T : unmanaged, IFloatingPointIeee754<T> => b.Update(p, g, m, v, new Adam.Rule<T>(learningRateT, beta1, beta2, epsilon));

    public static void AdaGradUpdate<T>(this IBackend<T> b, Tensor<T> p, Tensor<T> g, Tensor<T> a, T learningRate, T epsilon)
        where T : unmanaged, IFloatingPointIeee754<T> => b.Update(p, g, a, new AdaGrad.Rule<T>(learningRate, epsilon));

    public static void AdadeltaUpdate<T>(this IBackend<T> b, Tensor<T> p, Tensor<T> g, Tensor<T> a, Tensor<T> d, T learningRate, T rho, T epsilon)
        where T : unmanaged, IFloatingPointIeee754<T> => b.Update(p, g, a, d, new Adadelta.Rule<T>(learningRate, rho, epsilon));
}
