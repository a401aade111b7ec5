using System.Net;
using Microsoft.Extensions.Time.Testing;
using StreamingAgents.Events;
using StreamingAgents.Http;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Http;
using StreamingAgents.Testing.Streams;
using StreamingAgents.Testing.Transcripts;
using StreamingAgents.Tests.TestSupport;

namespace StreamingAgents.Tests.Http;

public sealed class AnthropicClientRetryTests
{
    private static readonly Transcript s_reply = new TranscriptBuilder().Text("Recovered.").Stop(StopReason.EndTurn).Build();

    [Theory]
    [InlineData(HttpStatusCode.RequestTimeout, "timeout_error")]
    [InlineData(HttpStatusCode.Conflict, "conflict_error")]
    [InlineData(HttpStatusCode.TooManyRequests, "rate_limit_error")]
    [InlineData(HttpStatusCode.InternalServerError, "api_error")]
    [InlineData(HttpStatusCode.ServiceUnavailable, "api_error")]
    [InlineData((HttpStatusCode)529, "overloaded_error")]
    public async Task StreamAsync_RetryableStatus_IsRetriedUntilSuccess(HttpStatusCode status, string errorType)
    {
        var handler = new FakeAnthropicHandler()
            .RespondWithError(status, errorType, "try again")
            .RespondWithError(status, errorType, "try again")
            .RespondWith(s_reply);

        Message message = await ClientFactory.Create(handler).CreateMessageAsync(ClientFactory.Hello);

        Assert.Equal("Recovered.", message.GetText());
        Assert.Equal(3, handler.Requests.Count);
        Assert.Equal(handler.Requests[0].Body, handler.Requests[2].Body);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest, "invalid_request_error")]
    [InlineData(HttpStatusCode.Unauthorized, "authentication_error")]
    [InlineData(HttpStatusCode.Forbidden, "permission_error")]
    [InlineData(HttpStatusCode.NotFound, "not_found_error")]
    [InlineData(HttpStatusCode.RequestEntityTooLarge, "request_too_large")]
    public async Task StreamAsync_ClientErrorStatus_ThrowsApiExceptionWithoutRetry(HttpStatusCode status, string errorType)
    {
        var handler = new FakeAnthropicHandler().RespondWithError(status, errorType, "You did it wrong.").RespondWith(s_reply);

        var error = await Assert.ThrowsAsync<AnthropicApiException>(() => ClientFactory.Create(handler).CreateMessageAsync(ClientFactory.Hello));

        Assert.Equal(status, error.StatusCode);
        Assert.Equal(errorType, error.ErrorType);
        Assert.Equal("You did it wrong.", error.ApiMessage);
        Assert.Equal("req_fake_01", error.RequestId);
        Assert.Contains($"HTTP {(int)status}", error.Message, StringComparison.Ordinal);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task StreamAsync_RetriesExhausted_ThrowsLastError()
    {
        var handler = new FakeAnthropicHandler();
        for (int i = 0; i < 3; i++)
        {
            handler.RespondWithError((HttpStatusCode)529, "overloaded_error", $"Overloaded {i}");
        }

        var error = await Assert.ThrowsAsync<AnthropicApiException>(() => ClientFactory.Create(handler, o => o.MaxRetries = 2).CreateMessageAsync(ClientFactory.Hello));

        Assert.Equal("Overloaded 2", error.ApiMessage);
        Assert.Equal(3, handler.Requests.Count);
    }

    [Fact]
    public async Task StreamAsync_ShouldRetryHeader_OverridesStatus()
    {
        var noRetry = new FakeAnthropicHandler().RespondWithError(HttpStatusCode.InternalServerError, "api_error", "final", shouldRetry: false).RespondWith(s_reply);
        await Assert.ThrowsAsync<AnthropicApiException>(() => ClientFactory.Create(noRetry).CreateMessageAsync(ClientFactory.Hello));
        Assert.Single(noRetry.Requests);

        var retry = new FakeAnthropicHandler().RespondWithError(HttpStatusCode.BadRequest, "invalid_request_error", "transient", shouldRetry: true).RespondWith(s_reply);
        await ClientFactory.Create(retry).CreateMessageAsync(ClientFactory.Hello);
        Assert.Equal(2, retry.Requests.Count);
    }

    [Fact]
    public async Task StreamAsync_ConnectionFailure_IsRetried()
    {
        var handler = new FakeAnthropicHandler().FailConnection().RespondWith(s_reply);

        Message message = await ClientFactory.Create(handler).CreateMessageAsync(ClientFactory.Hello);

        Assert.Equal("Recovered.", message.GetText());
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task StreamAsync_ConnectionDropsBeforeFirstEvent_IsRetried()
    {
        var handler = new FakeAnthropicHandler()
            .RespondWith(s_reply, Chunking.OneByte, new ChunkedStreamOptions { EndAfterBytes = 30, Ending = StreamEnding.Drop })
            .RespondWith(s_reply);

        Message message = await ClientFactory.Create(handler).CreateMessageAsync(ClientFactory.Hello);

        Assert.Equal("Recovered.", message.GetText());
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task StreamAsync_ErrorEventBeforeAnyEvent_IsRetried()
    {
        var handler = new FakeAnthropicHandler().RespondWith(Transcript.FromSse("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n")).RespondWith(s_reply);

        Message message = await ClientFactory.Create(handler).CreateMessageAsync(ClientFactory.Hello);

        Assert.Equal("Recovered.", message.GetText());
    }

    [Fact]
    public async Task StreamAsync_FailureAfterFirstEvent_IsNotRetried()
    {
        byte[] whole = s_reply.Bytes.ToArray();
        int afterFirstEvent = s_reply.Text.IndexOf("\n\n", StringComparison.Ordinal) + 2;
        var handler = new FakeAnthropicHandler()
            .RespondWith(s_reply, Chunking.PerEvent, new ChunkedStreamOptions { EndAfterBytes = afterFirstEvent + 10, Ending = StreamEnding.Drop })
            .RespondWith(s_reply);
        var received = new List<StreamEvent>();

        await Assert.ThrowsAsync<IOException>(async () =>
        {
            await foreach (StreamEvent e in ClientFactory.Create(handler).StreamAsync(ClientFactory.Hello))
            {
                received.Add(e);
            }
        });

        Assert.IsType<MessageStartEvent>(Assert.Single(received));
        Assert.Single(handler.Requests);
        Assert.True(whole.Length > afterFirstEvent);
    }

    [Fact]
    public async Task StreamAsync_ErrorEventMidStream_ThrowsWithRequestIdAndNoRetry()
    {
        Transcript failing = new TranscriptBuilder().Text("Partial").Error("overloaded_error", "Overloaded").Build();
        var handler = new FakeAnthropicHandler().RespondWith(failing).RespondWith(s_reply);

        var error = await Assert.ThrowsAsync<AnthropicApiException>(() => ClientFactory.Create(handler).CreateMessageAsync(ClientFactory.Hello));

        Assert.Equal("overloaded_error", error.ErrorType);
        Assert.Null(error.StatusCode);
        Assert.Equal("req_fake_01", error.RequestId);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task StreamAsync_RetryAfter_WaitsExactlyThatLongOnTheClock()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var handler = new FakeAnthropicHandler().RespondWithError(HttpStatusCode.TooManyRequests, "rate_limit_error", "slow down", retryAfter: TimeSpan.FromSeconds(7)).RespondWith(s_reply);
        AnthropicClient client = ClientFactory.Create(handler, o => o.InitialRetryDelay = o.MaxRetryDelay = TimeSpan.FromMilliseconds(1), time);
        DateTimeOffset start = time.GetUtcNow();

        Task<Message> call = client.CreateMessageAsync(ClientFactory.Hello);
        await WaitUntilAsync(() => handler.Requests.Count == 1);
        time.Advance(TimeSpan.FromSeconds(6.9));
        await Task.Delay(20);
        Assert.Single(handler.Requests); // not yet: the server asked for 7 s, not the 1 ms backoff
        time.Advance(TimeSpan.FromSeconds(0.1));
        Message message = await call.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("Recovered.", message.GetText());
        Assert.Equal(2, handler.Requests.Count);
        Assert.Equal(TimeSpan.FromSeconds(7), time.GetUtcNow() - start);
    }

    [Fact]
    public void GetServerDelay_UnreasonableValues_FallBackToBackoff()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var tooLong = FakeResponses.Error(HttpStatusCode.TooManyRequests, "rate_limit_error", "x", retryAfter: TimeSpan.FromMinutes(10));
        using var ms = FakeResponses.Error(HttpStatusCode.TooManyRequests, "rate_limit_error", "x", retryAfter: TimeSpan.FromMilliseconds(1500));

        Assert.Null(RetryPolicy.GetServerDelay(tooLong.Headers, time));
        Assert.Equal(TimeSpan.FromMilliseconds(1500), RetryPolicy.GetServerDelay(ms.Headers, time));
    }

    [Fact]
    public void GetDelay_Backoff_DoublesWithJitterUpToTheCap()
    {
        var options = new AnthropicClientOptions { InitialRetryDelay = TimeSpan.FromSeconds(1), MaxRetryDelay = TimeSpan.FromSeconds(3) };
        var failure = new HttpRequestException("x");

        for (int i = 0; i < 50; i++)
        {
            Assert.InRange(RetryPolicy.GetDelay(0, failure, options).TotalSeconds, 0.75, 1.0);
            Assert.InRange(RetryPolicy.GetDelay(1, failure, options).TotalSeconds, 1.5, 2.0);
            Assert.InRange(RetryPolicy.GetDelay(5, failure, options).TotalSeconds, 2.25, 3.0);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (int i = 0; i < 3000 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }
}
