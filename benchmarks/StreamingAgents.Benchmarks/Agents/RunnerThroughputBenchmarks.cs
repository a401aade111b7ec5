using BenchmarkDotNet.Attributes;
using StreamingAgents.Agents;
using StreamingAgents.Benchmarks.Events;
using StreamingAgents.Benchmarks.Http;
using StreamingAgents.Events;
using StreamingAgents.Http;
using StreamingAgents.Messages;
using StreamingAgents.Tools;

namespace StreamingAgents.Benchmarks.Agents;

/// <summary>
/// What the runner costs over the client on a text-only answer of 10,000 ~150-byte deltas served from memory: every
/// <see cref="StreamEvent"/> of <see cref="AnthropicClient.StreamAsync"/> (baseline) against every
/// <see cref="AgentEvent"/> of <see cref="AgentRunner.RunAsync"/> with no tools, both only counted. The middle row,
/// the client's events folded into a <see cref="Message"/>, is the least a runner must do besides: it turns every delta's
/// text into a string and keeps the whole answer, which the bare client row never does.
/// Goal: the runner at ≥ 0.8× the client's throughput (Ratio ≤ 1.25) and ≤ 64 B per delta above it
/// ((runner − client) Allocated / Deltas). 10,000 deltas make a 240,000-character answer, whose final string lands on
/// the large object heap; 1,000 is an ordinary long answer.
/// </summary>
[MemoryDiagnoser]
public class RunnerThroughputBenchmarks
{
    /// <summary>How many ~150-byte <c>text_delta</c> events the answer has (plus 5 framing events).</summary>
    [Params(1_000, 10_000)]
    public int Deltas { get; set; }

    private HttpClient _http = null!;
    private AnthropicClient _client = null!;
    private AgentRunner _runner = null!;

    [GlobalSetup]
    public void Setup()
    {
        _http = new HttpClient(new ReplayHandler(StreamInputs.LongTextAnswer(Deltas + 5)));
        _client = BenchmarkClients.Create(_http);
        _runner = new AgentRunner(_client, new ToolRegistry());
    }

    [GlobalCleanup]
    public void Cleanup() => _http.Dispose();

    [Benchmark(Baseline = true, Description = "AnthropicClient.StreamAsync")]
    public Task<int> Client() => BenchmarkClients.CountAsync(_client.StreamAsync(BenchmarkClients.Request));

    [Benchmark(Description = "AnthropicClient.StreamAsync + ToMessageAsync")]
    public async Task<int> ClientAccumulating()
    {
        Message message = await _client.StreamAsync(BenchmarkClients.Request).ToMessageAsync();
        return message.Content.Count;
    }

    [Benchmark(Description = "AgentRunner.RunAsync (no tools)")]
    public Task<int> Runner() => BenchmarkClients.CountAsync(_runner.RunAsync(BenchmarkClients.Request));
}
