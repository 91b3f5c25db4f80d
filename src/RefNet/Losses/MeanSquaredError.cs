// Mean squared error: J = mean_batch( mean_features (ŷ − y)² ); ∂J/∂ŷ = 2(ŷ − y)/(B·D).
// Formulas as structs the backends run; favours clarity over speed.
using System.Numerics;
using RefNet.Backends;
using RefNet.Tensors;

namespace RefNet.Losses;

/// <summary>MSE (Keras "mean_squared_error").</summary>
public sealed class MeanSquaredError(Reduction reduction = Reduction.SumOverBatchSize) : Loss(reduction, 1e-7)
{
    /// <inheritdoc/>
    public override string Name => "mean_squared_error";

    /// <inheritdoc/>
    protected override void PerSampleCore<T>(IBackend<T> backend, Tensor<T> predictions, Tensor<T> targets, Tensor<T> perSample, T epsilon, T columns) =>
        backend.ReduceRows(predictions, targets, perSample, new RowLoss<T>(columns));

    /// <inheritdoc/>
    protected override void ScaledGradientCore<T>(IBackend<T> backend, Tensor<T> predictions, Tensor<T> targets, T scale, Tensor<T> gradient) =>
        backend.Map(predictions, targets, gradient, new Derivative<T>(scale, T.CreateChecked(predictions.Columns)));

    /// <summary>Row value Σ_j (ŷ_j − y_j)² / D (pass 2; pass 1 unused).</summary>
    public readonly struct RowLoss<T>(T columns) : IRowReduction<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <inheritdoc/>
        public T Initial1 => T.Zero;

        /// <inheritdoc/>
        public T Step1(T acc, T p, T y) => acc;

        /// <inheritdoc/>
        public T Initial2 => T.Zero;

        /// <inheritdoc/>
        public T Step2(T acc, T p, T y, T unused)
        {
            T e = p - y;
            return acc + (e * e);
        }

        /// <inheritdoc/>
        public T Finish(T unused, T sum) => sum / columns;
    }

    /// <summary>scale·2(ŷ − y)/D.</summary>
    public readonly struct Derivative<T>(T scale, T columns) : IBinaryFunction<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <inheritdoc/>
        public T Apply(T p, T y) => scale * (T.One + T.One) * (p - y) / columns;
    }
}
