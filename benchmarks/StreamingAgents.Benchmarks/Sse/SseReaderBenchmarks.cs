using System.Net.ServerSentEvents;
using BenchmarkDotNet.Attributes;
using StreamingAgents.Sse;

namespace StreamingAgents.Benchmarks.Sse;

/// <summary>
/// Frames events from an in-memory stream: our reader against the framework's <see cref="SseParser"/>. Both consume
/// each event's data as bytes (no string), which is what a JSON decoder downstream needs.
/// </summary>
[MemoryDiagnoser]
public class SseReaderBenchmarks
{
    private byte[] _input = [];

    /// <summary>The input: 100,000 ~150-byte deltas, or four 1 MiB events.</summary>
    [Params("100k-deltas", "4x1MiB")]
    public string Input { get; set; } = "100k-deltas";

    [GlobalSetup]
    public void Setup() => _input = Input == "100k-deltas" ? SseInputs.TextDeltas(100_000) : SseInputs.LargeEvents(4, 1024 * 1024);

    [Benchmark(Baseline = true, Description = "SseParser")]
    public async Task<long> FrameworkSseParser()
    {
        long total = 0;
        SseParser<int> parser = SseParser.Create(new MemoryStream(_input), static (_, data) => data.Length);
        await foreach (SseItem<int> item in parser.EnumerateAsync())
        {
            total += item.Data;
        }

        return total;
    }

    [Benchmark(Description = "SseEventReader")]
    public async Task<long> StreamingAgentsReader()
    {
        long total = 0;
        await foreach (SseEvent item in SseEventReader.ReadAllAsync(new MemoryStream(_input)))
        {
            total += item.Utf8Data.Length;
        }

        return total;
    }
}
