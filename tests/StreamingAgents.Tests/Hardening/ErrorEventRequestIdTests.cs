using System.Text.Json;
using StreamingAgents.Events;
using StreamingAgents.Http;
using StreamingAgents.Json;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Http;
using StreamingAgents.Tests.TestSupport;

namespace StreamingAgents.Tests.Hardening;

/// <summary>An error event names its request; that ID reaches the exception unless the response header gave one.</summary>
public sealed class ErrorEventRequestIdTests
{
    private const string ErrorWithRequestId =
        """{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long"},"request_id":"req_123"}""";

    [Fact]
    public async Task ReadAllAsync_ErrorEventWithRequestId_ExceptionCarriesIt()
    {
        byte[] sse = [.. Wire.Event("message_start", Wire.MessageStartData), .. Wire.Event("error", ErrorWithRequestId)];

        var error = await Assert.ThrowsAsync<AnthropicApiException>(() => Wire.ReadAllAsync(sse));

        Assert.Equal(("invalid_request_error", "prompt is too long", "req_123"), (error.ErrorType, error.ApiMessage, error.RequestId));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task StreamAsync_ErrorEventRequestIdWithoutHeader_IsUsedAndTheHeaderWinsWhenSent(bool afterFirstEvent)
    {
        byte[] sse = afterFirstEvent
            ? [.. Wire.Event("message_start", Wire.MessageStartData), .. Wire.Event("error", ErrorWithRequestId)]
            : Wire.Event("error", ErrorWithRequestId);
        var handler = new FakeAnthropicHandler()
            .RespondWith((_, _) => Wire.SseResponse(sse, requestIdHeader: null))
            .RespondWith((_, _) => Wire.SseResponse(sse, requestIdHeader: "req_from_header"));
        AnthropicClient client = ClientFactory.Create(handler, o => o.MaxRetries = 0);

        var withoutHeader = await Assert.ThrowsAsync<AnthropicApiException>(() => client.CreateMessageAsync(ClientFactory.Hello));
        var withHeader = await Assert.ThrowsAsync<AnthropicApiException>(() => client.CreateMessageAsync(ClientFactory.Hello));

        Assert.Equal("req_123", withoutHeader.RequestId);
        Assert.Contains("req_123", withoutHeader.Message, StringComparison.Ordinal);
        Assert.Equal("req_from_header", withHeader.RequestId);
    }

    [Fact]
    public void MessageAccumulator_ErrorEventWithRequestId_ExceptionCarriesIt()
    {
        var accumulator = new MessageAccumulator();
        StreamEvent error = JsonSerializer.Deserialize(ErrorWithRequestId, AnthropicJsonContext.Default.StreamEvent)!;

        var thrown = Assert.Throws<AnthropicApiException>(() => accumulator.Add(error));

        Assert.Equal("req_123", thrown.RequestId);
    }
}
