using StreamingAgents.Http;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Http;
using StreamingAgents.Testing.Transcripts;
using StreamingAgents.Tests.TestSupport;

namespace StreamingAgents.Tests.Hardening;

/// <summary>A gateway's path prefix in BaseUrl is kept, with or without a trailing slash.</summary>
public sealed class MessagesEndpointTests
{
    [Fact]
    public async Task StreamAsync_BaseUrlWithOrWithoutPath_PostsToV1MessagesUnderIt()
    {
        (string BaseUrl, string Expected)[] cases =
        [
            ("https://gateway.test/proxy/anthropic", "https://gateway.test/proxy/anthropic/v1/messages"),
            ("https://gateway.test/proxy/anthropic/", "https://gateway.test/proxy/anthropic/v1/messages"),
            ("https://api.test", "https://api.test/v1/messages"),
            ("https://api.test/", "https://api.test/v1/messages"),
        ];
        var actual = new List<string>();

        foreach ((string baseUrl, _) in cases)
        {
            var handler = new FakeAnthropicHandler().RespondWith(new TranscriptBuilder().Text("ok").Stop(StopReason.EndTurn));
            await ClientFactory.Create(handler, o => o.BaseUrl = new Uri(baseUrl)).CreateMessageAsync(ClientFactory.Hello);
            actual.Add(Assert.Single(handler.Requests).Uri.ToString());
        }

        Assert.Equal(cases.Select(c => c.Expected), actual);
    }
}
