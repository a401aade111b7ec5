using System.Net;
using System.Text;
using StreamingAgents.Agents;
using StreamingAgents.Events;
using StreamingAgents.Http;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Http;
using StreamingAgents.Testing.Streams;
using StreamingAgents.Testing.Transcripts;
using StreamingAgents.Tools;

namespace StreamingAgents.Testing.Tests;

public sealed class ScriptedModelTests
{
    /// <summary>Calls "lookup" until the conversation holds its result, then answers with that result.</summary>
    private static TranscriptBuilder Script(MessageRequest request) =>
        request.Messages[^1].Content.OfType<ToolResultBlock>().FirstOrDefault() is { } result
            ? new TranscriptBuilder().Text($"The answer: {((TextBlock)result.Content[0]).Text}").Stop(StopReason.EndTurn)
            : new TranscriptBuilder().ToolUse("lookup", $$"""{"query":"{{((TextBlock)request.Messages[0].Content[0]).Text}}"}""").Stop(StopReason.ToolUse);

    [Fact]
    public async Task SendAsync_ManyConcurrentRuns_EachGetsTheAnswerToItsOwnRequest()
    {
        var model = new ScriptedModel(Script, Chunking.OneByte);
        var client = new AnthropicClient(new HttpClient(model), new AnthropicClientOptions { ApiKey = "sk-test-key-0000" });
        AgentTool lookup = AgentTool.Create("lookup", "Looks up.", TestingJsonContext.Default.LookupInput, static (input, _) => ValueTask.FromResult(ToolResult.Text($"found {input.Query}")));
        var runner = new AgentRunner(client, new ToolRegistry([lookup]));

        RunCompleted[] results = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => runner.RunAsync($"q{i}").ToResultAsync()));

        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"The answer: found q{i}"), results.Select(r => r.FinalText));
        Assert.Equal(10, model.Requests.Count);
    }

    [Fact]
    public async Task SendAsync_TimingFromTheTimeProvider_DelaysTheBody()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var model = new ScriptedModel(_ => new TranscriptBuilder().Text("Hi").Stop(StopReason.EndTurn), Chunking.PerEvent, new ChunkedStreamOptions { InitialDelay = TimeSpan.FromSeconds(5), TimeProvider = time });
        using var http = new HttpClient(model);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("https://api.test/v1/messages"))
        {
            Content = new StringContent("""{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"Hi"}]}""", Encoding.UTF8, "application/json"),
        };
        using HttpResponseMessage response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Stream body = await response.Content.ReadAsStreamAsync();

        Task<int> read = body.ReadAsync(new byte[64]).AsTask();
        await Task.Delay(50);
        Assert.False(read.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(5));

        Assert.True(await read.WaitAsync(TimeSpan.FromSeconds(30)) > 0);
        Assert.Equal("Hi", ((TextBlock)Assert.Single(Assert.Single(model.Requests).Messages[0].Content)).Text); // the string shorthand
    }

    [Fact]
    public async Task SendAsync_BodyThatIsNotARequest_AnswersLikeTheApi()
    {
        var model = new ScriptedModel(_ => throw new InvalidOperationException("never asked"));
        var client = new AnthropicClient(new HttpClient(new RewritingHandler(model)), new AnthropicClientOptions { ApiKey = "sk-test-key-0000", MaxRetries = 0 });

        var error = await Assert.ThrowsAsync<AnthropicApiException>(() => client.StreamAsync(new MessageRequest { Messages = [MessageParam.User("x")] }).ToMessageAsync());

        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request_error"), (error.StatusCode!.Value, error.ErrorType));
        Assert.Empty(model.Requests);
    }

    /// <summary>Replaces the request body with something that is not JSON.</summary>
    private sealed class RewritingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Content = new StringContent("not json");
            return base.SendAsync(request, cancellationToken);
        }
    }
}

/// <summary>Input of the test tool.</summary>
public sealed record LookupInput(string Query);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower)]
[System.Text.Json.Serialization.JsonSerializable(typeof(LookupInput))]
internal sealed partial class TestingJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
