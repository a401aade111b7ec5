using System.Text.Json;
using System.Text.Json.Nodes;
using StreamingAgents.Events;
using StreamingAgents.Json;
using StreamingAgents.Messages;
using StreamingAgents.Tests.TestSupport;

namespace StreamingAgents.Tests.Messages;

public sealed class MessageSerializationTests
{
    // Shaped like the Messages API reference's response example, plus fields this library does not name.
    private const string ApiResponse = """
        {
          "id": "msg_013Zva2CMHLNnXjNJJKqJ2EF",
          "type": "message",
          "role": "assistant",
          "content": [
            { "type": "text", "text": "Hi! My name is Claude." },
            { "type": "tool_use", "id": "toolu_01A09q90qw90lq917835lq9", "name": "get_weather", "input": { "location": "San Francisco, CA", "unit": "celsius" } },
            { "type": "container_upload", "file_id": "file_011CNha8iCJcU1wXNR6q4V8w" }
          ],
          "model": "claude-sonnet-4-5",
          "stop_reason": "tool_use",
          "stop_sequence": null,
          "usage": {
            "input_tokens": 2095, "output_tokens": 503, "cache_creation_input_tokens": 2051, "cache_read_input_tokens": 0,
            "cache_creation": { "ephemeral_5m_input_tokens": 2051, "ephemeral_1h_input_tokens": 0 },
            "service_tier": "standard"
          },
          "container": { "id": "container_1", "expires_at": "2026-11-25T12:00:00Z" }
        }
        """;

    [Fact]
    public void Message_ApiResponse_RoundTripsUnchanged()
    {
        Message message = JsonSerializer.Deserialize(ApiResponse, AnthropicJsonContext.Default.Message)!;

        Fixture.AssertJsonEqual(JsonNode.Parse(ApiResponse)!, Fixture.ToJson(message));
        Assert.Equal(StopReason.ToolUse, message.StopReason);
        Assert.Equal("celsius", message.ToolCalls.Single().Input.GetProperty("unit").GetString());
        Assert.Equal("container_upload", Assert.IsType<UnknownContentBlock>(message.Content[2]).Type);
        Assert.True(message.Usage.AdditionalProperties!.ContainsKey("service_tier"));
    }

    [Fact]
    public void StopReason_UnknownValue_RoundTrips()
    {
        Message message = JsonSerializer.Deserialize("""{"stop_reason":"model_context_window_exceeded"}""", AnthropicJsonContext.Default.Message)!;

        Assert.Equal("model_context_window_exceeded", message.StopReason!.Value.Value);
        Assert.Contains("\"stop_reason\":\"model_context_window_exceeded\"", JsonSerializer.Serialize(message, AnthropicJsonContext.Default.Message), StringComparison.Ordinal);
    }

    [Fact]
    public void ContentBlock_TypeNotFirst_StillDeserializes()
    {
        ContentBlock block = JsonSerializer.Deserialize("""{"text":"hi","type":"text"}""", AnthropicJsonContext.Default.ContentBlock)!;

        Assert.Equal("hi", Assert.IsType<TextBlock>(block).Text);
    }

    [Fact]
    public void StreamEvent_Serialized_HasWireShape()
    {
        StreamEvent streamEvent = new ContentBlockDeltaEvent { Index = 2, Delta = new InputJsonDelta { PartialJson = "{\"a\":" } };

        string json = JsonSerializer.Serialize(streamEvent, AnthropicJsonContext.Default.StreamEvent);

        Assert.Equal("""{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\u0022a\u0022:"}}""", json);
        Assert.Equal(streamEvent, JsonSerializer.Deserialize(json, AnthropicJsonContext.Default.StreamEvent));
    }

    [Fact]
    public void ToolCallBlock_StatusAndRawJson_AreNotSerialized()
    {
        var block = new ToolUseBlock { Id = "t", Name = "n", InputJson = "{", InputStatus = ToolInputStatus.Incomplete };

        string json = JsonSerializer.Serialize<ContentBlock>(block, AnthropicJsonContext.Default.ContentBlock);

        Assert.Equal("""{"type":"tool_use","id":"t","name":"n","input":{}}""", json);
    }

    [Fact]
    public void Usage_Add_SumsFieldByField()
    {
        var total = new Usage { InputTokens = 1, OutputTokens = 2, CacheReadInputTokens = 3 } + new Usage { InputTokens = 10, OutputTokens = 20 };

        Assert.Equal((11, 22, 3, (int?)null), (total.InputTokens, total.OutputTokens, total.CacheReadInputTokens, total.CacheCreationInputTokens));
    }
}
