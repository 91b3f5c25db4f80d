// Weight initializers (Keras names and formulas), all driven by a seeded System.Random.
// Same seed → same weights on every backend; favours clarity over speed.
namespace RefNet.Initializers;

/// <summary>Fills a new weight tensor. Values are drawn in double and converted to the tensor type.</summary>
public abstract class Initializer
{
    /// <summary>Keras name, e.g. "glorot_uniform".</summary>
    public abstract string Name { get; }

    /// <summary>Fills <paramref name="values"/> (row-major, shape <paramref name="shape"/>) from <paramref name="random"/>.</summary>
    public abstract void Fill(Span<double> values, int[] shape, Random random);

    /// <summary>Keras' fans: 2-D (in, out) → (in, out); conv (kh, kw, cin, cout) → (kh·kw·cin, kh·kw·cout); 1-D → (n, n).</summary>
    public static (double FanIn, double FanOut) ComputeFans(int[] shape)
    {
        if (shape.Length == 2)
        {
            return (shape[0], shape[1]);
        }
        if (shape.Length >= 3)
        {
            double receptive = 1;
            for (int i = 0; i < shape.Length - 2; i++)
            {
                receptive *= shape[i];
            }
            return (shape[^2] * receptive, shape[^1] * receptive);
        }
        double n = shape.Length == 1 ? shape[0] : 1;
        return (n, n);
    }

    /// <summary>Looks up an initializer (with its Keras defaults) by its Keras name.</summary>
    /// <remarks>Built in: glorot_uniform, glorot_normal, he_uniform, he_normal, lecun_uniform, lecun_normal,
    /// zeros, ones, random_normal, random_uniform, truncated_normal, orthogonal; others via <see cref="InitializerRegistry"/>.</remarks>
    /// <exception cref="ArgumentException">The name is unknown.</exception>
    /// <remarks>Keras class names are accepted too: "HeNormal" is read as "he_normal".</remarks>
    public static Initializer FromName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return ToSnakeCase(name.Trim()) switch
        {
            "glorot_uniform" => new GlorotUniform(),
            "glorot_normal" => new GlorotNormal(),
            "he_uniform" => new HeUniform(),
            "he_normal" => new HeNormal(),
            "lecun_uniform" => new LecunUniform(),
            "lecun_normal" => new LecunNormal(),
            "zeros" => new Constant(0),
            "ones" => new Constant(1),
            "random_normal" => new RandomNormal(),
            "random_uniform" or "uniform" => new RandomUniform(), // Keras 2 also calls it "uniform" (Embedding's default)
            "truncated_normal" => new TruncatedNormal(),
            "orthogonal" => new Orthogonal(),
            _ => InitializerRegistry.Lookup(name),
        };
    }

    // "GlorotUniform" → "glorot_uniform"; names already in snake case are only lower-cased.
    private static string ToSnakeCase(string name)
    {
        var sb = new System.Text.StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsUpper(c) && i > 0 && char.IsLower(name[i - 1]))
            {
                sb.Append('_');
            }
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }
}

/// <summary>Registry for initializers added beyond the built-ins above.</summary>
public static class InitializerRegistry
{
    private static readonly Dictionary<string, Func<Initializer>> Factories = new();

    /// <summary>Registers a factory for a Keras name.</summary>
    public static void Register(string name, Func<Initializer> factory) => Factories[name] = factory;

    /// <summary>Creates the initializer registered under <paramref name="name"/>.</summary>
    public static Initializer Lookup(string name) =>
        Factories.TryGetValue(name, out var f) ? f() : throw new ArgumentException($"Unknown initializer '{name}'", nameof(name));
}

/// <summary>Every value equal to a constant (Keras "zeros", "ones", Constant).</summary>
public sealed class Constant : Initializer
{
    /// <summary>Creates the initializer.</summary>
    public Constant(double value) => Value = value;

    /// <summary>The constant.</summary>
    public double Value { get; }

    /// <inheritdoc/>
    public override string Name => Value == 0 ? "zeros" : Value == 1 ? "ones" : "constant";

    /// <inheritdoc/>
    public override void Fill(Span<double> values, int[] shape, Random random) => values.Fill(Value);
}
