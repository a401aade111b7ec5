using System.Net;
using System.Net.Http.Headers;

namespace StreamingAgents.Benchmarks;

/// <summary>Answers requests with the given <c>text/event-stream</c> bodies in turn, over and over.</summary>
internal sealed class CyclingHandler(params byte[][] bodies) : HttpMessageHandler
{
    private int _next;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        byte[] body = bodies[_next++ % bodies.Length];
        var content = new StreamContent(new MemoryStream(body, writable: false));
        content.Headers.ContentType = new MediaTypeHeaderValue("text/event-stream");
        return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request });
    }
}
