using BenchmarkDotNet.Running;

// Run one group with a short job while iterating, for example:
//   dotnet run -c Release --project benchmarks/StreamingAgents.Benchmarks -- --job short --filter '*Sse*'
// and the memory kept by 1,000 detached runs with 3 subscribers each:
//   dotnet run -c Release --project benchmarks/StreamingAgents.Benchmarks -- retained-runs
if (args is ["retained-runs"])
{
    await StreamingAgents.Benchmarks.Runs.RunFanOutBenchmarks.PrintRetainedMemoryAsync();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
