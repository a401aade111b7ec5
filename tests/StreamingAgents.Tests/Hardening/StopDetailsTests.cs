using System.Text.Json;
using System.Text.Json.Nodes;
using StreamingAgents.Agents;
using StreamingAgents.Events;
using StreamingAgents.Json;
using StreamingAgents.Messages;

namespace StreamingAgents.Tests.Hardening;

/// <summary>A refusal's stop_details arrives in message_delta and belongs on the message, typed.</summary>
public sealed class StopDetailsTests
{
    private const string RefusalDelta =
        """{"type":"message_delta","delta":{"stop_reason":"refusal","stop_sequence":null,"stop_details":{"type":"refusal","category":"cyber","explanation":"The request asks for working malware."}},"usage":{"output_tokens":3}}""";

    [Fact]
    public async Task ToMessageAsync_RefusalWithStopDetails_MessageCarriesThemTyped()
    {
        Message message = await ReadRefusalAsync();

        Assert.Equal(StopReason.Refusal, message.StopReason);
        Assert.NotNull(message.StopDetails);
        Assert.Equal(("refusal", "cyber", "The request asks for working malware."), (message.StopDetails.Type, message.StopDetails.Category, message.StopDetails.Explanation));
        Assert.True(message.AdditionalProperties is null || !message.AdditionalProperties.ContainsKey("stop_details"));
    }

    [Fact]
    public async Task Serialize_RefusalMessage_RoundTripsStopDetailsOnce()
    {
        Message message = await ReadRefusalAsync();

        string json = JsonSerializer.Serialize(message, AnthropicJsonContext.Default.Message);
        Message back = JsonSerializer.Deserialize(json, AnthropicJsonContext.Default.Message)!;

        using JsonDocument document = JsonDocument.Parse(json);
        Assert.Single(document.RootElement.EnumerateObject(), p => p.Name == "stop_details");
        JsonNode details = JsonNode.Parse(json)!["stop_details"]!;
        Assert.Equal(("refusal", "cyber"), ((string)details["type"]!, (string)details["category"]!));
        Assert.Equal(message.StopDetails, back.StopDetails);
        Assert.Equal(StopReason.Refusal, back.StopReason);
    }

    [Fact]
    public async Task RunAsync_Refusal_FinalMessageCarriesStopDetails()
    {
        var harness = new HardeningRunner([]);
        harness.Handler.RespondWith((_, _) => Wire.SseResponse(RefusalStream(), "req_refusal"));

        List<AgentEvent> events = await harness.RunAsync();

        RunCompleted completed = Assert.IsType<RunCompleted>(events[^1]);
        Assert.Equal(AgentRunOutcome.Refused, completed.Outcome);
        Assert.Equal("cyber", completed.FinalMessage!.StopDetails!.Category);
    }

    private static async Task<Message> ReadRefusalAsync()
    {
        using var stream = new MemoryStream(RefusalStream());
        return await StreamEventReader.ReadAllAsync(stream).ToMessageAsync();
    }

    private static byte[] RefusalStream() =>
    [
        .. Wire.Event("message_start", Wire.MessageStartData),
        .. Wire.Event("content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"""),
        .. Wire.Event("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"I can't help with that."}}"""),
        .. Wire.Event("content_block_stop", """{"type":"content_block_stop","index":0}"""),
        .. Wire.Event("message_delta", RefusalDelta),
        .. Wire.Event("message_stop", """{"type":"message_stop"}"""),
    ];
}
