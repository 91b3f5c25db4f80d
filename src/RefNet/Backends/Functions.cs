// The shapes a formula can take so that every backend can run it: elementwise functions, in-place updates,
// index generators and two-pass row functions. A formula is a struct implementing one of these, written once
// in the file of the thing it belongs to (an activation, a loss, an optimizer); backends only loop over it.
using System.Numerics;

namespace RefNet.Backends;

/// <summary>y = f(x), elementwise. Run by <see cref="IBackend{T}.Map{F}(Tensors.Tensor{T}, Tensors.Tensor{T}, F)"/>.</summary>
/// <remarks>Implement it on a readonly struct: the reference backend calls it in a plain loop, ILGPU compiles
/// it into a kernel, and the fast CPU backend uses <see cref="IVectorUnaryFunction{T}"/> when the struct also has it.</remarks>
public interface IUnaryFunction<T>
{
    /// <summary>f(x).</summary>
    T Apply(T x);
}

/// <summary>y = f(a, b), elementwise.</summary>
public interface IBinaryFunction<T>
{
    /// <summary>f(a, b).</summary>
    T Apply(T a, T b);
}

/// <summary>y = f(a, b, c), elementwise (an activation's derivative: f(x, y = f(x), upstream gradient)).</summary>
public interface ITernaryFunction<T>
{
    /// <summary>f(a, b, c).</summary>
    T Apply(T a, T b, T c);
}

/// <summary>An in-place parameter update from its gradient with no state: p ← u(p, g) (plain SGD).</summary>
public interface IUpdate<T>
{
    /// <summary>Updates p from g.</summary>
    void Apply(ref T p, T g);
}

/// <summary>An in-place update with one state tensor s (RMSprop's accumulator, momentum's velocity, AdaGrad).</summary>
public interface IUpdateWithState<T>
{
    /// <summary>Updates p and s from g.</summary>
    void Apply(ref T p, T g, ref T s);
}

/// <summary>An in-place update with two state tensors (Adam's m and v).</summary>
public interface IUpdateWithTwoStates<T>
{
    /// <summary>Updates p, s1 and s2 from g.</summary>
    void Apply(ref T p, T g, ref T s1, ref T s2);
}

/// <summary>y[i] = f(i): a pure function of the flat index (counter-based random masks).</summary>
public interface IIndexFunction<T>
{
    /// <summary>f(i).</summary>
    T Apply(long index);
}

/// <summary>A predicate on two elements, counted by <see cref="IBackend{T}.CountWhere{F}"/>.</summary>
public interface IBinaryPredicate<T>
{
    /// <summary>Whether (a, b) counts.</summary>
    bool Test(T a, T b);
}

/// <summary>A function of one matrix row in two left-to-right passes over the row's elements (a_j, b_j).</summary>
/// <remarks>
/// Pass 1 folds r₁ = Step1(…Step1(Initial1, a₀, b₀)…, a_{n−1}, b_{n−1}); pass 2 folds r₂ the same way with
/// Step2(acc, a_j, b_j, r₁). <see cref="IBackend{T}.MapRows{F}"/> then writes y_j = <see cref="IRowMap{T}.Apply"/>(a_j, b_j, r₁, r₂);
/// <see cref="IBackend{T}.ReduceRows{F}"/> writes one value per row, <see cref="IRowReduction{T}.Finish"/>(r₁, r₂).
/// Softmax is r₁ = max, r₂ = Σ e^(x−r₁), y = e^(x−r₁)/r₂. Every backend folds in ascending j, one row per thread,
/// so results are bitwise identical. A pass a formula does not need returns its accumulator unchanged.
/// </remarks>
public interface IRowFunction<T>
{
    /// <summary>Start value of pass 1.</summary>
    T Initial1 { get; }

    /// <summary>One step of pass 1.</summary>
    T Step1(T acc, T a, T b);

    /// <summary>Start value of pass 2.</summary>
    T Initial2 { get; }

    /// <summary>One step of pass 2, which may use pass 1's result r₁.</summary>
    T Step2(T acc, T a, T b, T r1);
}

/// <summary>A row function that writes one output per element.</summary>
public interface IRowMap<T> : IRowFunction<T>
{
    /// <summary>y_j from the element and the row's two fold results.</summary>
    T Apply(T a, T b, T r1, T r2);
}

/// <summary>A row function that writes one output per row.</summary>
public interface IRowReduction<T> : IRowFunction<T>
{
    /// <summary>The row's value from its two fold results.</summary>
    T Finish(T r1, T r2);
}

// ---- optional vector forms (fast CPU backend) ----------------------------------------------------------
// A struct may implement the vector twin of its scalar interface, in the same file, computing per lane exactly
// the scalar formula's IEEE operations in the same order (tests check bitwise equality). The fast backend then
// runs whole vectors and finishes the tail with the scalar form.

/// <summary>Vector form of <see cref="IUnaryFunction{T}"/>.</summary>
public interface IVectorUnaryFunction<T> : IUnaryFunction<T>
    where T : unmanaged, INumber<T>
{
    /// <summary>f per lane.</summary>
    Vector<T> Apply(Vector<T> x);
}

/// <summary>Vector form of <see cref="IBinaryFunction{T}"/>.</summary>
public interface IVectorBinaryFunction<T> : IBinaryFunction<T>
    where T : unmanaged, INumber<T>
{
    /// <summary>f per lane.</summary>
    Vector<T> Apply(Vector<T> a, Vector<T> b);
}

/// <summary>Vector form of <see cref="ITernaryFunction{T}"/>.</summary>
public interface IVectorTernaryFunction<T> : ITernaryFunction<T>
    where T : unmanaged, INumber<T>
{
    /// <summary>f per lane.</summary>
    Vector<T> Apply(Vector<T> a, Vector<T> b, Vector<T> c);
}

/// <summary>Vector form of <see cref="IUpdate{T}"/>.</summary>
public interface IVectorUpdate<T> : IUpdate<T>
    where T : unmanaged, INumber<T>
{
    /// <summary>The update per lane.</summary>
    void Apply(ref Vector<T> p, Vector<T> g);
}

/// <summary>Vector form of <see cref="IUpdateWithState{T}"/>.</summary>
public interface IVectorUpdateWithState<T> : IUpdateWithState<T>
    where T : unmanaged, INumber<T>
{
    /// <summary>The update per lane.</summary>
    void Apply(ref Vector<T> p, Vector<T> g, ref Vector<T> s);
}

/// <summary>Vector form of <see cref="IUpdateWithTwoStates{T}"/>.</summary>
public interface IVectorUpdateWithTwoStates<T> : IUpdateWithTwoStates<T>
    where T : unmanaged, INumber<T>
{
    /// <summary>The update per lane.</summary>
    void Apply(ref Vector<T> p, Vector<T> g, ref Vector<T> s1, ref Vector<T> s2);
}

/// <summary>Vector form of <see cref="IIndexFunction{T}"/>: lanes i = first … first + Vector&lt;T&gt;.Count − 1.</summary>
public interface IVectorIndexFunction<T> : IIndexFunction<T>
    where T : unmanaged, INumber<T>
{
    /// <summary>f for a run of consecutive indices.</summary>
    Vector<T> ApplyVector(long first);
}
