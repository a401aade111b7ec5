using System.ComponentModel;
using System.Text.Json;
using Microsoft.Extensions.AI;
using StreamingAgents.AI;
using StreamingAgents.Events;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Http;
using StreamingAgents.Testing.Streams;
using StreamingAgents.Testing.Transcripts;
using StreamingAgents.Tests.TestSupport;
using StreamingAgents.Tools;

namespace StreamingAgents.Tests.AI;

/// <summary><see cref="AnthropicChatClient"/> against Microsoft.Extensions.AI's contracts, on the fake model, whole and one byte at a time.</summary>
public sealed class AnthropicChatClientTests
{
    public static TheoryData<string> Chunkings => ["whole", "one byte"];

    [Theory]
    [MemberData(nameof(Chunkings))]
    public async Task Streaming_text_arrives_as_text_updates_ending_with_the_finish_reason_and_one_usage(string chunking)
    {
        var handler = new FakeAnthropicHandler().RespondWith(new TranscriptBuilder { MessageId = "msg_chat" }.Text("Hello there, friend.").Stop(StopReason.EndTurn, outputTokens: 7), Chunk(chunking));
        using var chat = new AnthropicChatClient(ClientFactory.Create(handler));

        List<ChatResponseUpdate> updates = [];
        await foreach (ChatResponseUpdate update in chat.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "Hi")]))
        {
            updates.Add(update);
        }

        Assert.Equal("Hello there, friend.", string.Concat(updates.Select(static u => u.Text)));
        Assert.All(updates, static u => Assert.IsAssignableFrom<StreamEvent>(u.RawRepresentation));
        Assert.All(updates, static u => Assert.Equal("msg_chat", u.ResponseId));
        Assert.All(updates, static u => Assert.Equal(ChatRole.Assistant, u.Role));
        Assert.Equal(ChatFinishReason.Stop, updates[^1].FinishReason);
        UsageContent usage = Assert.Single(updates.SelectMany(static u => u.Contents).OfType<UsageContent>());
        Assert.Equal((25L, 7L, 32L), (usage.Details.InputTokenCount!.Value, usage.Details.OutputTokenCount!.Value, usage.Details.TotalTokenCount!.Value));
    }

    [Fact]
    public async Task GetResponseAsync_builds_the_same_response_from_the_stream()
    {
        var handler = new FakeAnthropicHandler().RespondWith(new TranscriptBuilder { MessageId = "msg_whole" }.Text("It ships on Friday.").Stop(StopReason.MaxTokens, outputTokens: 5));
        using var chat = new AnthropicChatClient(ClientFactory.Create(handler));

        ChatResponse response = await chat.GetResponseAsync("Where is ORD-1?");

        Assert.Equal("It ships on Friday.", response.Text);
        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
        Assert.Equal("msg_whole", response.ResponseId);
        Assert.Equal((25L, 5L), (response.Usage!.InputTokenCount!.Value, response.Usage.OutputTokenCount!.Value));
    }

    [Theory]
    [MemberData(nameof(Chunkings))]
    public async Task A_tool_round_trip_works_under_UseFunctionInvocation(string chunking)
    {
        var handler = new FakeAnthropicHandler()
            .RespondWith(new TranscriptBuilder().Text("Let me check.").ToolUse("get_shipping", """{"order":"ORD-1"}""", id: "toolu_1").Stop(StopReason.ToolUse), Chunk(chunking))
            .RespondWith(new TranscriptBuilder().Text("ORD-1 ships on Friday.").Stop(StopReason.EndTurn), Chunk(chunking));
        int calls = 0;
        AIFunction getShipping = AIFunctionFactory.Create(
            [Description("Gets an order's shipping date.")] (string order) =>
            {
                calls++;
                return $"{order}: Friday";
            },
            "get_shipping");
        using IChatClient chat = new ChatClientBuilder(new AnthropicChatClient(ClientFactory.Create(handler))).UseFunctionInvocation().UseOpenTelemetry().Build();

        ChatResponse response = await chat.GetResponseAsync("When does ORD-1 ship?", new ChatOptions { Tools = [getShipping] });

        Assert.Equal(1, calls);
        Assert.EndsWith("ORD-1 ships on Friday.", response.Text, StringComparison.Ordinal);
        using JsonDocument first = JsonDocument.Parse(handler.Requests[0].Body);
        JsonElement tool = Assert.Single(first.RootElement.GetProperty("tools").EnumerateArray().ToArray());
        Assert.Equal("get_shipping", tool.GetProperty("name").GetString());
        Assert.Equal("Gets an order's shipping date.", tool.GetProperty("description").GetString());
        Assert.Equal("string", tool.GetProperty("input_schema").GetProperty("properties").GetProperty("order").GetProperty("type").GetString());

        using JsonDocument second = JsonDocument.Parse(handler.Requests[1].Body);
        JsonElement[] messages = [.. second.RootElement.GetProperty("messages").EnumerateArray()];
        Assert.Equal(["user", "assistant", "user"], messages.Select(static m => m.GetProperty("role").GetString()));
        JsonElement use = messages[1].GetProperty("content").EnumerateArray().Single(static b => b.GetProperty("type").GetString() == "tool_use");
        Assert.Equal(("toolu_1", "ORD-1"), (use.GetProperty("id").GetString(), use.GetProperty("input").GetProperty("order").GetString()));
        JsonElement result = messages[2].GetProperty("content")[0];
        Assert.Equal(("tool_result", "toolu_1"), (result.GetProperty("type").GetString(), result.GetProperty("tool_use_id").GetString()));
        Assert.Contains("ORD-1: Friday", result.GetProperty("content")[0].GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reasoning_keeps_its_signature_so_a_follow_up_sends_it_back()
    {
        var handler = new FakeAnthropicHandler()
            .RespondWith(new TranscriptBuilder().Thinking("The user wants a date.", signature: "sig-abc").Text("Friday.").Stop(StopReason.EndTurn))
            .RespondWith(new TranscriptBuilder().Text("You're welcome.").Stop(StopReason.EndTurn));
        using var chat = new AnthropicChatClient(ClientFactory.Create(handler));
        List<ChatMessage> conversation = [new(ChatRole.User, "When?")];

        ChatResponse response = await chat.GetResponseAsync(conversation);
        TextReasoningContent reasoning = response.Messages.SelectMany(static m => m.Contents).OfType<TextReasoningContent>().Single(static r => r.Text.Length > 0);
        Assert.Equal("The user wants a date.", reasoning.Text);
        Assert.Contains(response.Messages.SelectMany(static m => m.Contents).OfType<TextReasoningContent>(), static r => r.ProtectedData == "sig-abc");

        conversation.AddRange(response.Messages);
        conversation.Add(new ChatMessage(ChatRole.User, "Thanks"));
        await chat.GetResponseAsync(conversation);

        using JsonDocument followUp = JsonDocument.Parse(handler.Requests[1].Body);
        JsonElement thinking = followUp.RootElement.GetProperty("messages")[1].GetProperty("content").EnumerateArray().Single(static b => b.GetProperty("type").GetString() == "thinking");
        Assert.Equal(("The user wants a date.", "sig-abc"), (thinking.GetProperty("thinking").GetString(), thinking.GetProperty("signature").GetString()));
    }

    [Fact]
    public async Task Options_become_the_request_and_unset_sampling_settings_stay_out()
    {
        var handler = new FakeAnthropicHandler()
            .RespondWith(new TranscriptBuilder().Text("A").Stop(StopReason.EndTurn))
            .RespondWith(new TranscriptBuilder().Text("B").Stop(StopReason.EndTurn));
        using var chat = new AnthropicChatClient(ClientFactory.Create(handler));
        AIFunction lookup = AIFunctionFactory.Create((string query) => query, "lookup");

        await chat.GetResponseAsync(
            [new ChatMessage(ChatRole.System, "Be brief."), new ChatMessage(ChatRole.User, "Hi")],
            new ChatOptions
            {
                ModelId = "claude-test-model",
                MaxOutputTokens = 321,
                Temperature = 0.25f,
                TopK = 5,
                StopSequences = ["END"],
                Tools = [lookup],
                ToolMode = ChatToolMode.RequireSpecific("lookup"),
                AdditionalProperties = new AdditionalPropertiesDictionary { ["service_tier"] = "standard_only" },
            });
        await chat.GetResponseAsync("Hi again");

        using JsonDocument first = JsonDocument.Parse(handler.Requests[0].Body);
        JsonElement body = first.RootElement;
        Assert.Equal("claude-test-model", body.GetProperty("model").GetString());
        Assert.Equal(321, body.GetProperty("max_tokens").GetInt32());
        Assert.Equal("Be brief.", body.GetProperty("system").GetString());
        Assert.Equal(0.25, body.GetProperty("temperature").GetDouble(), 5);
        Assert.Equal(5, body.GetProperty("top_k").GetInt32());
        Assert.Equal("END", body.GetProperty("stop_sequences")[0].GetString());
        Assert.Equal(("tool", "lookup"), (body.GetProperty("tool_choice").GetProperty("type").GetString(), body.GetProperty("tool_choice").GetProperty("name").GetString()));
        Assert.Equal("standard_only", body.GetProperty("service_tier").GetString());
        Assert.Single(body.GetProperty("messages").EnumerateArray()); // the system message went to "system"

        using JsonDocument second = JsonDocument.Parse(handler.Requests[1].Body);
        foreach (string unset in new[] { "temperature", "top_p", "top_k", "stop_sequences", "tools", "tool_choice", "system" })
        {
            Assert.False(second.RootElement.TryGetProperty(unset, out _), $"{unset} was sent although not set.");
        }
    }

    [Fact]
    public async Task Images_go_as_base64_image_blocks_and_image_links_as_url_sources()
    {
        var handler = new FakeAnthropicHandler().RespondWith(new TranscriptBuilder().Text("A cat.").Stop(StopReason.EndTurn));
        using var chat = new AnthropicChatClient(ClientFactory.Create(handler));
        byte[] png = [0x89, 0x50, 0x4E, 0x47];

        await chat.GetResponseAsync([new ChatMessage(ChatRole.User, [new TextContent("What is this?"), new DataContent(png, "image/png"), new UriContent(new Uri("https://example.test/cat.jpg"), "image/jpeg")])]);

        using JsonDocument request = JsonDocument.Parse(handler.Requests[0].Body);
        JsonElement[] blocks = [.. request.RootElement.GetProperty("messages")[0].GetProperty("content").EnumerateArray()];
        Assert.Equal(["text", "image", "image"], blocks.Select(static b => b.GetProperty("type").GetString()));
        JsonElement data = blocks[1].GetProperty("source");
        Assert.Equal(("base64", "image/png", Convert.ToBase64String(png)), (data.GetProperty("type").GetString(), data.GetProperty("media_type").GetString(), data.GetProperty("data").GetString()));
        JsonElement link = blocks[2].GetProperty("source");
        Assert.Equal(("url", "https://example.test/cat.jpg"), (link.GetProperty("type").GetString(), link.GetProperty("url").GetString()));
    }

    [Theory]
    [InlineData("end_turn", "stop")]
    [InlineData("stop_sequence", "stop")]
    [InlineData("max_tokens", "length")]
    [InlineData("tool_use", "tool_calls")]
    [InlineData("refusal", "content_filter")]
    [InlineData("something_new", "something_new")]
    public void Stop_reasons_map_to_MEAI_finish_reasons(string stopReason, string finishReason) =>
        Assert.Equal(finishReason, ChatUpdateMapper.FinishReason(new StopReason(stopReason))!.Value.Value);

    [Fact]
    public async Task Cancelling_mid_stream_stops_it_with_OperationCanceledException()
    {
        var handler = new FakeAnthropicHandler().RespondWith(new TranscriptBuilder().Text("one two three four five six").Stop(StopReason.EndTurn), Chunking.OneByte);
        using var chat = new AnthropicChatClient(ClientFactory.Create(handler));
        using var cancel = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (ChatResponseUpdate update in chat.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "Hi")], cancellationToken: cancel.Token))
            {
                if (update.Text.Length > 0)
                {
                    await cancel.CancelAsync();
                }
            }
        });
    }

    [Fact]
    public void Metadata_names_the_provider_and_the_default_model()
    {
        using var chat = new AnthropicChatClient(ClientFactory.Create(new FakeAnthropicHandler()), "claude-default");
        ChatClientMetadata metadata = Assert.IsType<ChatClientMetadata>(chat.GetService(typeof(ChatClientMetadata)));
        Assert.Equal(("anthropic", "claude-default"), (metadata.ProviderName, metadata.DefaultModelId));
        Assert.Same(chat, chat.GetService(typeof(AnthropicChatClient)));
        Assert.Null(chat.GetService(typeof(ChatClientMetadata), serviceKey: "other"));
    }

    private static Chunking Chunk(string name) => name == "one byte" ? Chunking.OneByte : Chunking.Whole;
}

