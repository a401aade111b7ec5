using System.Net.ServerSentEvents;
using BenchmarkDotNet.Attributes;
using StreamingAgents.Agents;
using StreamingAgents.Benchmarks.Http;
using StreamingAgents.Benchmarks.Latency;
using StreamingAgents.Events;
using StreamingAgents.Http;
using StreamingAgents.Messages;
using StreamingAgents.Tools;

namespace StreamingAgents.Benchmarks.Agents;

/// <summary>
/// Latency of one event, from its last byte becoming readable to the consumer seeing it, on an endless response
/// trickled one event at a time (<see cref="TrickleStream"/>): each operation writes one event and waits until the
/// consumer, running concurrently since <c>GlobalSetup</c>, signals that it saw it. Consumers: <see cref="SseParser"/> +
/// <c>Utf8JsonReader</c> over the same response (baseline), <see cref="AnthropicClient.StreamAsync"/>, and
/// <see cref="AgentRunner.RunAsync"/>. <see cref="Event"/> "Text" is a text delta (<see cref="TextReceived"/> for the
/// runner); "ToolUse" is a block change, <c>content_block_stop</c> + a tool_use <c>content_block_start</c>
/// (<see cref="ToolCallStarted"/>). Goal: the runner's median ≤ 0.05 ms for both.
/// </summary>
/// <remarks>
/// The time per operation includes waking this benchmark's thread once the consumer has seen the event; the
/// consumer-side latency alone (median, p90, p99 of single events) is printed at <c>GlobalCleanup</c> as a line
/// starting with "// Latency".
/// </remarks>
[MemoryDiagnoser]
[MedianColumn]
public class EventLatencyBenchmarks
{
    private const string ToolUseEvent = "ToolUse";

    private readonly LatencyProbe _probe = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly byte[] _buffer = new byte[512];
    private TrickleStream _body = null!;
    private HttpClient _http = null!;
    private Task _consumer = Task.CompletedTask;
    private string _consumerName = string.Empty;
    private bool _toolUse;
    private int _nextBlock = 1;

    /// <summary>The event timed: a text delta ("Text") or the start of a tool call ("ToolUse").</summary>
    [Params("Text", ToolUseEvent)]
    public string Event { get; set; } = "Text";

    /// <summary>
    /// Whether the event arrives in two reads: the text delta split inside a two-byte UTF-8 character, the tool call
    /// (ASCII only) inside the tool's name.
    /// </summary>
    [Params(false, true)]
    public bool Split { get; set; }

    [GlobalSetup(Target = nameof(SseParserLoop))]
    public void SetupSseParser() => Start("SseParser", ConsumeWithSseParserAsync);

    [GlobalSetup(Target = nameof(Client))]
    public void SetupClient() => Start("AnthropicClient", ConsumeWithClientAsync);

    [GlobalSetup(Target = nameof(Runner))]
    public void SetupRunner() => Start("AgentRunner", ConsumeWithRunnerAsync);

    [GlobalCleanup]
    public void Cleanup()
    {
        Console.WriteLine($"// Latency seen by {_consumerName} (Event={Event}, Split={Split}): {_probe.Describe()}");
        _stop.Cancel();
        _body.Complete();
        if (!_consumer.Wait(TimeSpan.FromSeconds(10)))
        {
            Console.WriteLine($"// {_consumerName} did not stop within 10 s.");
        }

        _http.Dispose();
        _stop.Dispose();
    }

    [Benchmark(Baseline = true, Description = "SseParser + Utf8JsonReader")]
    public ValueTask SseParserLoop() => SendEvent();

    [Benchmark(Description = "AnthropicClient.StreamAsync")]
    public ValueTask Client() => SendEvent();

    [Benchmark(Description = "AgentRunner.RunAsync")]
    public ValueTask Runner() => SendEvent();

    /// <summary>Writes one event (in one or two chunks) and returns the wait for the consumer to see it.</summary>
    private ValueTask SendEvent()
    {
        ValueTask observed = _probe.Arm();
        ReadOnlyMemory<byte> bytes;
        int split;
        if (_toolUse)
        {
            int length = LatencyEvents.WriteToolCallStart(_nextBlock++, _buffer, out split);
            bytes = _buffer.AsMemory(0, length);
        }
        else
        {
            bytes = LatencyEvents.TextDelta;
            split = LatencyEvents.TextDeltaSplit;
        }

        if (Split)
        {
            _body.Enqueue(bytes[..split]);
            bytes = bytes[split..];
        }

        _probe.LastByteNow();
        _body.Enqueue(bytes);
        return observed;
    }

    /// <summary>Starts the endless response and its consumer, and sends one event through to see that they work.</summary>
    private void Start(string consumerName, Func<CancellationToken, Task> consume)
    {
        _consumerName = consumerName;
        _toolUse = Event == ToolUseEvent;
        _body = new TrickleStream();
        _body.Enqueue(LatencyEvents.Preamble);
        _http = new HttpClient(new TrickleHandler(_body)) { Timeout = Timeout.InfiniteTimeSpan };
        CancellationToken stop = _stop.Token;
        _consumer = Task.Run(async () =>
        {
            try
            {
                await consume(stop);
                _probe.Fail(new InvalidOperationException($"{consumerName} saw the end of an endless stream."));
            }
            catch (Exception exception)
            {
                _probe.Fail(exception);
            }
        });

        if (!SendEvent().AsTask().Wait(TimeSpan.FromSeconds(30)))
        {
            throw new TimeoutException($"{consumerName} did not see the first event within 30 s.");
        }
    }

    private async Task ConsumeWithSseParserAsync(CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await MinimalSseClient.SendAsync(_http, cancellationToken);
        await using Stream body = await response.Content.ReadAsStreamAsync(cancellationToken);
        SseParser<bool> parser = SseParser.Create(body, static (_, data) => MinimalSseClient.IsToolUse(data));
        await foreach (SseItem<bool> item in parser.EnumerateAsync(cancellationToken))
        {
            if (_toolUse ? item.EventType == ContentBlockStartEvent.WireType && item.Data : item.EventType == ContentBlockDeltaEvent.WireType)
            {
                _probe.Observed();
            }
        }
    }

    private async Task ConsumeWithClientAsync(CancellationToken cancellationToken)
    {
        AnthropicClient client = BenchmarkClients.Create(_http);
        await foreach (StreamEvent streamEvent in client.StreamAsync(BenchmarkClients.Request, cancellationToken))
        {
            if (_toolUse ? streamEvent is ContentBlockStartEvent { ContentBlock: ToolUseBlock } : streamEvent is ContentBlockDeltaEvent { Delta: TextDelta })
            {
                _probe.Observed();
            }
        }
    }

    private async Task ConsumeWithRunnerAsync(CancellationToken cancellationToken)
    {
        // The called tool is registered (its status label is looked up) but not read-only: it would run only after
        // the message ended, which it never does.
        AgentTool lookup = AgentTool.Create(LatencyEvents.ToolName, "Looks up an order.", BenchmarkJsonContext.Default.EchoInput,
            static (input, _) => ValueTask.FromResult(ToolResult.Text(input.Value)), statusLabel: "Looking up the order");
        var runner = new AgentRunner(BenchmarkClients.Create(_http), new ToolRegistry([lookup]));
        await foreach (AgentEvent agentEvent in runner.RunAsync(BenchmarkClients.Request, cancellationToken))
        {
            if (_toolUse ? agentEvent is ToolCallStarted : agentEvent is TextReceived)
            {
                _probe.Observed();
            }
        }
    }
}
