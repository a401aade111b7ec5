using System.Net.ServerSentEvents;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using StreamingAgents.Agents;
using StreamingAgents.Transport;

namespace StreamingAgents.Benchmarks.Transport;

/// <summary>
/// Writing 10,000 text events as SSE: <see cref="SseFormatter"/> with the JSON serializer, as a user would write it
/// (baseline), against <c>WriteAsSseAsync</c>, which adds an <c>id:</c> per frame, a flush per frame and the
/// keep-alive timer. Both write the same JSON to a stream that discards it.
/// </summary>
[MemoryDiagnoser]
public class SseWriteBenchmarks
{
    public const int Events = 10_000;

    private AgentEvent[] _events = [];

    [GlobalSetup]
    public void Setup() => _events = [.. Enumerable.Range(1, Events).Select(static i => (AgentEvent)AgentEventFactory.Text(i, $" token{i % 100}"))];

    [Benchmark(Baseline = true, Description = "SseFormatter + JsonSerializer")]
    public Task SseFormatterAlone() =>
        SseFormatter.WriteAsync(
            Items(),
            Stream.Null,
            static (item, writer) =>
            {
                using var json = new Utf8JsonWriter(writer);
                JsonSerializer.Serialize(json, item.Data, AgentJsonContext.Default.AgentEvent);
            });

    [Benchmark(Description = "WriteAsSseAsync (id, flush per frame, keep-alive)")]
    public Task WriteAsSse() => Source().WriteAsSseAsync(Stream.Null);

    private async IAsyncEnumerable<SseItem<AgentEvent>> Items()
    {
        foreach (AgentEvent agentEvent in _events)
        {
            yield return new SseItem<AgentEvent>(agentEvent, agentEvent.EventType);
        }

        await Task.CompletedTask;
    }

    private async IAsyncEnumerable<AgentEvent> Source()
    {
        foreach (AgentEvent agentEvent in _events)
        {
            yield return agentEvent;
        }

        await Task.CompletedTask;
    }
}
