using System.Net;
using System.Net.Http.Headers;

namespace StreamingAgents.Tests.TestSupport;

/// <summary>Answers every request with the same <c>text/event-stream</c> body from memory: every read completes at once.</summary>
internal sealed class InMemoryAnswerHandler(byte[] body) : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var content = new StreamContent(new MemoryStream(body, writable: false));
        content.Headers.ContentType = new MediaTypeHeaderValue("text/event-stream");
        return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request });
    }
}
