using System.Text.Json;
using StreamingAgents.Events;
using StreamingAgents.Http;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Http;
using StreamingAgents.Testing.Transcripts;
using StreamingAgents.Tests.TestSupport;

namespace StreamingAgents.Tests.Http;

public sealed class AnthropicClientRequestTests
{
    private static readonly Transcript s_reply = new TranscriptBuilder().Text("Hi there.").Stop(StopReason.EndTurn).Build();

    [Fact]
    public async Task StreamAsync_DefaultOptions_SendsHeadersAndStreamingBody()
    {
        var handler = new FakeAnthropicHandler().RespondWith(s_reply);
        AnthropicClient client = ClientFactory.Create(handler);

        Message message = await client.CreateMessageAsync(ClientFactory.Hello);

        RecordedRequest request = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("https://api.test.invalid/v1/messages", request.Uri.ToString());
        Assert.Equal(ClientFactory.ApiKey, request.Headers["x-api-key"]);
        Assert.Equal("2026-10-21", request.Headers["anthropic-version"]);
        Assert.False(request.Headers.ContainsKey("anthropic-beta"));
        Assert.Equal("text/event-stream", request.Headers["Accept"]);
        Assert.StartsWith("application/json", request.Headers["Content-Type"], StringComparison.Ordinal);
        JsonElement body = request.ParseBody();
        Assert.Equal("claude-sonnet-5-5", body.GetProperty("model").GetString());
        Assert.Equal(4096, body.GetProperty("max_tokens").GetInt32());
        Assert.True(body.GetProperty("stream").GetBoolean());
        Assert.Equal("""[{"role":"user","content":[{"type":"text","text":"Hello"}]}]""", body.GetProperty("messages").GetRawText());
        foreach (string unset in new[] { "temperature", "top_p", "top_k", "system", "tools", "tool_choice", "stop_sequences", "metadata", "thinking" })
        {
            Assert.False(body.TryGetProperty(unset, out _), $"'{unset}' was sent although not set");
        }

        Assert.Equal("Hi there.", message.GetText());
    }

    [Fact]
    public async Task StreamAsync_ConfiguredVersionBetasAndBaseUrl_AreSent()
    {
        var handler = new FakeAnthropicHandler().RespondWith(s_reply);
        AnthropicClient client = ClientFactory.Create(handler, options =>
        {
            options.AnthropicVersion = "2023-06-01";
            options.Betas = ["fine-grained-tool-streaming-2025-05-14", "context-1m-2025-08-07"];
            options.BaseUrl = new Uri("http://localhost:8080/proxy/");
        });

        await client.CreateMessageAsync(ClientFactory.Hello);

        RecordedRequest request = Assert.Single(handler.Requests);
        Assert.Equal("http://localhost:8080/proxy/v1/messages", request.Uri.ToString());
        Assert.Equal("2023-06-01", request.Headers["anthropic-version"]);
        Assert.Equal("fine-grained-tool-streaming-2025-05-14,context-1m-2025-08-07", request.Headers["anthropic-beta"]);
    }

