// Gradient checking: every analytic gradient (Backward) is compared with float64 central differences.
// Written for clarity: one objective, one perturbation loop, one report of the worst element.
using System.Globalization;
using RefNet.Engine;
using RefNet.Layers;
using RefNet.Losses;
using RefNet.Tensors;

namespace RefNet.Verification;

/// <summary>Checks analytic gradients of layers, losses and whole networks against float64 central differences.</summary>
/// <remarks>
/// <para><b>Objective.</b> A layer is reduced to a scalar with a random upstream gradient v ~ U[−1, 1]
/// (seeded, never all ones, because Σ softmax = 1 would hide errors): L(x, θ) = Σ v ⊙ layer(x). Its
/// analytic gradient is one <c>Backward(v)</c>. A loss is its own scalar; a network uses loss + penalties.</para>
/// <para><b>Numeric gradient.</b> The fourth-order central stencil (Richardson's extrapolation of the
/// two-point central difference): ∂L/∂θᵢ ≈ (−L(θ+2h) + 8L(θ+h) − 8L(θ−h) + L(θ−2h)) / 12h, with
/// h = <see cref="Tolerances.Step"/> · 2^⌊log₂ max(1, |θᵢ|)⌋, a power of two so θ ± h is exact. Its truncation
/// error is O(h⁴) ≈ 1e-16 and its rounding error about ε·S/h ≈ 1e-12·S, where S = Σ|vᵢyᵢ| is the
/// objective's magnitude; the two-point form with h = 1e-6 would leave ≈ 1e-10·S, too close to 1e-7.
/// Every perturbed element is restored exactly, in a <c>finally</c>.</para>
/// <para><b>Comparison.</b> The symmetric relative error |a − n| / max(|a| + |n|, floor) with
/// floor = <see cref="Tolerances.AbsoluteFloor"/> · max(1, S): elements far below the objective's scale are
/// judged by an absolute error of tolerance · floor instead of a meaningless ratio of two tiny numbers.
/// An element passes when |a − n| ≤ tolerance · max(|a| + |n|, floor) + e, where e estimates the stencil's own error
/// (truncation where L has large high derivatives, e.g. −ln p near p = 0.01): where the plain test fails, the
/// stencil is evaluated again at h/2 and e = |n_h − n_{h/2}|·16/15 (Richardson: a fourth-order error shrinks
/// 16-fold). A wrong analytic gradient stays wrong at every h, so e does not hide it; the result reports e.
/// In <see cref="Strict"/> mode e = 0. Default tolerance <see cref="Tolerances.Smooth"/>.</para>
/// <para>Layer checks also run PyTorch's two extra tests: Backward must be reentrant (the same upstream
/// gradient twice gives bitwise the same gradients, so nothing accumulates) and a zero upstream gradient
/// must give exactly zero gradients.</para>
/// <para>Inputs must keep a margin from kinks (ReLU at 0, MAE at ŷ = y, L1 at w = 0, the clip bounds of
/// the cross-entropies) larger than 2h; Dropout must have <see cref="Dropout{T}.FixedMask"/> set.</para>
/// </remarks>
public static class GradientCheck
{
    /// <summary>Named tolerances and the step.</summary>
    public static class Tolerances
    {
        /// <summary>Relative error allowed for a single smooth op (or kinked op with margin) in float64: 1e-7.</summary>
        public const double Smooth = 1e-7;

        /// <summary>Relative error allowed for stacks of layers with a loss: 1e-7 as well (the stencil is accurate enough).</summary>
        public const double Composite = 1e-7;

        /// <summary>Denominator floor, relative to max(1, S) with S the objective's magnitude: 1e-3.</summary>
        public const double AbsoluteFloor = 1e-3;

        /// <summary>Base step h = 2⁻¹³ ≈ 1.22e-4, scaled by a power of two of |θ| when |θ| &gt; 1.</summary>
        public const double Step = 1.0 / 8192.0;
    }

