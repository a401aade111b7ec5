using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Logging;
using StreamingAgents.Agents;
using StreamingAgents.Events;
using StreamingAgents.Http;
using StreamingAgents.Testing.Http;
using StreamingAgents.Tests.TestSupport;
using StreamingAgents.Tools;

namespace StreamingAgents.Tests.Hardening;

/// <summary>A runner over a real client and a scripted endpoint, with client and runner options of the test's choosing.</summary>
internal sealed class HardeningRunner
{
    public HardeningRunner(
        IEnumerable<AgentTool> tools,
        Action<AnthropicClientOptions>? client = null,
        Action<AgentRunnerOptions>? runner = null,
        TimeProvider? time = null)
    {
        var options = new AgentRunnerOptions { StreamRetryDelay = TimeSpan.FromMilliseconds(1), MaxStreamRetries = 0 };
        runner?.Invoke(options);
        Client = ClientFactory.Create(Handler, o =>
        {
            o.MaxRetries = 0;
            client?.Invoke(o);
        }, time);
        Runner = new AgentRunner(Client, new ToolRegistry(tools), options, time);
    }

    public FakeAnthropicHandler Handler { get; } = new();

    public AnthropicClient Client { get; }

    public AgentRunner Runner { get; }

    /// <summary>Runs on the thread pool, so a fake clock can be driven while the run waits on it.</summary>
    public Task<List<AgentEvent>> RunAsync(string question = "Where is ORD-1?") =>
        Task.Run(() => CollectAsync(Runner.RunAsync(question)));

    public static async Task<List<AgentEvent>> CollectAsync(IAsyncEnumerable<AgentEvent> events)
    {
        var list = new List<AgentEvent>();
        await foreach (AgentEvent agentEvent in events)
        {
            list.Add(agentEvent);
        }

        return list;
    }
}

/// <summary>Raw SSE and HTTP pieces for malformed and unusual server answers.</summary>
internal static class Wire
{
    public const string MessageStartData =
        """{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-5-5","content":[],"usage":{"input_tokens":5,"output_tokens":1}}}""";

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>One SSE event; the data is taken as raw bytes (it may be invalid UTF-8 on purpose).</summary>
    public static byte[] Event(string eventType, ReadOnlySpan<byte> data) =>
        [.. Utf8($"event: {eventType}\ndata: "), .. data, .. "\n\n"u8];

    public static byte[] Event(string eventType, string data) => Event(eventType, Utf8(data));

    /// <summary>A 200 <c>text/event-stream</c> response, with a <c>request-id</c> header only when one is given.</summary>
    public static HttpResponseMessage SseResponse(byte[] body, string? requestIdHeader)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/event-stream") { CharSet = "utf-8" };
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
        if (requestIdHeader is not null)
        {
            response.Headers.Add("request-id", requestIdHeader);
        }

        return response;
    }

    /// <summary>Reads every event of an SSE body through the public reader.</summary>
    public static async Task<List<StreamEvent>> ReadAllAsync(byte[] sse)
    {
        var events = new List<StreamEvent>();
        using var stream = new MemoryStream(sse);
        await foreach (StreamEvent streamEvent in StreamEventReader.ReadAllAsync(stream))
        {
            events.Add(streamEvent);
        }

        return events;
    }
}

/// <summary>Keeps every log line at Trace level and above.</summary>
internal sealed class CapturedLogs : IDisposable
{
    public CapturedLogs()
    {
        Factory = LoggerFactory.Create(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(Provider));
    }

    public CapturingLoggerProvider Provider { get; } = new();

    public ILoggerFactory Factory { get; }

    public IReadOnlyCollection<string> Messages => Provider.Messages;

    public void Dispose() => Factory.Dispose();
}
