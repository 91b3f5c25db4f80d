// Mean absolute error: J = mean_batch( mean_features |ŷ − y| ); ∂J/∂ŷ = sign(ŷ − y)/(B·D), sign(0) = 0
// (TensorFlow's Sign gradient convention, so ŷ = y exactly gives 0). Favours clarity over speed.
using System.Numerics;
using RefNet.Backends;
using RefNet.Tensors;

namespace RefNet.Losses;

/// <summary>MAE (Keras "mean_absolute_error").</summary>
public sealed class MeanAbsoluteError(Reduction reduction = Reduction.SumOverBatchSize) : Loss(reduction, 1e-7)
{
    /// <inheritdoc/>
    public override string Name => "mean_absolute_error";

    /// <inheritdoc/>
    protected override void PerSampleCore<T>(IBackend<T> backend, Tensor<T> predictions, Tensor<T> targets, Tensor<T> perSample, T epsilon, T columns) =>
        backend.ReduceRows(predictions, targets, perSample, new RowLoss<T>(columns));

    /// <inheritdoc/>
    protected override void ScaledGradientCore<T>(IBackend<T> backend, Tensor<T> predictions, Tensor<T> targets, T scale, Tensor<T> gradient) =>
        backend.Map(predictions, targets, gradient, new Derivative<T>(scale, T.CreateChecked(predictions.Columns)));

    /// <summary>Row value Σ_j |ŷ_j − y_j| / D.</summary>
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
        public T Step2(T acc, T p, T y, T unused) => acc + T.Abs(p - y);

        /// <inheritdoc/>
        public T Finish(T unused, T sum) => sum / columns;
    }

    /// <summary>scale·sign(ŷ − y)/D with sign(0) = 0 and sign(NaN) = NaN (NumPy's and TensorFlow 2's sign; PyTorch's
    /// gives 0): a NaN prediction or target must not become a zero gradient.</summary>
    public readonly struct Derivative<T>(T scale, T columns) : IBinaryFunction<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <inheritdoc/>
        public T Apply(T p, T y)
        {
            T e = p - y;
            T s = e > T.Zero ? T.One : e < T.Zero ? -T.One : T.IsNaN(e) ? e : T.Zero;
            return scale * s / columns;
        }
    }
}