    /// <summary>Checks ∂(Σ v ⊙ layer(x))/∂x and /∂θ for every parameter θ of the layer.</summary>
    /// <param name="layer">A layer; built from <paramref name="input"/>'s shape if not built yet.</param>
    /// <param name="input">The point x (batch-first); left unchanged.</param>
    /// <param name="seed">Seed of the upstream gradient v.</param>
    /// <param name="tolerance">Maximum relative error allowed.</param>
    /// <param name="training">Forward mode (true: dropout active with its frozen mask).</param>
    /// <returns>The worst element and whether it is within tolerance.</returns>
    /// <exception cref="ArgumentException">A Dropout layer without <see cref="Dropout{T}.FixedMask"/>.</exception>
    public static GradientCheckResult Layer(Layer<double> layer, Tensor<double> input, int seed = 0,
        double tolerance = Tolerances.Smooth, bool training = true)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(input);
        RequireFrozenDropout(layer, training);
        layer.Name ??= layer.TypeName.ToLowerInvariant();
        if (!layer.IsBuilt)
        {
            layer.Build(input.Shape.WithoutBatch());
        }
        var backend = layer.Backend;
        input = OnBackend(backend, input);

        // One forward to fix the output shape (and draw a frozen dropout mask), then the cotangent v.
        Tensor<double> firstOutput = layer.Forward(input, training);
        double[] v = RandomCotangent(firstOutput.Length, seed);
        Tensor<double> vTensor = backend.Allocate(firstOutput.Shape);
        backend.CopyFromHost(v, vTensor);

        double Objective() => Dot(v, layer.Forward(input, training).ToArray());

