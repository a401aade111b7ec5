using System.Net;
using System.Text;
using RichardSzalay.MockHttp;
using StreamingAgents.Events;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Http;
using StreamingAgents.Testing.Transcripts;

namespace StreamingAgents.Testing.Tests;

public sealed class FakeAnthropicHandlerTests
{
    private static readonly Transcript s_reply = new TranscriptBuilder().Text("Hi").Stop(StopReason.EndTurn).Build();

    [Fact]
    public async Task SendAsync_ServesScriptsInOrderAndRecordsRequests()
    {
        var handler = new FakeAnthropicHandler()
            .RespondWith(s_reply)
            .RespondWithError(HttpStatusCode.TooManyRequests, "rate_limit_error", "Slow down", retryAfter: TimeSpan.FromSeconds(3), shouldRetry: true);
        using var client = new HttpClient(handler);

        using HttpResponseMessage ok = await client.PostAsync("https://fake/v1/messages", new StringContent("""{"a":1}""", Encoding.UTF8, "application/json"));
        using HttpResponseMessage limited = await client.PostAsync("https://fake/v1/messages", new StringContent("{}"));

        Assert.Equal("text/event-stream", ok.Content.Headers.ContentType!.MediaType);
        Assert.Equal(s_reply.Text, await ok.Content.ReadAsStringAsync());
        Assert.Equal(["req_fake_01"], ok.Headers.GetValues("request-id"));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(3), limited.Headers.RetryAfter!.Delta);
        Assert.Equal(["3000"], limited.Headers.GetValues("retry-after-ms"));
        Assert.Equal(["true"], limited.Headers.GetValues("x-should-retry"));
        Assert.Contains("\"rate_limit_error\"", await limited.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(2, handler.Requests.Count);
        Assert.Equal(1, handler.Requests[0].ParseBody().GetProperty("a").GetInt32());
        Assert.StartsWith("application/json", handler.Requests[0].Headers["content-type"], StringComparison.Ordinal);
        Assert.Equal(0, handler.PendingResponses);
    }

    [Fact]
    public async Task SendAsync_NoScriptLeft_FailsSayingSo()
    {
        using var client = new HttpClient(new FakeAnthropicHandler().RespondWith(s_reply));
        (await client.GetAsync("https://fake/one")).Dispose();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetAsync("https://fake/two"));

        Assert.Contains("request #2", error.Message, StringComparison.Ordinal);
        Assert.Contains("no scripted response left", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_ConcurrentRequests_EachGetOneScriptAndAreAllRecorded()
    {
        var handler = new FakeAnthropicHandler();
        for (int i = 0; i < 50; i++)
        {
            handler.RespondWith(s_reply);
        }

        using var client = new HttpClient(handler);

        HttpResponseMessage[] responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => client.PostAsync("https://fake/v1/messages", new StringContent($"{{\"n\":{i}}}"))));

        Assert.All(responses, response => Assert.Equal(HttpStatusCode.OK, response.StatusCode));
        Assert.Equal(Enumerable.Range(1, 50), handler.Requests.Select(r => r.Number));
        Assert.Equal(Enumerable.Range(0, 50), handler.Requests.Select(r => r.ParseBody().GetProperty("n").GetInt32()).Order());
        Assert.Equal(50, handler.ServedBodies.Count);
    }

    [Fact]
    public async Task FailConnection_ThrowsHttpRequestException()
    {
        using var client = new HttpClient(new FakeAnthropicHandler().FailConnection());

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("https://fake/"));
    }

    [Fact]
    public async Task MockHttp_RespondWithTranscript_StreamsIt()
    {
        var mock = new MockHttpMessageHandler();
        mock.When(HttpMethod.Post, "https://api.anthropic.com/v1/messages").RespondWithTranscript(s_reply);
        mock.When("https://api.anthropic.com/v1/fail").RespondWithApiError((HttpStatusCode)529, "overloaded_error", "Overloaded");
        using var client = new HttpClient(mock);

        using HttpResponseMessage response = await client.PostAsync("https://api.anthropic.com/v1/messages", new StringContent("{}"));
        Message message = await StreamEventReader.ReadAllAsync(await response.Content.ReadAsStreamAsync()).ToMessageAsync();
        using HttpResponseMessage failed = await client.GetAsync("https://api.anthropic.com/v1/fail");

        Assert.Equal("Hi", message.GetText());
        Assert.Equal(529, (int)failed.StatusCode);
    }
}
