using System.Net.ServerSentEvents;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using StreamingAgents.Benchmarks.Events;
using StreamingAgents.Events;
using StreamingAgents.Http;

namespace StreamingAgents.Benchmarks.Http;

/// <summary>
/// The client's throughput and allocations on a long text answer served from memory by an in-process
/// <see cref="HttpMessageHandler"/> through one <see cref="HttpClient"/>: the minimal loop a user would write
/// (<see cref="HttpClient.SendAsync(HttpRequestMessage, HttpCompletionOption)"/> + <see cref="SseParser"/> +
/// <see cref="Utf8JsonReader"/>, counting tokens, no typed objects; baseline) against
/// <see cref="AnthropicClient.StreamAsync"/> with its default liveness timeouts, counting typed events.
/// Goal: the client at ≥ 1.0× the baseline's throughput (Ratio ≤ 1.0) and ≤ 64 B per text delta (Allocated / Deltas).
/// </summary>
[MemoryDiagnoser]
public class ClientThroughputBenchmarks
{
    private HttpClient _http = null!;
    private AnthropicClient _client = null!;

    /// <summary>How many ~150-byte <c>text_delta</c> events the answer has (plus 5 framing events).</summary>
    [Params(10_000, 100_000)]
    public int Deltas { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _http = new HttpClient(new ReplayHandler(StreamInputs.LongTextAnswer(Deltas + 5)));
        _client = BenchmarkClients.Create(_http);
    }

    [GlobalCleanup]
    public void Cleanup() => _http.Dispose();

    [Benchmark(Baseline = true, Description = "HttpClient + SseParser + Utf8JsonReader")]
    public async Task<int> SseParserLoop()
    {
        using HttpResponseMessage response = await MinimalSseClient.SendAsync(_http);
        await using Stream body = await response.Content.ReadAsStreamAsync();
        int tokens = 0;
        await foreach (SseItem<int> item in SseParser.Create(body, static (_, data) => MinimalSseClient.CountTokens(data)).EnumerateAsync())
        {
            tokens += item.Data;
        }

        return tokens;
    }

    [Benchmark(Description = "AnthropicClient.StreamAsync (liveness on)")]
    public Task<int> Client() => BenchmarkClients.CountAsync(_client.StreamAsync(BenchmarkClients.Request));
}