    [Fact]
    public async Task StreamAsync_EveryRequestField_IsSerializedInTheApiShape()
    {
        var handler = new FakeAnthropicHandler().RespondWith(s_reply);
        AnthropicClient client = ClientFactory.Create(handler);
        using JsonDocument schema = JsonDocument.Parse("""{"type":"object","properties":{"order_id":{"type":"string"}},"required":["order_id"]}""");
        using JsonDocument maxUses = JsonDocument.Parse("5");
        var request = new MessageRequest
        {
            Model = "claude-opus-5-5",
            MaxTokens = 200,
            System = new SystemPrompt([new TextBlock { Text = "You are terse." }]),
            Messages =
            [
                MessageParam.User([new TextBlock { Text = "What is this?" }, new ImageBlock { Source = ImageSource.FromBytes("image/png", [1, 2, 3]) }]),
                new MessageParam
                {
                    Role = MessageParam.AssistantRole,
                    Content =
                    [
                        new ThinkingBlock { Thinking = "Look it up.", Signature = "sig" },
                        new ToolUseBlock { Id = "toolu_1", Name = "lookup", Input = JsonDocument.Parse("""{"order_id":"ORD-1"}""").RootElement },
                    ],
                },
                MessageParam.User([new ToolResultBlock { ToolUseId = "toolu_1", Content = [new TextBlock { Text = "not found" }], IsError = true }]),
            ],
            Tools =
            [
                new ToolDefinition { Name = "lookup", Description = "Looks up an order.", InputSchema = schema.RootElement },
                new ToolDefinition { Type = "web_search_20250305", Name = "web_search", AdditionalProperties = new() { ["max_uses"] = maxUses.RootElement } },
            ],
            ToolChoice = ToolChoice.Tool("lookup"),
            Temperature = 0.2,
            TopP = 0.9,
            TopK = 40,
            StopSequences = ["END"],
            Metadata = new RequestMetadata { UserId = "user-42" },
            Thinking = ThinkingConfig.Enabled(1024),
        };

        await client.CreateMessageAsync(request);

        JsonElement body = Assert.Single(handler.Requests).ParseBody();
        Assert.Equal("claude-opus-5-5", body.GetProperty("model").GetString());
        Assert.Equal(200, body.GetProperty("max_tokens").GetInt32());
        Assert.Equal("""[{"type":"text","text":"You are terse."}]""", body.GetProperty("system").GetRawText());
        Assert.Equal("""{"type":"image","source":{"type":"base64","media_type":"image/png","data":"AQID"}}""", body.GetProperty("messages")[0].GetProperty("content")[1].GetRawText());
        Assert.Equal("""{"type":"thinking","thinking":"Look it up.","signature":"sig"}""", body.GetProperty("messages")[1].GetProperty("content")[0].GetRawText());
        Assert.Equal("""{"type":"tool_use","id":"toolu_1","name":"lookup","input":{"order_id":"ORD-1"}}""", body.GetProperty("messages")[1].GetProperty("content")[1].GetRawText());
        Assert.Equal("""{"type":"tool_result","tool_use_id":"toolu_1","content":[{"type":"text","text":"not found"}],"is_error":true}""", body.GetProperty("messages")[2].GetProperty("content")[0].GetRawText());
        Assert.Equal("""{"name":"lookup","description":"Looks up an order.","input_schema":{"type":"object","properties":{"order_id":{"type":"string"}},"required":["order_id"]}}""", body.GetProperty("tools")[0].GetRawText());
        Assert.Equal("""{"type":"web_search_20250305","name":"web_search","max_uses":5}""", body.GetProperty("tools")[1].GetRawText());
        Assert.Equal("""{"type":"tool","name":"lookup"}""", body.GetProperty("tool_choice").GetRawText());
        Assert.Equal(0.2, body.GetProperty("temperature").GetDouble());
        Assert.Equal(0.9, body.GetProperty("top_p").GetDouble());
        Assert.Equal(40, body.GetProperty("top_k").GetInt32());
        Assert.Equal("""["END"]""", body.GetProperty("stop_sequences").GetRawText());
        Assert.Equal("""{"user_id":"user-42"}""", body.GetProperty("metadata").GetRawText());
        Assert.Equal("""{"type":"enabled","budget_tokens":1024}""", body.GetProperty("thinking").GetRawText());
    }

    [Fact]
    public async Task StreamAsync_SystemAsText_IsSentAsString()
    {
        var handler = new FakeAnthropicHandler().RespondWith(s_reply);

        await ClientFactory.Create(handler).CreateMessageAsync(ClientFactory.Hello with { System = "Be brief." });

        Assert.Equal("\"Be brief.\"", Assert.Single(handler.Requests).ParseBody().GetProperty("system").GetRawText());
    }

    [Fact]
    public void StreamAsync_NoMessages_ThrowsArgumentException()
    {
        AnthropicClient client = ClientFactory.Create(new FakeAnthropicHandler());

        var error = Assert.Throws<ArgumentException>(() => client.StreamAsync(new MessageRequest()));

        Assert.Contains("no messages", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_InvalidOptions_ListsEveryProblem()
    {
        var options = new AnthropicClientOptions { ApiKey = "k", MaxTokens = 0, MaxRetries = -1, IdleTimeout = TimeSpan.Zero, Model = " " };

        var error = Assert.Throws<ArgumentException>(() => new AnthropicClient(new HttpClient(), options));

        Assert.Contains("MaxTokens must be positive", error.Message, StringComparison.Ordinal);
        Assert.Contains("MaxRetries must be between 0 and 10", error.Message, StringComparison.Ordinal);
        Assert.Contains("IdleTimeout must be positive", error.Message, StringComparison.Ordinal);
        Assert.Contains("Model is empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamAsync_EnumeratedTwice_SendsTwoRequests()
    {
        var handler = new FakeAnthropicHandler().RespondWith(s_reply).RespondWith(s_reply);
        IAsyncEnumerable<StreamEvent> stream = ClientFactory.Create(handler).StreamAsync(ClientFactory.Hello);

        Message first = await stream.ToMessageAsync();
        Message second = await stream.ToMessageAsync();

        Assert.Equal(first.GetText(), second.GetText());
        Assert.Equal(2, handler.Requests.Count);
    }
}
