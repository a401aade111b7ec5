using System.Net;
using RichardSzalay.MockHttp;
using StreamingAgents.Testing.Streams;
using StreamingAgents.Testing.Transcripts;

namespace StreamingAgents.Testing.Http;

/// <summary>Answers RichardSzalay.MockHttp requests the way the Messages API does.</summary>
public static class MockHttpExtensions
{
    /// <summary>Responds to the matched request by streaming a transcript (a fresh stream per request).</summary>
    /// <param name="request">The mocked request.</param>
    /// <param name="transcript">The SSE to stream.</param>
    /// <param name="chunking">How the body arrives.</param>
    /// <param name="streamOptions">Delays and faults of the body.</param>
    /// <returns>The mocked request.</returns>
    public static MockedRequest RespondWithTranscript(this MockedRequest request, Transcript transcript, Chunking? chunking = null, ChunkedStreamOptions? streamOptions = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(transcript);
        request.Respond(_ => FakeResponses.Stream(transcript, chunking, streamOptions));
        return request;
    }

    /// <summary>Responds to the matched request with an API error.</summary>
    /// <param name="request">The mocked request.</param>
    /// <param name="status">The status, for example 429.</param>
    /// <param name="errorType">The error type, for example <c>rate_limit_error</c>.</param>
    /// <param name="message">The error message.</param>
    /// <param name="retryAfter">Sent as <c>retry-after</c> and <c>retry-after-ms</c>.</param>
    /// <returns>The mocked request.</returns>
    public static MockedRequest RespondWithApiError(this MockedRequest request, HttpStatusCode status, string errorType, string message, TimeSpan? retryAfter = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Respond(_ => FakeResponses.Error(status, errorType, message, retryAfter));
        return request;
    }
}
