using BenchmarkDotNet.Running;

// Run one group with a short job while iterating, for example:
//   dotnet run -c Release --project benchmarks/StreamingAgents.Benchmarks -- --job short --filter '*Sse*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
