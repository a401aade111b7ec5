using StreamingAgents.Agents;
using StreamingAgents.Http;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Http;
using StreamingAgents.Testing.Streams;
using StreamingAgents.Testing.Transcripts;
using StreamingAgents.Tests.TestSupport;
using StreamingAgents.Tools;

namespace StreamingAgents.Tests.TestingPackage;

/// <summary>
/// A two-turn agent for the Testing package's own tests: asked a question, the scripted model calls <c>lookup</c>
/// with it; given the result, it answers quoting that result.
/// </summary>
internal static class OrderScript
{
    public static ScriptedModel Model(Chunking? chunking = null, ChunkedStreamOptions? options = null) => new(Respond, chunking, options);

    public static TranscriptBuilder Respond(MessageRequest request)
    {
        string question = string.Concat(request.Messages[0].Content.OfType<TextBlock>().Select(static block => block.Text));
        if (request.Messages[^1].Content.OfType<ToolResultBlock>().FirstOrDefault() is { } result)
        {
            string found = string.Concat(result.Content.OfType<TextBlock>().Select(static block => block.Text));
            return new TranscriptBuilder().Text($"Here is what I found — {found}. Anything else? 📦").Stop(StopReason.EndTurn);
        }

        return new TranscriptBuilder()
            .Text("Let me check.")
            .ToolUse("lookup", $$"""{"query":"{{question}}"}""", fragmentSize: 5)
            .Stop(StopReason.ToolUse);
    }

    /// <summary>A runner over <paramref name="handler"/> with the real client (no retries) and the read-only lookup tool.</summary>
    public static AgentRunner Runner(HttpMessageHandler handler, bool isReadOnly = true)
    {
        var options = new AnthropicClientOptions { ApiKey = ClientFactory.ApiKey, BaseUrl = new Uri("https://api.test.invalid"), MaxRetries = 0 };
        var client = new AnthropicClient(new HttpClient(handler), options, TimeProvider.System);
        return new AgentRunner(client, new ToolRegistry([TestTools.Lookup(isReadOnly: isReadOnly)]), new AgentRunnerOptions { MaxStreamRetries = 0 });
    }

    /// <summary>The events that come from the model's stream, as (type, text): independent of how the tools were scheduled.</summary>
    public static IEnumerable<string> ModelEvents(IEnumerable<AgentEvent> events) => events
        .Where(static e => e is not (ToolExecutionStarted or ToolStatusReported or ToolCallCompleted or Heartbeat))
        .Select(static e => e switch
        {
            TextReceived text => $"text {text.Text}",
            ToolCallReady ready => $"ready {ready.ToolName} {ready.Input.GetRawText()}",
            ToolInputProgress progress => $"progress {progress.ToolCallId}",
            RunCompleted completed => $"completed {completed.Outcome} {completed.FinalText}",
            _ => e.EventType,
        });

    internal static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    /// <summary>Posts a Messages API body and returns at the headers, leaving the body to stream.</summary>
    internal static Task<HttpResponseMessage> PostAsync(HttpClient http, string json) =>
        http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "https://api.test.invalid/v1/messages") { Content = Json(json) }, HttpCompletionOption.ResponseHeadersRead);

    /// <summary>A fresh folder under the test output, removed by <see cref="IDisposable.Dispose"/>.</summary>
    public sealed class TempFolder : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "streamingagents-recordings", Guid.NewGuid().ToString("N"));

        public string[] Files => Directory.Exists(Path) ? [.. Directory.GetFiles(Path).Order(StringComparer.Ordinal)] : [];

        public void Dispose()
        {
            if (Directory.Exists(Path))
            {
                Directory.Delete(Path, recursive: true);
            }
        }
    }
}
