// ActivationFunction: the base of every activation (one file each in this folder), and the lookup by Keras name.
// Adding an activation is one file: a subclass with its formula structs; the registry finds it by reflection.
using System.Numerics;
using System.Reflection;
using RefNet.Backends;
using RefNet.Tensors;

namespace RefNet.Activations;

/// <summary>An activation a = f(z) with its derivative, usable as <c>activation:</c> of a layer or as an Activation layer.</summary>
/// <remarks>An elementwise activation implements <see cref="Forward{T}"/> as <c>backend.Map(x, y, new Function())</c> and
/// <see cref="Backward{T}"/> as <c>backend.Map(x, y, dy, dx, new Derivative())</c>, with the two formula structs in its
/// own file; the backends run them (see <see cref="IUnaryFunction{T}"/>). Instances hold no per-batch state and may be shared.</remarks>
public abstract class ActivationFunction
{
    private static readonly Lazy<IReadOnlyDictionary<string, Func<ActivationFunction>>> Registry = new(Discover);

    /// <summary>f(z) = z ("linear").</summary>
    public static ActivationFunction Linear { get; } = new Linear();

    /// <summary>max(z, 0) ("relu").</summary>
    public static ActivationFunction Relu { get; } = new Relu();

    /// <summary>1/(1 + e^−z) ("sigmoid").</summary>
    public static ActivationFunction Sigmoid { get; } = new Sigmoid();

    /// <summary>tanh z ("tanh").</summary>
    public static ActivationFunction Tanh { get; } = new Tanh();

    /// <summary>Row-wise softmax ("softmax").</summary>
    public static ActivationFunction Softmax { get; } = new Softmax();

    /// <summary>The Keras name, e.g. "relu".</summary>
    public abstract string Name { get; }

    /// <summary>Points where f or f' is not differentiable (gradient checks keep their inputs away from them).</summary>
    public virtual IReadOnlyList<double> Kinks => [];

    /// <summary>True for the identity (layers skip the call).</summary>
    public bool IsLinear => this is Linear;

    /// <summary>y = f(x).</summary>
    public abstract void Forward<T>(IBackend<T> backend, Tensor<T> x, Tensor<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>dx = f'(x) ⊙ dy, given x, its output y = f(x) and the upstream gradient dy.</summary>
    public abstract void Backward<T>(IBackend<T> backend, Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>The activation with a Keras name (case-insensitive; null, "" and "none" are linear), with its default parameters.</summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the known ones.</exception>
    public static ActivationFunction FromName(string? name)
    {
        string key = (name ?? "linear").Trim().ToLowerInvariant();
        if (key is "" or "none")
        {
            return Linear;
        }
        if (Registry.Value.TryGetValue(key, out Func<ActivationFunction>? create))
        {
            return key switch
            {
                "linear" => Linear,
                "relu" => Relu,
                "sigmoid" => Sigmoid,
                "tanh" => Tanh,
                "softmax" => Softmax,
                _ => create(),
            };
        }
        throw new ArgumentException($"Unknown activation '{name}' (expected {string.Join(", ", Names)})", nameof(name));
    }

    /// <summary>Every known Keras name, sorted.</summary>
    public static IReadOnlyList<string> Names => [.. Registry.Value.Keys.Order(StringComparer.Ordinal)];

    /// <inheritdoc/>
    public override string ToString() => Name;

    /// <summary>Value equality by type and name (parameterised activations also compare their parameters via <see cref="Name"/>).</summary>
    public override bool Equals(object? obj) => obj is ActivationFunction other && other.GetType() == GetType() && other.Name == Name && ParametersEqual(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(GetType(), Name);

    /// <summary>Whether the parameters (α etc.) equal another instance's of the same type.</summary>
    protected virtual bool ParametersEqual(ActivationFunction other) => true;

    /// <summary>Every concrete subclass in this assembly with a public parameterless (or all-optional) constructor, by its Name.</summary>
    private static IReadOnlyDictionary<string, Func<ActivationFunction>> Discover()
    {
        var found = new Dictionary<string, Func<ActivationFunction>>(StringComparer.Ordinal);
        foreach (Type t in typeof(ActivationFunction).Assembly.GetTypes())
        {
            if (t.IsAbstract || !t.IsSubclassOf(typeof(ActivationFunction)))
            {
                continue;
            }
            ConstructorInfo? ctor = t.GetConstructors().FirstOrDefault(c => c.GetParameters().All(p => p.IsOptional));
            if (ctor is null)
            {
                continue;
            }
            object?[] defaults = [.. ctor.GetParameters().Select(p => p.DefaultValue)];
            Func<ActivationFunction> create = () => (ActivationFunction)ctor.Invoke(defaults);
            found.Add(create().Name, create);
        }
        return found;
    }
}
