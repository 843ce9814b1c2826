using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/SimpleSync.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(SimpleSync.Benchmarks.EventJsonBenchmarks).Assembly).Run(args);
