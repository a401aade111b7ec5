using System.Net;

namespace StreamingAgents.Events;

/// <summary>
/// An error reported by the Anthropic API: an HTTP error status, or an <c>error</c> event in the middle of a stream
/// (then <see cref="StatusCode"/> is <see langword="null"/>).
/// </summary>
public sealed class AnthropicApiException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="errorType">The API's error type, for example <c>overloaded_error</c>.</param>
    /// <param name="apiMessage">The API's description of the error.</param>
    /// <param name="statusCode">The HTTP status, or <see langword="null"/> for an error event mid-stream.</param>
    /// <param name="requestId">The <c>request-id</c> the API assigned, if known.</param>
    /// <param name="innerException">The underlying exception, if any.</param>
    public AnthropicApiException(string errorType, string apiMessage, HttpStatusCode? statusCode = null, string? requestId = null, Exception? innerException = null)
        : base(FormatMessage(errorType, apiMessage, statusCode, requestId), innerException)
    {
        ErrorType = errorType ?? string.Empty;
        ApiMessage = apiMessage ?? string.Empty;
        StatusCode = statusCode;
        RequestId = requestId;
    }

    /// <summary>Gets the API's error type, for example <c>overloaded_error</c> or <c>invalid_request_error</c>.</summary>
    public string ErrorType { get; }

    /// <summary>Gets the API's own description of the error.</summary>
    public string ApiMessage { get; }

    /// <summary>Gets the HTTP status code, or <see langword="null"/> when the error arrived as a stream event.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>Gets the request ID to quote to Anthropic support, if known.</summary>
    public string? RequestId { get; init; }

    /// <summary>Gets the delay the API asked for before a retry (<c>retry-after</c>), if it sent one.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Gets the server's <c>x-should-retry</c> verdict, which overrides the status code's.</summary>
    internal bool? ServerSaysRetry { get; init; }

    /// <summary>Creates the exception for an <c>error</c> event received mid-stream.</summary>
    /// <param name="errorEvent">The event.</param>
    /// <param name="requestId">The request ID of the response that carried it, if known.</param>
    /// <returns>The exception.</returns>
    public static AnthropicApiException FromErrorEvent(ErrorEvent errorEvent, string? requestId = null)
    {
        ArgumentNullException.ThrowIfNull(errorEvent);
        return new AnthropicApiException(errorEvent.Error.Type, errorEvent.Error.Message, statusCode: null, requestId);
    }

    private static string FormatMessage(string errorType, string apiMessage, HttpStatusCode? statusCode, string? requestId)
    {
        string where = statusCode is { } status ? $"HTTP {(int)status}" : "error event in the stream";
        string request = requestId is null ? string.Empty : $", request-id {requestId}";
        return $"Anthropic API error '{errorType}' ({where}{request}): {apiMessage}";
    }
}
