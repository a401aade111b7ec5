using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using StreamingAgents.AI;
using StreamingAgents.Benchmarks.Events;
using StreamingAgents.Benchmarks.Http;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Transcripts;
using Sdk = Anthropic;

namespace StreamingAgents.Benchmarks.AI;

/// <summary>
/// Both libraries as a Microsoft.Extensions.AI <see cref="IChatClient"/> on identical bytes served from memory: the
/// official <c>Anthropic</c> SDK's <c>AsIChatClient()</c> (baseline) against <see cref="AnthropicChatClient"/>. Two
/// answers: 10,000 text deltas (throughput; bytes per update = Allocated / 10,000), and a tool call whose input streams
/// in 4,000 fragments, read until the first update that shows the call (what a UI waits for to say "Searching…").
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class ChatClientBenchmarks
{
    public const int TextDeltas = 10_000;

    private static readonly List<ChatMessage> s_question = [new(ChatRole.User, "Go")];

    private HttpClient _textHttp = null!;
    private HttpClient _toolHttp = null!;
    private IChatClient _sdkText = null!;
    private IChatClient _oursText = null!;
    private IChatClient _sdkTool = null!;
    private IChatClient _oursTool = null!;

    [GlobalSetup]
    public void Setup()
    {
        _textHttp = new HttpClient(new ReplayHandler(StreamInputs.LongTextAnswer(TextDeltas + 5)));
        string input = "{\"query\":\"" + new string('x', 4_000 * 8) + "\"}";
        _toolHttp = new HttpClient(new ReplayHandler(Encoding.UTF8.GetBytes(new TranscriptBuilder().ToolUse("search_orders", input, fragmentSize: 8).Stop(StopReason.ToolUse).Build().Text)));
        (_sdkText, _oursText) = (Official(_textHttp), Ours(_textHttp));
        (_sdkTool, _oursTool) = (Official(_toolHttp), Ours(_toolHttp));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _textHttp.Dispose();
        _toolHttp.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Anthropic SDK AsIChatClient: 10,000 text deltas")]
    [BenchmarkCategory("text")]
    public Task<int> OfficialText() => CountAsync(_sdkText);

    [Benchmark(Description = "AnthropicChatClient: 10,000 text deltas")]
    [BenchmarkCategory("text")]
    public Task<int> OursText() => CountAsync(_oursText);

    [Benchmark(Description = "Anthropic SDK AsIChatClient: until the tool call shows")]
    [BenchmarkCategory("tool")]
    public Task<int> OfficialToolShown() => UntilToolShownAsync(_sdkTool);

    [Benchmark(Description = "AnthropicChatClient: until the tool call shows")]
    [BenchmarkCategory("tool")]
    public Task<int> OursToolShown() => UntilToolShownAsync(_oursTool);

    private static IChatClient Official(HttpClient http) =>
        new Sdk.AnthropicClient { ApiKey = "sk-ant-benchmark-not-a-key", HttpClient = http, BaseUrl = "http://localhost", MaxRetries = 0 }
            .AsIChatClient("claude-sonnet-4-5", 1024);

    private static AnthropicChatClient Ours(HttpClient http) => new(BenchmarkClients.Create(http), "claude-sonnet-4-5");

    private static Task<int> CountAsync(IChatClient chat) => BenchmarkClients.CountAsync(chat.GetStreamingResponseAsync(s_question));

    /// <summary>
    /// Reads until an update shows the tool call: a <see cref="FunctionCallContent"/>, or (ours) the raw
    /// <c>content_block_start</c> of a tool use, which names it before its input has streamed.
    /// </summary>
    private static async Task<int> UntilToolShownAsync(IChatClient chat)
    {
        int updates = 0;
        await foreach (ChatResponseUpdate update in chat.GetStreamingResponseAsync(s_question))
        {
            updates++;
            if (update.Contents.OfType<FunctionCallContent>().Any() || update.RawRepresentation is StreamingAgents.Events.ContentBlockStartEvent { ContentBlock: ToolUseBlock })
            {
                return updates;
            }
        }

        throw new InvalidOperationException("The tool call never showed.");
    }
}
