using System.Net.ServerSentEvents;
using System.Text.Json;
using Anthropic;
using Anthropic.Models.Messages;
using BenchmarkDotNet.Attributes;
using StreamingAgents.Events;
using StreamingAgents.Messages;

namespace StreamingAgents.Benchmarks.Events;

/// <summary>
/// Decodes and accumulates a 100,000-event stream served by a fake <see cref="HttpMessageHandler"/>: the official
/// <c>Anthropic</c> SDK (baseline) against StreamingAgents, with <see cref="SseParser"/> + <see cref="Utf8JsonReader"/>
/// as a lower bound that frames and tokenizes every event but builds no typed objects.
/// </summary>
[MemoryDiagnoser]
public class StreamDecodeBenchmarks
{
    private const int EventCount = 100_000;
    private byte[] _body = [];
    private HttpClient _http = null!;
    private AnthropicClient _sdk = null!;

    [GlobalSetup]
    public void Setup()
    {
        _body = StreamInputs.LongTextAnswer(EventCount);
        _http = new HttpClient(new ReplayHandler(_body));
        _sdk = new AnthropicClient { ApiKey = "sk-ant-benchmark-not-a-key", HttpClient = _http, BaseUrl = "http://localhost", MaxRetries = 0 };
    }

    [GlobalCleanup]
    public void Cleanup() => _http.Dispose();

    [Benchmark(Baseline = true, Description = "Anthropic SDK: CreateStreaming + Aggregate")]
    public async Task<int> OfficialSdk()
    {
        MessageCreateParams parameters = new()
        {
            MaxTokens = 1024,
            Messages = [new UserMessageParam("Hello")],
            Model = "claude-sonnet-4-5",
        };
        var message = await _sdk.Messages.CreateStreaming(parameters).Aggregate();
        return message.Content.Count;
    }

    [Benchmark(Description = "StreamingAgents: typed events + MessageAccumulator")]
    public async Task<int> StreamingAgents()
    {
        using HttpResponseMessage response = await _http.GetAsync("http://localhost/v1/messages", HttpCompletionOption.ResponseHeadersRead);
        await using Stream body = await response.Content.ReadAsStreamAsync();
        var accumulator = new MessageAccumulator();
        await foreach (StreamEvent streamEvent in StreamEventReader.ReadAllAsync(body))
        {
            accumulator.Add(streamEvent);
        }

        return accumulator.Message.Content.Count;
    }

    [Benchmark(Description = "Lower bound: SseParser + Utf8JsonReader, no objects")]
    public async Task<int> SseParserAndUtf8JsonReader()
    {
        using HttpResponseMessage response = await _http.GetAsync("http://localhost/v1/messages", HttpCompletionOption.ResponseHeadersRead);
        await using Stream body = await response.Content.ReadAsStreamAsync();
        int tokens = 0;
        await foreach (SseItem<int> item in SseParser.Create(body, static (_, data) => CountTokens(data)).EnumerateAsync())
        {
            tokens += item.Data;
        }

        return tokens;
    }

    private static int CountTokens(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        int count = 0;
        while (reader.Read())
        {
            count++;
        }

        return count;
    }
}
