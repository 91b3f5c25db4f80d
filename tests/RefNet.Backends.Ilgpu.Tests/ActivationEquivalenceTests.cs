// Every registered activation (the new ones included) on ILGPU's CPU accelerator against the reference backend:
// forward and backward bitwise equal, since both run the same formula struct in the same order.
using System.Numerics;
using RefNet.Activations;
using RefNet.Backends.Ilgpu;
using RefNet.Tensors;
using Xunit;

namespace RefNet.Backends.Ilgpu.Tests;

[Collection("Ilgpu")]
public sealed class ActivationEquivalenceTests(IlgpuFixture fixture)
{
    public static TheoryData<string> Names()
    {
        var d = new TheoryData<string>();
        foreach (string n in ActivationFunction.Names)
        {
            d.Add(n);
        }
        return d;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Activation_OnCpuAccelerator_IsBitwiseEqualToReference(string name)
    {
        Check<float>(name);
        Check<double>(name);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void ActivationLayer_OnCpuAccelerator_MatchesCentralDifferences(string name)
    {
        ActivationFunction f = ActivationFunction.FromName(name);
        var layer = new RefNet.Layers.Activation<double>(f, name: $"activation_{name}", inputShape: new Shape(4));
        layer.UseBackend(fixture.Get<double>(IlgpuDevice.Cpu)!);
        var r = new Random(name.Length);
        var x = new Tensor<double>(2, 4);
        for (int i = 0; i < x.Length; i++)
        {
            double v;
            do
            {
                v = (r.NextDouble() * 6) - 3;
            }
            while (Math.Abs(v) < 1e-2 || f.Kinks.Any(k => Math.Abs(v - k) < 1e-2));
            x.Span[i] = v;
        }
        RefNet.Verification.GradientCheckResult result = RefNet.Verification.GradientCheck.Layer(layer, x, seed: 3);
        Assert.True(result.Passed, result.ToString());
    }

    private void Check<T>(string name)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        IBackend<T> gpu = fixture.Get<T>(IlgpuDevice.Cpu)!;
        ActivationFunction f = ActivationFunction.FromName(name);
        var r = new Random(11);
        var shape = new Shape(5, 7);
        T[] xs = [.. Enumerable.Range(0, shape.Length).Select(_ => T.CreateChecked((r.NextDouble() * 8) - 4))];
        xs[0] = T.Zero;
        xs[1] = T.CreateChecked(2.5); // hard_sigmoid's kink
        T[] gs = [.. Enumerable.Range(0, shape.Length).Select(_ => T.CreateChecked((r.NextDouble() * 2) - 1))];
        (T[] Y, T[] Dx) Run(IBackend<T> b)
        {
            Tensor<T> x = b.Allocate(shape), y = b.Allocate(shape), g = b.Allocate(shape), dx = b.Allocate(shape);
            b.CopyFromHost(xs, x);
            b.CopyFromHost(gs, g);
            f.Forward(b, x, y);
            f.Backward(b, x, y, g, dx);
            return (y.ToArray(), dx.ToArray());
        }
        (T[] y0, T[] d0) = Run(ReferenceBackend<T>.Instance);
        (T[] y1, T[] d1) = Run(gpu);
        Assert.True(y0.SequenceEqual(y1), $"{name} forward ({typeof(T).Name})");
        Assert.True(d0.SequenceEqual(d1), $"{name} backward ({typeof(T).Name})");
    }
}
