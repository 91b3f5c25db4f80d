// RefNet benchmarks (BenchmarkDotNet). Run: dotnet run -c Release --project benchmarks/RefNet.Benchmarks -- --filter '*'
using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
