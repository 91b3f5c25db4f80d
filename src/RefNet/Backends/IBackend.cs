// The small set of operations through which every layer, loss and optimizer touches memory.
// CpuBackend is the readable specification; other backends (ILGPU) must match it.
using System.Numerics;
using RefNet.Tensors;

namespace RefNet.Backends;

/// <summary>The operations layers, losses and optimizers use; each writes into a destination the caller provides.</summary>
/// <typeparam name="T">float or double.</typeparam>
/// <remarks>
/// Tensors are read as 2-D matrices where needed: rows = first dimension (the batch),
/// columns = product of the remaining dimensions. Unless stated, destinations may alias sources
/// for elementwise operations but not for <see cref="MatMul"/>. Implementations validate shapes and
/// throw <see cref="ShapeMismatchException"/> naming both shapes.
/// </remarks>
public interface IBackend<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>A short name, e.g. "cpu" or "ilgpu-cuda".</summary>
    string Name { get; }

    // ---- memory -------------------------------------------------------------------------

    /// <summary>A new zero-filled tensor owned by this backend.</summary>
    Tensor<T> Allocate(Shape shape);

    /// <summary>True when <paramref name="tensor"/>'s storage belongs to this backend (so its operations can use it).</summary>
    bool Owns(Tensor<T> tensor);

    /// <summary>Copies host data into a tensor of this backend (lengths must match).</summary>
    void CopyFromHost(ReadOnlySpan<T> source, Tensor<T> destination);

    /// <summary>destination = source (same length).</summary>
    void Copy(Tensor<T> source, Tensor<T> destination);

    /// <summary>Every element of destination = value.</summary>
    void Fill(Tensor<T> destination, T value);

    /// <summary>destination row i = source row rows[i] (a mini-batch gather; both tensors on this backend).</summary>
    void GatherRows(Tensor<T> source, ReadOnlySpan<int> rows, Tensor<T> destination);

    // ---- linear algebra -----------------------------------------------------------------

    /// <summary>c = alpha·op(a)·op(b) + beta·c where op(x) is x or xᵀ of the 2-D views.</summary>
    /// <remarks>The one GEMM seam: every matrix product in RefNet goes through here.</remarks>
    void MatMul(Tensor<T> a, bool transposeA, Tensor<T> b, bool transposeB, Tensor<T> c, T alpha, T beta);

    /// <summary>y[i, j] = x[i, j] + v[j] (bias add; v has one element per column).</summary>
    void AddRowVector(Tensor<T> x, Tensor<T> v, Tensor<T> y);

    /// <summary>y[j] = Σ_i x[i, j] (sum over the batch; bias gradient).</summary>
    void SumRows(Tensor<T> x, Tensor<T> y);

    // ---- elementwise --------------------------------------------------------------------

    /// <summary>y = a + b.</summary>
    void Add(Tensor<T> a, Tensor<T> b, Tensor<T> y);

    /// <summary>y = a − b.</summary>
    void Subtract(Tensor<T> a, Tensor<T> b, Tensor<T> y);

    /// <summary>y = a ⊙ b.</summary>
    void Multiply(Tensor<T> a, Tensor<T> b, Tensor<T> y);

    /// <summary>y = alpha·x.</summary>
    void Scale(Tensor<T> x, T alpha, Tensor<T> y);

    /// <summary>y += alpha·x.</summary>
    void Axpy(T alpha, Tensor<T> x, Tensor<T> y);

    /// <summary>y += alpha·sign(x), sign(0) = 0 (L1 regularizer gradient).</summary>
    void AxpySign(T alpha, Tensor<T> x, Tensor<T> y);

    /// <summary>y = f(x); softmax works row by row, shifted by the row maximum.</summary>
    void Activation(ActivationKind kind, Tensor<T> x, Tensor<T> y);

    /// <summary>inputGradient = f'(·) ⊙ outputGradient, written in terms of the forward output y = f(x).</summary>
    /// <remarks>relu: 1[y &gt; 0]; sigmoid: y(1−y); tanh: 1−y²; softmax (per row): y ⊙ (g − ⟨g, y⟩).</remarks>
    void ActivationBackward(ActivationKind kind, Tensor<T> output, Tensor<T> outputGradient, Tensor<T> inputGradient);

    // ---- reductions ---------------------------------------------------------------------

    /// <summary>Σ x.</summary>
    T Sum(Tensor<T> x);

    /// <summary>Σ x².</summary>
    T SumOfSquares(Tensor<T> x);

    /// <summary>Σ |x|.</summary>
    T SumOfAbsolute(Tensor<T> x);

    // ---- losses and metrics -------------------------------------------------------------

    /// <summary>perSample[i] = loss of row i (see <see cref="LossKind"/> for the Keras 2 formulas).</summary>
    void LossForward(LossKind kind, Tensor<T> predictions, Tensor<T> targets, Tensor<T> perSample, T epsilon);

    /// <summary>gradient = scale · ∂(Σ_i perSample[i]) / ∂predictions (the clipped region has zero gradient).</summary>
    void LossBackward(LossKind kind, Tensor<T> predictions, Tensor<T> targets, T scale, Tensor<T> gradient, T epsilon);

    /// <summary>How many rows (categorical) or elements (binary) are predicted correctly.</summary>
    int CountCorrect(AccuracyKind kind, Tensor<T> predictions, Tensor<T> targets);

    // ---- randomness ---------------------------------------------------------------------

    /// <summary>mask[i] = 1/(1−rate) if keep(seed, i) else 0, with keep from <see cref="CounterRng"/>.</summary>
    /// <remarks>Counter-based: the mask is a pure function of (seed, i), identical on every backend.</remarks>
    void DropoutMask(ulong seed, T rate, Tensor<T> mask);

    // ---- optimizer updates (Keras 2 forms) ----------------------------------------------

    /// <summary>SGD with momentum: v = m·v − lr·g; p += v (Nesterov: p += m·v − lr·g). With m = 0 and no velocity: p −= lr·g.</summary>
    void SgdUpdate(Tensor<T> parameter, Tensor<T> gradient, Tensor<T>? velocity, T learningRate, T momentum, bool nesterov);

    /// <summary>RMSprop: a = ρ·a + (1−ρ)·g²; p −= lr·g / (√a + ε).</summary>
    void RmsPropUpdate(Tensor<T> parameter, Tensor<T> gradient, Tensor<T> accumulator, T learningRate, T rho, T epsilon);

    /// <summary>Adam (Keras): m = β₁m + (1−β₁)g; v = β₂v + (1−β₂)g²; p −= lr_t·m / (√v + ε).</summary>
    void AdamUpdate(Tensor<T> parameter, Tensor<T> gradient, Tensor<T> m, Tensor<T> v, T learningRateT, T beta1, T beta2, T epsilon);

    /// <summary>AdaGrad (Keras 2): a += g²; p −= lr·g / (√a + ε).</summary>
    void AdaGradUpdate(Tensor<T> parameter, Tensor<T> gradient, Tensor<T> accumulator, T learningRate, T epsilon);
}
