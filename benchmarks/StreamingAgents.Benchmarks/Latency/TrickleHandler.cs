using System.Net;
using System.Net.Http.Headers;

namespace StreamingAgents.Benchmarks.Latency;

/// <summary>Answers the first request with an endless <c>text/event-stream</c> body fed by the benchmark; no other.</summary>
internal sealed class TrickleHandler(TrickleStream body) : HttpMessageHandler
{
    private int _requests;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _requests) > 1)
        {
            throw new InvalidOperationException("The endless response is served once: a second request means the stream or the turn ended.");
        }

        var content = new StreamContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/event-stream");
        return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request });
    }
}