        double scale = AbsDot(v, layer.Forward(input, training).ToArray());
        Tensor<double> dx = layer.Backward(vTensor);
        var targets = new List<CheckTarget> { new("input", input, CheckShape("input", input, dx)) };
        // Non-trainable parameters (BatchNormalization's moving statistics) are state, not variables of J.
        foreach (Parameter<double> p in layer.TrainableParameters)
        {
            targets.Add(new CheckTarget(p.Name, p.Value, CheckShape(p.Name, p.Value, p.Gradient)));
        }
        // Indices (Embedding) are not variables of J: their entry stays for the hygiene checks but is not compared.
        var compared = layer.HasInputGradient ? targets : targets.Skip(1).ToList();
        var result = Compare($"{layer.TypeName} '{layer.Name}'", input.Shape, compared, Objective, backend, scale, tolerance);
        return HygieneChecks(result, layer, input, vTensor, targets, training);
    }

    /// <summary>Checks a layer on a random input of <paramref name="inputShape"/> (batch-first), values in ±[0.05, 1].</summary>
    public static GradientCheckResult Layer(Layer<double> layer, Shape inputShape, int seed = 0, double tolerance = Tolerances.Smooth)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        var random = new Random(seed);
        var x = new double[inputShape.Length];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = AwayFromZero(random, 0.05, 1.0);
        }
        return Layer(layer, Tensor<double>.FromArray(inputShape, x), seed + 1, tolerance);
    }

    /// <summary>Checks ∂J/∂ŷ of a loss (the gradient the network backpropagates) against J itself.</summary>
    /// <param name="loss">The loss, with its reduction and ε.</param>
    /// <param name="predictions">ŷ; keep it away from clip bounds and kinks.</param>
    /// <param name="targets">y.</param>
    /// <param name="tolerance">Maximum relative error allowed.</param>
    /// <param name="backend">The backend that computes the loss (the reference backend when null).</param>
    public static GradientCheckResult Loss(Loss loss, Tensor<double> predictions, Tensor<double> targets, double tolerance = Tolerances.Smooth,
        Backends.IBackend<double>? backend = null)
    {
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(targets);
        backend ??= Backends.ReferenceBackend<double>.Instance;
        predictions = OnBackend(backend, predictions);
        targets = OnBackend(backend, targets);
        double Objective() => loss.Value(backend, predictions, targets);
        Tensor<double> gradient = backend.Allocate(predictions.Shape);
        loss.Gradient(backend, predictions, targets, gradient);
        double scale = Math.Abs(Objective());
        var targetList = new List<CheckTarget> { new("predictions", predictions, gradient.ToArray()) };
        return Compare($"{loss.Name} ({loss.Reduction})", predictions.Shape, targetList, Objective, backend, scale, tolerance);
    }

    /// <summary>Checks a whole network: J = loss(net(x), y) [+ Σ penalties] against Backward, wrt x and every parameter.</summary>
    /// <param name="network">The network (Dropout layers need <see cref="Dropout{T}.FixedMask"/>).</param>
    /// <param name="loss">The loss at the output.</param>
    /// <param name="x">Inputs.</param>
    /// <param name="y">Targets.</param>
    /// <param name="includeRegularization">Add the regularizer penalties to J and their gradients to the parameters.</param>
    /// <param name="tolerance">Maximum relative error allowed.</param>
    /// <param name="training">Forward mode.</param>
    public static GradientCheckResult Network(Network<double> network, Loss loss, Tensor<double> x, Tensor<double> y,
        bool includeRegularization = true, double tolerance = Tolerances.Composite, bool training = true)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(loss);
        foreach (Layer<double> l in network.Layers)
        {
            RequireFrozenDropout(l, training);
        }
        loss.Keras = network.Keras; // the loss's conventions follow the network's profile, as Compile sets them
        var backend = network.Backend;
        x = OnBackend(backend, x);
        y = OnBackend(backend, y);

        // The loss as training computes it under the network's Keras profile (tf.keras: from the output layer's logits).
        double Objective()
        {
            (Loss l, Tensor<double> input, _) = network.LossInput(loss, network.Forward(x, training));
            double j = l.Value(backend, input, y);
            return includeRegularization ? j + network.RegularizationPenalty() : j;
        }

        double scale = Math.Abs(Objective());
        (Loss used, Tensor<double> lossInput, bool ofLogits) = network.LossInput(loss, network.Forward(x, training));
        Tensor<double> lossGradient = backend.Allocate(lossInput.Shape);
        used.Gradient(backend, lossInput, y, lossGradient);
        Tensor<double> dx = network.Backward(lossGradient, ofLogits);
        if (includeRegularization)
        {
            network.AddRegularizationGradients();
        }
        var targets = new List<CheckTarget> { new("input", x, CheckShape("input", x, dx)) };
        foreach (Parameter<double> p in network.Parameters.Where(p => p.Trainable))
        {
            targets.Add(new CheckTarget(p.Name, p.Value, CheckShape(p.Name, p.Value, p.Gradient)));
        }
        string what = $"Network({string.Join("-", network.Layers.Select(l => l.Name))}) + {loss.Name}";
        if (!network.Layers[0].HasInputGradient)
        {
            targets.RemoveAt(0); // integer inputs (Embedding) are not variables of J
        }
        return Compare(what, x.Shape, targets, Objective, backend, scale, tolerance);
    }

    /// <summary>Uniform in ±[margin, max] (a random sign), for inputs that must avoid a kink at 0.</summary>
    public static double AwayFromZero(Random random, double margin, double max)
    {
        ArgumentNullException.ThrowIfNull(random);
        double magnitude = margin + (random.NextDouble() * (max - margin));
        return random.Next(2) == 0 ? -magnitude : magnitude;
    }

    /// <summary>The seeded upstream gradient: U[−1, 1], with every |vᵢ| ≥ 0.1 so no element is ignored.</summary>
    public static double[] RandomCotangent(int length, int seed)
    {
        var random = new Random(unchecked((seed * 7919) + 17));
        var v = new double[length];
        for (int i = 0; i < length; i++)
        {
            v[i] = AwayFromZero(random, 0.1, 1.0);
        }
        return v;
    }

    // A tensor to perturb and the analytic gradient to compare with.
    private sealed record CheckTarget(string Name, Tensor<double> Value, double[] Analytic);

    private static GradientCheckResult Compare(string what, Shape shape, List<CheckTarget> targets, Func<double> objective,
        Backends.IBackend<double> backend, double scale, double tolerance)
    {
        double floor = Tolerances.AbsoluteFloor * Math.Max(1.0, scale);
        bool strict = Strict.Value;
        double worstExcess = -1;
        double worstRel = 0;
        double worstEstimate = 0;
        string worstName = targets[0].Name;
        int[] worstIndex = [];
        double worstA = 0;
        double worstN = 0;
        int checkedCount = 0;
        foreach (CheckTarget t in targets)
        {
            double[] values = t.Value.ToArray();
            for (int i = 0; i < values.Length; i++)
            {
                double h = StepFor(values[i]);
                double numeric = NumericDerivative(t.Value, values, i, objective, backend, h);
                double analytic = t.Analytic[i];
                double denominator = Math.Max(Math.Abs(analytic) + Math.Abs(numeric), floor);
                double rel = Math.Abs(analytic - numeric) / denominator;
                // Only where the plain comparison fails: estimate the stencil's own error by Richardson (the same
                // stencil at h/2; a fourth-order error shrinks 16-fold, so |n_h − n_{h/2}|·16/15 ≈ the error of n_h).
                double estimate = 0;
                if (!strict && rel > tolerance)
                {
                    double half = NumericDerivative(t.Value, values, i, objective, backend, h / 2);
                    estimate = Math.Abs(numeric - half) * 16.0 / 15.0;
                }
                // Pass when |a − n| ≤ tolerance·denominator + estimate, i.e. excess ≤ tolerance.
                double excess = Math.Max(Math.Abs(analytic - numeric) - estimate, 0) / denominator;
                checkedCount++;
                if (excess > worstExcess || double.IsNaN(excess))
                {
                    worstExcess = double.IsNaN(excess) ? double.PositiveInfinity : excess;
                    worstRel = double.IsNaN(rel) ? double.PositiveInfinity : rel;
                    worstEstimate = estimate;
                    worstName = t.Name;
                    worstIndex = Unflatten(t.Value.Shape, i);
                    worstA = analytic;
                    worstN = numeric;
                }
            }
        }
        return new GradientCheckResult(what, shape, worstExcess <= tolerance, tolerance, worstRel, worstName, worstIndex,
            worstA, worstN, checkedCount, scale, null) { NumericErrorEstimate = worstEstimate, Strict = strict };
    }

    /// <summary>When true (on this thread), checks compare with the tolerance alone, without the stencil's error estimate.</summary>
    /// <remarks>For smooth cases where the stencil is known to be accurate; <see cref="StrictScope"/> sets it for a block.</remarks>
    public static readonly ThreadLocal<bool> Strict = new(() => false);

    /// <summary>Runs the checks inside a using block in strict mode.</summary>
    public static IDisposable StrictScope() => new StrictMode();

    private sealed class StrictMode : IDisposable
    {
        private readonly bool _previous = Strict.Value;

        public StrictMode() => Strict.Value = true;

        public void Dispose() => Strict.Value = _previous;
    }

    /// <summary>h = <see cref="Tolerances.Step"/> · 2^⌊log₂ max(1, |θ|)⌋ (a power of two, so θ ± h is exact).</summary>
    private static double StepFor(double value) => Tolerances.Step * Math.Pow(2, Math.Floor(Math.Log2(Math.Max(1.0, Math.Abs(value)))));

    // (−L(θ+2h) + 8L(θ+h) − 8L(θ−h) + L(θ−2h)) / 12h, restoring θᵢ exactly afterwards.
    private static double NumericDerivative(Tensor<double> tensor, double[] values, int i, Func<double> objective,
        Backends.IBackend<double> backend, double h)
    {
        double original = values[i];
        try
        {
            double Eval(double offset)
            {
                values[i] = original + offset;
                backend.CopyFromHost(values, tensor);
                return objective();
            }

            double plus2 = Eval(2 * h);
            double plus1 = Eval(h);
            double minus1 = Eval(-h);
            double minus2 = Eval(-2 * h);
            return ((-plus2) + (8 * plus1) - (8 * minus1) + minus2) / (12 * h);
        }
        finally
        {
            values[i] = original;
            backend.CopyFromHost(values, tensor);
        }
    }

    // PyTorch's extra checks: Backward is reentrant (the same upstream gradient gives bitwise the same
    // gradients again) and is multiplied by the upstream gradient (a zero one gives exactly zero gradients).
    private static GradientCheckResult HygieneChecks(GradientCheckResult result, Layer<double> layer, Tensor<double> input,
        Tensor<double> v, List<CheckTarget> first, bool training)
    {
        layer.Forward(input, training);
        double[] dxAgain = layer.Backward(v).ToArray();
        bool reentrant = dxAgain.AsSpan().SequenceEqual(first[0].Analytic);
        Parameter<double>[] trainable = [.. layer.TrainableParameters];
        for (int i = 0; i < trainable.Length; i++)
        {
            reentrant &= trainable[i].Gradient.ToArray().AsSpan().SequenceEqual(first[i + 1].Analytic);
        }
        if (!reentrant)
        {
            return result with { Passed = false, Problem = "Backward is not reentrant: the same upstream gradient gave different gradients" };
        }
        Tensor<double> output = layer.Forward(input, training);
        Tensor<double> zero = layer.Backend.Allocate(output.Shape);
        Tensor<double> dx = layer.Backward(zero);
        bool allZero = dx.ToArray().All(d => d == 0) && layer.Parameters.All(p => p.Gradient.ToArray().All(d => d == 0));
        return allZero ? result : result with { Passed = false, Problem = "a zero upstream gradient did not give zero gradients" };
    }

    private static void RequireFrozenDropout(Layer<double> layer, bool training)
    {
        if (training && layer is Dropout<double> { FixedMask: false, Rate: > 0 })
        {
            throw new ArgumentException($"Dropout '{layer.Name}' must have FixedMask = true for a gradient check (its mask would change between evaluations)", nameof(layer));
        }
    }

    private static double[] CheckShape(string name, Tensor<double> value, Tensor<double> gradient)
    {
        if (gradient.Shape != value.Shape)
        {
            throw new ShapeMismatchException($"gradient of {name}", value.Shape.ToString(), gradient.Shape);
        }
        return gradient.ToArray();
    }

    private static Tensor<double> OnBackend(Backends.IBackend<double> backend, Tensor<double> t)
    {
        Tensor<double> copy = backend.Allocate(t.Shape);
        backend.CopyFromHost(t.ToArray(), copy);
        return copy;
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }
        return s;
    }

    private static double AbsDot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += Math.Abs(a[i] * b[i]);
        }
        return s;
    }

    private static int[] Unflatten(Shape shape, int flat)
    {
        var index = new int[shape.Rank];
        for (int d = shape.Rank - 1; d >= 0; d--)
        {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        return index;
    }
}