/// <summary>Tools both ways: MEAI functions as agent tools, agent tools as MEAI functions, and the DI registration.</summary>
public sealed class AIToolInteropTests
{
    [Fact]
    public async Task An_AIFunction_is_a_tool_of_the_agent_runner_with_its_schema_validated()
    {
        int calls = 0;
        AgentTool tool = AIFunctionFactory.Create(
            [Description("Gets an order's shipping date.")] (string order, int copies) =>
            {
                calls++;
                return $"{order} x{copies}: Friday";
            },
            "get_shipping").AsAgentTool();
        var harness = new Agents.AgentRunnerTestHarness([tool]);
        harness.Handler
            .RespondWith(new TranscriptBuilder().ToolUse("get_shipping", """{"order":"ORD-1","copies":"two"}""", id: "toolu_bad").Stop(StopReason.ToolUse))
            .RespondWith(new TranscriptBuilder().ToolUse("get_shipping", """{"order":"ORD-1","copies":2}""", id: "toolu_good").Stop(StopReason.ToolUse))
            .RespondWith(new TranscriptBuilder().Text("Friday.").Stop(StopReason.EndTurn));

        List<StreamingAgents.Agents.AgentEvent> events = await harness.RunAsync();

        StreamingAgents.Agents.ToolCallCompleted[] completed = [.. events.OfType<StreamingAgents.Agents.ToolCallCompleted>()];
        Assert.True(completed[0].IsError);
        Assert.Contains("does not match the schema", completed[0].Result, StringComparison.Ordinal);
        Assert.Equal("ORD-1 x2: Friday", completed[1].Result);
        Assert.False(completed[1].IsError);
        Assert.Equal(1, calls);
        Assert.Equal("Gets an order's shipping date.", tool.Description);
        Assert.Equal("integer", tool.InputSchema.GetProperty("properties").GetProperty("copies").GetProperty("type").GetString());
    }

