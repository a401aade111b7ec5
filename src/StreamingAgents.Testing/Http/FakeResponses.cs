using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using StreamingAgents.Testing.Streams;
using StreamingAgents.Testing.Transcripts;

namespace StreamingAgents.Testing.Http;

/// <summary>Builds HTTP responses shaped like the Messages API's, for fakes and MockHttp alike.</summary>
public static class FakeResponses
{
    /// <summary>Creates a 200 <c>text/event-stream</c> response that delivers a transcript.</summary>
    /// <param name="transcript">The SSE to deliver.</param>
    /// <param name="chunking">How the body arrives; <see langword="null"/> means in one read.</param>
    /// <param name="streamOptions">Delays and faults of the body.</param>
    /// <param name="requestId">The <c>request-id</c> header value.</param>
    /// <returns>A new response with a fresh body stream.</returns>
    public static HttpResponseMessage Stream(Transcript transcript, Chunking? chunking = null, ChunkedStreamOptions? streamOptions = null, string requestId = "req_fake")
    {
        ArgumentNullException.ThrowIfNull(transcript);
        return Stream(transcript.ToStream(chunking, streamOptions), requestId);
    }

    /// <summary>Creates a 200 <c>text/event-stream</c> response around a body stream.</summary>
    /// <param name="body">The SSE body; the response owns it.</param>
    /// <param name="requestId">The <c>request-id</c> header value.</param>
    /// <returns>A new response.</returns>
    public static HttpResponseMessage Stream(Stream body, string requestId = "req_fake")
    {
        ArgumentNullException.ThrowIfNull(body);
        var content = new StreamContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/event-stream") { CharSet = "utf-8" };
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
        response.Headers.Add("request-id", requestId);
        return response;
    }

    /// <summary>Creates an error response with the API's JSON error body.</summary>
    /// <param name="status">The HTTP status, for example 529 or 429.</param>
    /// <param name="errorType">The error type, for example <c>overloaded_error</c>.</param>
    /// <param name="message">The error message.</param>
    /// <param name="retryAfter">Sent as <c>retry-after</c> (whole seconds) and <c>retry-after-ms</c>.</param>
    /// <param name="shouldRetry">Sent as <c>x-should-retry</c> when set.</param>
    /// <param name="requestId">The <c>request-id</c> header value.</param>
    /// <returns>A new response.</returns>
    public static HttpResponseMessage Error(HttpStatusCode status, string errorType, string message, TimeSpan? retryAfter = null, bool? shouldRetry = null, string requestId = "req_fake")
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", "error");
            writer.WriteStartObject("error");
            writer.WriteString("type", errorType);
            writer.WriteString("message", message);
            writer.WriteEndObject();
            writer.WriteString("request_id", requestId);
            writer.WriteEndObject();
        }

        string body = Encoding.UTF8.GetString(buffer.ToArray());
        var response = new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        response.Headers.Add("request-id", requestId);
        if (retryAfter is { } delay)
        {
            response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(Math.Ceiling(delay.TotalSeconds)));
            response.Headers.Add("retry-after-ms", ((long)delay.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (shouldRetry is { } retry)
        {
            response.Headers.Add("x-should-retry", retry ? "true" : "false");
        }

        return response;
    }
}
