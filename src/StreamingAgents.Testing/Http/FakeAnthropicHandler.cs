using System.Collections.Concurrent;
using System.Net;
using StreamingAgents.Testing.Streams;
using StreamingAgents.Testing.Transcripts;

namespace StreamingAgents.Testing.Http;

/// <summary>
/// A fake Messages API endpoint: serves scripted responses in order, one per request, and records every request.
/// Safe under concurrent requests. A request with no script left fails with a message saying so.
/// </summary>
/// <remarks>
/// Use it as the primary handler of the client's <see cref="HttpClient"/>:
/// <c>services.AddStreamingAgents(...).HttpClientBuilder.ConfigurePrimaryHttpMessageHandler(() => handler)</c>,
/// or <c>new HttpClient(handler)</c>.
/// </remarks>
public sealed class FakeAnthropicHandler : HttpMessageHandler
{
    private readonly ConcurrentQueue<Func<RecordedRequest, CancellationToken, Task<HttpResponseMessage>>> _script = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly ConcurrentQueue<ChunkedStream> _bodies = new();
    private int _requestCount;

    /// <summary>Gets the requests received so far, in order.</summary>
    public IReadOnlyList<RecordedRequest> Requests => [.. _requests.OrderBy(static request => request.Number)];

    /// <summary>Gets the bodies of the transcripts served so far, to check they were read or disposed.</summary>
    public IReadOnlyList<ChunkedStream> ServedBodies => [.. _bodies];

    /// <summary>Gets how many scripted responses have not been served yet.</summary>
    public int PendingResponses => _script.Count;

    /// <summary>Scripts the next response: a streamed transcript.</summary>
    /// <param name="transcript">The SSE to stream.</param>
    /// <param name="chunking">How the body arrives; <see langword="null"/> means in one read.</param>
    /// <param name="streamOptions">Delays and faults of the body (drop after N bytes, stall).</param>
    /// <returns>This handler.</returns>
    public FakeAnthropicHandler RespondWith(Transcript transcript, Chunking? chunking = null, ChunkedStreamOptions? streamOptions = null)
    {
        ArgumentNullException.ThrowIfNull(transcript);
        return RespondWith((request, _) =>
        {
            ChunkedStream body = transcript.ToStream(chunking, streamOptions);
            _bodies.Enqueue(body);
            return FakeResponses.Stream(body, $"req_fake_{request.Number:D2}");
        });
    }

    /// <summary>Scripts the next response: a streamed transcript.</summary>
    /// <param name="transcript">The builder whose transcript to stream.</param>
    /// <param name="chunking">How the body arrives.</param>
    /// <param name="streamOptions">Delays and faults of the body.</param>
    /// <returns>This handler.</returns>
    public FakeAnthropicHandler RespondWith(TranscriptBuilder transcript, Chunking? chunking = null, ChunkedStreamOptions? streamOptions = null)
    {
        ArgumentNullException.ThrowIfNull(transcript);
        return RespondWith(transcript.Build(), chunking, streamOptions);
    }

    /// <summary>Scripts the next response: an HTTP error with the API's JSON error body.</summary>
    /// <param name="status">The status, for example 529.</param>
    /// <param name="errorType">The error type, for example <c>overloaded_error</c>.</param>
    /// <param name="message">The error message.</param>
    /// <param name="retryAfter">Sent as <c>retry-after</c> and <c>retry-after-ms</c>.</param>
    /// <param name="shouldRetry">Sent as <c>x-should-retry</c> when set.</param>
    /// <returns>This handler.</returns>
    public FakeAnthropicHandler RespondWithError(HttpStatusCode status, string errorType, string message, TimeSpan? retryAfter = null, bool? shouldRetry = null) =>
        RespondWith((request, _) => FakeResponses.Error(status, errorType, message, retryAfter, shouldRetry, $"req_fake_{request.Number:D2}"));

    /// <summary>Scripts the next "response": a connection failure (<see cref="HttpRequestException"/>).</summary>
    /// <returns>This handler.</returns>
    public FakeAnthropicHandler FailConnection() =>
        RespondWith((request, _) => throw new HttpRequestException($"Connection refused (simulated for request #{request.Number})."));

    /// <summary>Scripts the next response with a function of the recorded request.</summary>
    /// <param name="respond">Creates the response.</param>
    /// <returns>This handler.</returns>
    public FakeAnthropicHandler RespondWith(Func<RecordedRequest, CancellationToken, HttpResponseMessage> respond)
    {
        ArgumentNullException.ThrowIfNull(respond);
        _script.Enqueue((request, cancellationToken) => Task.FromResult(respond(request, cancellationToken)));
        return this;
    }

    /// <inheritdoc/>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        RecordedRequest recorded = await RecordAsync(request, cancellationToken).ConfigureAwait(false);
        if (!_script.TryDequeue(out var respond))
        {
            throw new InvalidOperationException(
                $"FakeAnthropicHandler received request #{recorded.Number} ({recorded.Method} {recorded.Uri}) but has no scripted response left " +
                $"({recorded.Number - 1} were served). Script one more with RespondWith(...).");
        }

        cancellationToken.ThrowIfCancellationRequested();
        HttpResponseMessage response = await respond(recorded, cancellationToken).ConfigureAwait(false);
        response.RequestMessage = request;
        return response;
    }

    private async Task<RecordedRequest> RecordAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in request.Headers)
        {
            headers[header.Key] = string.Join(", ", header.Value);
        }

        string body = string.Empty;
        if (request.Content is { } content)
        {
            foreach (var header in content.Headers)
            {
                headers[header.Key] = string.Join(", ", header.Value);
            }

            body = await content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }

        var recorded = new RecordedRequest(Interlocked.Increment(ref _requestCount), request.Method, request.RequestUri!, headers, body);
        _requests.Enqueue(recorded);
        return recorded;
    }
}
