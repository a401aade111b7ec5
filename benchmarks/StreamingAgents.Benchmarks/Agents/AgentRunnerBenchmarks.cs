using System.Text.Json.Serialization;
using BenchmarkDotNet.Attributes;
using StreamingAgents.Agents;
using StreamingAgents.Events;
using StreamingAgents.Http;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Transcripts;
using StreamingAgents.Tools;

namespace StreamingAgents.Benchmarks.Agents;

/// <summary>
/// What the agent runner costs on top of the client: the same fake-model responses read with
/// <see cref="IAnthropicClient.StreamAsync"/> + <c>ToMessageAsync</c> (baseline) and with <see cref="AgentRunner"/>.
/// "Text" is one answer of 10,000 text deltas; "Tools" is a turn calling an instant tool 100 times, then a short answer.
/// Overhead per delta or per call = (runner − baseline) / 10,000 or / 100.
/// </summary>
[MemoryDiagnoser]
public class AgentRunnerBenchmarks
{
    public const int TextDeltas = 10_000;
    public const int ToolCalls = 100;

    private HttpClient _http = null!;
    private AnthropicClient _client = null!;
    private AgentRunner _runner = null!;
    private int _turns;

    /// <summary>The scenario: a long text answer, or many tool calls.</summary>
    [Params("Text", "Tools")]
    public string Scenario { get; set; } = "Text";

    [GlobalSetup]
    public void Setup()
    {
        byte[][] bodies;
        if (Scenario == "Text")
        {
            bodies = [new TranscriptBuilder().TextTokens([.. Enumerable.Range(0, TextDeltas).Select(i => $" token{i % 100}")]).Stop(StopReason.EndTurn).Build().Bytes.ToArray()];
        }
        else
        {
            var calls = new TranscriptBuilder();
            for (int i = 0; i < ToolCalls; i++)
            {
                calls.ToolUse("echo", $$"""{"value":"v{{i}}"}""", id: $"toolu_{i:D3}");
            }

            bodies = [calls.Stop(StopReason.ToolUse).Build().Bytes.ToArray(), new TranscriptBuilder().Text("All done.").Stop(StopReason.EndTurn).Build().Bytes.ToArray()];
        }

        _turns = bodies.Length;
        _http = new HttpClient(new CyclingHandler(bodies));
        _client = new AnthropicClient(_http, new AnthropicClientOptions { ApiKey = "sk-ant-benchmark-not-a-key", BaseUrl = new Uri("http://localhost") });
        AgentTool echo = AgentTool.Create("echo", "Echoes its input.", BenchmarkJsonContext.Default.EchoInput,
            static (input, _) => ValueTask.FromResult(ToolResult.Text(input.Value)), isReadOnly: false);
        _runner = new AgentRunner(_client, new ToolRegistry([echo]), new AgentRunnerOptions { MaxConcurrentTools = 8 });
    }

    [GlobalCleanup]
    public void Cleanup() => _http.Dispose();

    [Benchmark(Baseline = true, Description = "Client: StreamAsync + ToMessageAsync")]
    public async Task<int> ClientOnly()
    {
        int blocks = 0;
        for (int turn = 0; turn < _turns; turn++)
        {
            Message message = await _client.StreamAsync(new MessageRequest { Messages = [MessageParam.User("Go")] }).ToMessageAsync();
            blocks += message.Content.Count;
        }

        return blocks;
    }

    [Benchmark(Description = "AgentRunner.RunAsync")]
    public async Task<int> Runner()
    {
        int count = 0;
        await foreach (AgentEvent agentEvent in _runner.RunAsync("Go"))
        {
            count++;
        }

        return count;
    }
}

/// <summary>Input of the benchmark's echo tool.</summary>
public sealed record EchoInput(string Value);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(EchoInput))]
internal sealed partial class BenchmarkJsonContext : JsonSerializerContext;
