// Dataset: inputs x, targets y (one-hot for classification) and, when known, the integer labels.
// A plain container so loaders (IDX, CSV) and commands can pass data around together.
using System.Numerics;
using RefNet.Tensors;

namespace RefNet.Data;

/// <summary>A set of samples: inputs <see cref="X"/> (N, features) and targets <see cref="Y"/> (N, outputs).</summary>
/// <typeparam name="T">float or double.</typeparam>
/// <param name="X">Inputs, one row per sample.</param>
/// <param name="Y">Targets, one row per sample (one-hot rows for classification).</param>
/// <param name="Labels">Integer class labels (same order as the rows), or null for regression data.</param>
public sealed record Dataset<T>(Tensor<T> X, Tensor<T> Y, int[]? Labels)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Number of samples.</summary>
    public int Count => X.Rows;
}

/// <summary>A training set and a test set.</summary>
/// <typeparam name="T">float or double.</typeparam>
/// <param name="Train">Training samples.</param>
/// <param name="Test">Test samples.</param>
public sealed record TrainTest<T>(Dataset<T> Train, Dataset<T> Test)
    where T : unmanaged, IFloatingPointIeee754<T>;
