// Device selection from the API and the CLI: Auto falls back to the CPU accelerator only when CUDA is absent,
// an explicit CUDA request without a device is a typed error (one line in the CLI), never a silent fallback.
using RefNet.Backends.Ilgpu;
using RefNet.Cli;
using CliApp = RefNet.Cli.Cli;
using Xunit;

namespace RefNet.Backends.Ilgpu.Tests;

[Collection("Ilgpu")]
public sealed class DeviceSelectionTests
{
    [SkippableFact]
    public void Cuda_WithoutADevice_ThrowsTypedError()
    {
        Skip.If(IlgpuFixture.CudaPresent, "a CUDA device is present");
        var e = Assert.Throws<IlgpuDeviceNotFoundException>(() => IlgpuBackend<float>.Create(IlgpuDevice.Cuda));
        Assert.Contains("CUDA", e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }

    [Fact]
    public void Auto_PicksCudaWhenPresent_ElseTheCpuAccelerator()
    {
        using IlgpuBackend<double> backend = IlgpuBackend<double>.Create(IlgpuDevice.Auto);
        Assert.Equal(IlgpuFixture.CudaPresent ? "ilgpu-cuda" : "ilgpu-cpu", backend.Name);
        Assert.Equal(IlgpuFixture.CudaPresent ? IlgpuGemm.Tiled : IlgpuGemm.GridStride, backend.GemmKernel);
    }

    [Fact]
    public void DeviceOption_TakesTheOption_AndLeavesTheRest()
    {
        string[] args = ["mnist-mlp", "--device", "ilgpu-cpu", "--epochs", "1"];
        Assert.Equal("ilgpu-cpu", DeviceOption.Take(ref args));
        Assert.Equal(new[] { "mnist-mlp", "--epochs", "1" }, args);
        string[] none = ["x"];
        Assert.Equal("cpu", DeviceOption.Take(ref none));
        string[] bad = ["--device", "tpu"];
        Assert.Contains("tpu", Assert.Throws<UsageException>(() => DeviceOption.Take(ref bad)).Message);
        string[] missing = ["--device"];
        Assert.Throws<UsageException>(() => DeviceOption.Take(ref missing));
    }

    [Fact]
    public void DeviceOption_CreatesTheNamedBackend()
    {
        Assert.Equal("cpu", DeviceOption.Create<float>("cpu").Name);
        IBackend<float> ilgpu = DeviceOption.Create<float>("ilgpu-cpu");
        try
        {
            Assert.Equal("ilgpu-cpu", ilgpu.Name);
        }
        finally
        {
            ((IDisposable)ilgpu).Dispose();
        }
    }

    [SkippableFact]
    public void Cli_DeviceCuda_WithoutADevice_FailsWithOneLine()
    {
        Skip.If(IlgpuFixture.CudaPresent, "a CUDA device is present");
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(["reproduce", "mnist-mlp", "--device", "cuda", "--data", "/nonexistent"], output, error);
        Assert.Equal(1, code);
        string[] lines = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains("CUDA was requested", lines[0]);
    }

    [Fact]
    public void Cli_Devices_ListsTheCpuAccelerator_AndTheCudaStatus()
    {
        var output = new StringWriter();
        Assert.Equal(0, CliApp.Run(["devices"], output, new StringWriter()));
        string text = output.ToString();
        Assert.Contains("ilgpu-cpu", text);
        Assert.Contains("cuda", text);
    }

    [Fact]
    public void Cli_UnknownDevice_IsAUsageError()
    {
        var error = new StringWriter();
        Assert.Equal(2, CliApp.Run(["bench", "mnist-mlp", "--device", "tpu"], new StringWriter(), error));
        Assert.Contains("unknown device 'tpu'", error.ToString());
    }
}
