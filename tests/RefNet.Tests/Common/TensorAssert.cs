// One comparison helper for tensors: shape first, then the worst element with both values and errors.
// Modelled on tinygrad's helper_test_op: a failure says where and by how much, not just "not equal".
using System.Globalization;
using System.Numerics;
using RefNet.Tensors;
using Xunit.Sdk;

namespace RefNet.Tests.Common;

public static class TensorAssert
{
    /// <summary>Asserts |expected − actual| ≤ atol + rtol·|expected| element-wise, after checking the shapes match.</summary>
    /// <remarks><paramref name="because"/> says what is compared, e.g. "Dense forward"; it starts the failure message.</remarks>
    public static void Close<T>(Tensor<T> expected, Tensor<T> actual, double atol, double rtol, string because = "")
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        if (expected.Shape != actual.Shape)
        {
            throw new XunitException($"{Prefix(because)}shape mismatch: expected {expected.Shape} but got {actual.Shape}");
        }
        Close(expected.ToDoubleArray(), actual.ToDoubleArray(), atol, rtol, because, expected.Shape);
    }

    /// <summary>Compares a tensor with expected values given as doubles (shape from <paramref name="actual"/>).</summary>
    public static void Close<T>(double[] expected, Tensor<T> actual, double atol, double rtol, string because = "")
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(actual);
        Close(expected, actual.ToDoubleArray(), atol, rtol, because, actual.Shape);
    }

    /// <summary>Compares two flat arrays; <paramref name="shape"/> (optional) turns flat indices into multi-indices.</summary>
    public static void Close(double[] expected, double[] actual, double atol, double rtol, string because = "", Shape? shape = null)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        if (expected.Length != actual.Length)
        {
            throw new XunitException($"{Prefix(because)}length mismatch: expected {expected.Length} elements but got {actual.Length}");
        }
        int worst = -1;
        double worstExcess = double.NegativeInfinity;
        int failures = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i];
            double a = actual[i];
            double allowed = atol + (rtol * Math.Abs(e));
            double err = Math.Abs(e - a);
            bool bad = double.IsNaN(err) ? !(double.IsNaN(e) && double.IsNaN(a)) : err > allowed && e != a;
            double excess = double.IsNaN(err) ? double.PositiveInfinity : err - allowed;
            if (bad)
            {
                failures++;
            }
            if (bad && excess >= worstExcess)
            {
                worstExcess = excess;
                worst = i;
            }
        }
        if (failures == 0)
        {
            return;
        }
        double ew = expected[worst];
        double aw = actual[worst];
        double abs = Math.Abs(ew - aw);
        double rel = abs / Math.Max(Math.Abs(ew), double.Epsilon);
        string index = shape is null || shape.Length != expected.Length ? worst.ToString(CultureInfo.InvariantCulture) : FormatIndex(shape, worst);
        throw new XunitException(string.Create(CultureInfo.InvariantCulture,
            $"{Prefix(because)}{failures} of {expected.Length} elements differ (atol {atol:G3}, rtol {rtol:G3}); worst at [{index}]: " +
            $"expected {ew:R}, actual {aw:R}, abs error {abs:E3}, rel error {rel:E3}"));
    }

    /// <summary>Asserts one scalar within atol + rtol·|expected|, with the same message format.</summary>
    public static void Close(double expected, double actual, double atol, double rtol = 0, string because = "") =>
        Close([expected], [actual], atol, rtol, because);

    private static string Prefix(string because) => string.IsNullOrEmpty(because) ? string.Empty : because + ": ";

    private static string FormatIndex(Shape shape, int flat)
    {
        var index = new int[shape.Rank];
        for (int d = shape.Rank - 1; d >= 0; d--)
        {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        return string.Join(", ", index);
    }
}