    [Fact]
    public async Task An_agent_tool_is_an_AIFunction_that_UseFunctionInvocation_calls()
    {
        var handler = new FakeAnthropicHandler()
            .RespondWith(new TranscriptBuilder().ToolUse("lookup", """{"query":"ORD-9"}""", id: "toolu_9").Stop(StopReason.ToolUse))
            .RespondWith(new TranscriptBuilder().Text("Done.").Stop(StopReason.EndTurn));
        AIFunction lookup = TestTools.Lookup().AsAIFunction();
        using IChatClient chat = new ChatClientBuilder(new AnthropicChatClient(ClientFactory.Create(handler))).UseFunctionInvocation().Build();

        ChatResponse response = await chat.GetResponseAsync("Find ORD-9", new ChatOptions { Tools = [lookup] });

        Assert.Equal("lookup", lookup.Name);
        Assert.EndsWith("Done.", response.Text, StringComparison.Ordinal);
        using JsonDocument second = JsonDocument.Parse(handler.Requests[1].Body);
        string result = second.RootElement.GetProperty("messages")[2].GetProperty("content")[0].GetProperty("content")[0].GetProperty("text").GetString()!;
        Assert.Contains("ORD-9", result, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddChatClient_registers_IChatClient_and_returns_the_MEAI_builder_for_pipelines()
    {
        var handler = new FakeAnthropicHandler().RespondWith(new TranscriptBuilder().Text("Hi from DI.").Stop(StopReason.EndTurn));
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
        Microsoft.Extensions.DependencyInjection.StreamingAgentsBuilder agents = Microsoft.Extensions.DependencyInjection.StreamingAgentsServiceCollectionExtensions.AddStreamingAgents(services, o => o.ApiKey = ClientFactory.ApiKey);
        Microsoft.Extensions.DependencyInjection.HttpClientBuilderExtensions.ConfigurePrimaryHttpMessageHandler(agents.HttpClientBuilder, () => handler);
        ChatClientBuilder pipeline = agents.AddChatClient("claude-di").UseFunctionInvocation();
        Assert.NotNull(pipeline);
        await using Microsoft.Extensions.DependencyInjection.ServiceProvider provider = Microsoft.Extensions.DependencyInjection.ServiceCollectionContainerBuilderExtensions.BuildServiceProvider(services);

        IChatClient chat = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<IChatClient>(provider);
        ChatResponse response = await chat.GetResponseAsync("Hello");

        Assert.Equal("Hi from DI.", response.Text);
        Assert.NotNull(chat.GetService(typeof(FunctionInvokingChatClient)));
        Assert.Equal("claude-di", Assert.IsType<AnthropicChatClient>(chat.GetService(typeof(AnthropicChatClient))).DefaultModelId);
        using JsonDocument request = JsonDocument.Parse(handler.Requests[0].Body);
        Assert.Equal("claude-di", request.RootElement.GetProperty("model").GetString());
    }
}

/// <summary>What the chat client refuses or repairs, so a request never goes out malformed or a call runs on partial input.</summary>
public sealed class ChatClientEdgeTests
{
    [Fact]
    public async Task A_tool_call_cut_off_by_max_tokens_is_informational_only_and_never_invoked()
    {
        var handler = new FakeAnthropicHandler()
            .RespondWith(new TranscriptBuilder().ToolUseFragments("write_file", "toolu_cut", """{"path":"a.txt","content":"hal""").Stop(StopReason.MaxTokens));
        int calls = 0;
        AIFunction write = AIFunctionFactory.Create((string path, string content) => calls++, "write_file");
        using IChatClient chat = new ChatClientBuilder(new AnthropicChatClient(ClientFactory.Create(handler))).UseFunctionInvocation().Build();

        ChatResponse response = await chat.GetResponseAsync("Write it", new ChatOptions { Tools = [write] });

        Assert.Equal(0, calls);
        FunctionCallContent call = response.Messages.SelectMany(static m => m.Contents).OfType<FunctionCallContent>().Single();
        Assert.True(call.InformationalOnly);
        Assert.IsType<InvalidDataException>(call.Exception);
        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
    }

    [Fact]
    public async Task Function_results_become_blocks_an_empty_one_none_and_an_exception_an_error()
    {
        var handler = new FakeAnthropicHandler().RespondWith(new TranscriptBuilder().Text("OK").Stop(StopReason.EndTurn));
        using var chat = new AnthropicChatClient(ClientFactory.Create(handler));
        ChatMessage assistant = new(ChatRole.Assistant, [
            new FunctionCallContent("c1", "a", new Dictionary<string, object?>()), new FunctionCallContent("c2", "b", new Dictionary<string, object?>()),
            new FunctionCallContent("c3", "c", new Dictionary<string, object?>())]);
        ChatMessage results = new(ChatRole.Tool, [
            new FunctionResultContent("c1", null),
            new FunctionResultContent("c2", new InvalidOperationException("No such order.")),
            new FunctionResultContent("c3", new TextContent("plain text"))]);

        await chat.GetResponseAsync([new ChatMessage(ChatRole.User, "Go"), assistant, results, new ChatMessage(ChatRole.User, "And?")]);

        using JsonDocument request = JsonDocument.Parse(handler.Requests[0].Body);
        JsonElement[] blocks = [.. request.RootElement.GetProperty("messages")[2].GetProperty("content").EnumerateArray()];
        Assert.Equal(["tool_result", "tool_result", "tool_result", "text"], blocks.Select(static b => b.GetProperty("type").GetString())); // results first in the merged user turn
        Assert.Equal(0, blocks[0].GetProperty("content").GetArrayLength());
        Assert.True(blocks[1].GetProperty("is_error").GetBoolean());
        Assert.Equal("No such order.", blocks[1].GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal("plain text", blocks[2].GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task Content_the_API_cannot_take_is_refused_by_name_instead_of_dropped()
    {
        using var chat = new AnthropicChatClient(ClientFactory.Create(new FakeAnthropicHandler()));
        NotSupportedException refused = await Assert.ThrowsAsync<NotSupportedException>(() =>
            chat.GetResponseAsync([new ChatMessage(ChatRole.User, [new TextContent("Read this"), new DataContent(new byte[] { 1, 2 }, "application/pdf")])]));
        Assert.Contains("DataContent (application/pdf)", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tool_settings_apply_only_with_tools_and_request_fields_cannot_be_overridden()
    {
        var handler = new FakeAnthropicHandler()
            .RespondWith(new TranscriptBuilder().Text("A").Stop(StopReason.EndTurn))
            .RespondWith(new TranscriptBuilder().Text("B").Stop(StopReason.EndTurn));
        using var chat = new AnthropicChatClient(ClientFactory.Create(handler));
        AIFunction lookup = AIFunctionFactory.Create((string query) => query, "lookup");

        await chat.GetResponseAsync("Hi", new ChatOptions { ToolMode = ChatToolMode.RequireAny });
        await chat.GetResponseAsync("Hi", new ChatOptions { Tools = [lookup], AllowMultipleToolCalls = false });

        using JsonDocument first = JsonDocument.Parse(handler.Requests[0].Body);
        Assert.False(first.RootElement.TryGetProperty("tool_choice", out _)); // no tools: a tool choice would be refused
        using JsonDocument second = JsonDocument.Parse(handler.Requests[1].Body);
        JsonElement choice = second.RootElement.GetProperty("tool_choice");
        Assert.Equal(("auto", true), (choice.GetProperty("type").GetString(), choice.GetProperty("disable_parallel_tool_use").GetBoolean()));

        ArgumentException collision = await Assert.ThrowsAsync<ArgumentException>(() =>
            chat.GetResponseAsync("Hi", new ChatOptions { AdditionalProperties = new AdditionalPropertiesDictionary { ["max_tokens"] = 5 } }));
        Assert.Contains("AdditionalProperties['max_tokens']", collision.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_agent_tool_as_AIFunction_answers_errors_as_text_for_the_model()
    {
        AIFunction failing = AgentTool.Create("lookup", "Looks up.", TelemetryJsonContextForAI.Default.QueryInput, static (_, _) => ValueTask.FromResult(ToolResult.Error("No order ORD-9."))).AsAIFunction();

        Assert.Equal("Error: No order ORD-9.", await failing.InvokeAsync(new AIFunctionArguments { ["query"] = "ORD-9" }));
        string? invalid = (string?)await failing.InvokeAsync(new AIFunctionArguments { ["query"] = 42 });
        Assert.StartsWith("Error: the input does not match the schema of tool 'lookup'", invalid, StringComparison.Ordinal);
    }

    [Fact]
    public void A_function_that_requires_approval_is_not_made_an_unapproved_agent_tool()
    {
        var guarded = new ApprovalRequiredAIFunction(AIFunctionFactory.Create(() => "done", "refund_order"));
        Assert.Contains("requires approval", Assert.Throws<NotSupportedException>(() => guarded.AsAgentTool()).Message, StringComparison.Ordinal);
    }
}

/// <summary>Input of the interop tests' typed tool.</summary>
public sealed record QueryInput(string Query);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower)]
[System.Text.Json.Serialization.JsonSerializable(typeof(QueryInput))]
internal sealed partial class TelemetryJsonContextForAI : System.Text.Json.Serialization.JsonSerializerContext;
