using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using StreamingAgents.Events;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Streams;
using StreamingAgents.Testing.Transcripts;

namespace StreamingAgents.Testing.Http;

/// <summary>
/// A fake Claude that answers each request with a function of the request, so it serves any number of runs, also
/// concurrently: for example "when the last message holds a tool result, answer with text; else call the tool".
/// Bodies stream with the chunking and timing (from a <see cref="TimeProvider"/>) given.
/// </summary>
/// <remarks>
/// Use it as the primary handler of the client's <see cref="HttpClient"/>. A request body that is not a Messages API
/// request is answered with HTTP 400 and the API's error JSON, as the API would.
/// </remarks>
public sealed class ScriptedModel : HttpMessageHandler
{
    private readonly Func<MessageRequest, Transcript> _respond;
    private readonly Chunking? _chunking;
    private readonly ChunkedStreamOptions? _streamOptions;
    private readonly ConcurrentQueue<MessageRequest> _requests = new();
    private int _count;

    /// <summary>Initializes a model that answers with the transcript <paramref name="respond"/> writes for each request.</summary>
    /// <param name="respond">Writes the response to a request.</param>
    /// <param name="chunking">How each body arrives; <see langword="null"/> means in one read.</param>
    /// <param name="streamOptions">Delays (first byte, per chunk, from its <see cref="ChunkedStreamOptions.TimeProvider"/>) and faults.</param>
    public ScriptedModel(Func<MessageRequest, TranscriptBuilder> respond, Chunking? chunking = null, ChunkedStreamOptions? streamOptions = null)
    {
        ArgumentNullException.ThrowIfNull(respond);
        _respond = request => respond(request).Build();
        _chunking = chunking;
        _streamOptions = streamOptions;
    }

    /// <summary>Gets the requests received so far, in the order they arrived.</summary>
    public IReadOnlyList<MessageRequest> Requests => [.. _requests];

    /// <inheritdoc/>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        int number = Interlocked.Increment(ref _count);
        string requestId = $"req_scripted_{number:D4}";
        MessageRequest? parsed;
        try
        {
            byte[] body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            parsed = JsonSerializer.Deserialize(body, AnthropicJsonContext.Default.MessageRequest);
        }
        catch (JsonException exception)
        {
            return WithRequest(FakeResponses.Error(HttpStatusCode.BadRequest, "invalid_request_error", $"The body is not a Messages API request: {exception.Message}", requestId: requestId), request);
        }

        if (parsed is null)
        {
            return WithRequest(FakeResponses.Error(HttpStatusCode.BadRequest, "invalid_request_error", "The body is empty.", requestId: requestId), request);
        }

        _requests.Enqueue(parsed);
        Transcript transcript = _respond(parsed);
        return WithRequest(FakeResponses.Stream(transcript, _chunking, _streamOptions, requestId), request);
    }

    private static HttpResponseMessage WithRequest(HttpResponseMessage response, HttpRequestMessage request)
    {
        response.RequestMessage = request;
        return response;
    }
}