/// <summary>The outcome of a gradient check: the worst element over every checked tensor.</summary>
/// <param name="Target">What was checked, e.g. "Dense 'dense_1'".</param>
/// <param name="Shape">The input (or prediction) shape used.</param>
/// <param name="Passed">True when <see cref="MaxRelativeError"/> ≤ <see cref="Tolerance"/> and no other problem was found.</param>
/// <param name="Tolerance">The relative tolerance applied.</param>
/// <param name="MaxRelativeError">The worst |a − n| / max(|a| + |n|, floor).</param>
/// <param name="WorstTensor">"input", "predictions" or a parameter name such as "dense_1/kernel".</param>
/// <param name="WorstIndex">Multi-index of the worst element in that tensor.</param>
/// <param name="Analytic">Backward's value there.</param>
/// <param name="Numeric">The central-difference value there.</param>
/// <param name="ElementsChecked">How many derivatives were compared.</param>
/// <param name="Scale">S, the objective's magnitude that sets the denominator floor.</param>
/// <param name="Problem">A failure other than a tolerance breach, if any.</param>
public sealed record GradientCheckResult(string Target, Shape Shape, bool Passed, double Tolerance, double MaxRelativeError,
    string WorstTensor, int[] WorstIndex, double Analytic, double Numeric, int ElementsChecked, double Scale, string? Problem)
{
    /// <summary>|analytic − numeric| at the worst element.</summary>
    public double AbsoluteError => Math.Abs(Analytic - Numeric);

    /// <summary>The estimated error of the numeric value at the worst element (0 when the plain test passed there, or in strict mode).</summary>
    public double NumericErrorEstimate { get; init; }

    /// <summary>Whether the check ran in strict mode (no error estimate).</summary>
    public bool Strict { get; init; }

    /// <summary>One readable line: verdict, worst element with both values and errors, and the tolerance.</summary>
    public override string ToString()
    {
        var c = CultureInfo.InvariantCulture;
        string verdict = Passed ? "PASS" : "FAIL";
        string problem = Problem is null ? string.Empty : $"; {Problem}";
        string estimate = NumericErrorEstimate > 0
            ? string.Create(c, $" (estimated numeric error {NumericErrorEstimate:E2}, allowed on top of the tolerance)")
            : string.Empty;
        return string.Create(c,
            $"{verdict} {Target} on {Shape}: max relative error {MaxRelativeError:E2} (tolerance {Tolerance:E0}) at {WorstTensor}[{string.Join(", ", WorstIndex)}]: " +
            $"analytic {Analytic:R}, numeric {Numeric:R}, absolute error {AbsoluteError:E2}{estimate}{(Strict ? "; strict" : "")}; {ElementsChecked} elements checked{problem}");
    }
}
