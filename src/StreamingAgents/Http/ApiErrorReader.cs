using System.Net;
using System.Text;
using System.Text.Json;
using StreamingAgents.Events;

namespace StreamingAgents.Http;

/// <summary>Turns an HTTP error response into <see cref="AnthropicApiException"/>.</summary>
internal static class ApiErrorReader
{
    private const int MaxBodyBytes = 64 * 1024;
    private const int MaxExcerptLength = 500;

    /// <summary>Reads the error; <paramref name="scrubber"/> removes secrets a server or proxy may echo in it.</summary>
    public static async Task<AnthropicApiException> ReadAsync(HttpResponseMessage response, TimeProvider timeProvider, SecretScrubber scrubber, CancellationToken cancellationToken)
    {
        byte[] body = await ReadBoundedAsync(response.Content, cancellationToken).ConfigureAwait(false);
        string? requestId = response.Headers.TryGetValues("request-id", out IEnumerable<string>? ids) ? ids.FirstOrDefault() : null;
        (string errorType, string message, string? bodyRequestId) = Parse(body, response.StatusCode, response.ReasonPhrase, scrubber);
        bool? serverSaysRetry = response.Headers.TryGetValues("x-should-retry", out IEnumerable<string>? values)
            ? string.Equals(values.FirstOrDefault(), "true", StringComparison.OrdinalIgnoreCase)
            : null;

        return new AnthropicApiException(errorType, message, response.StatusCode, scrubber.ScrubOrNull(requestId ?? bodyRequestId))
        {
            RetryAfter = RetryPolicy.GetServerDelay(response.Headers, timeProvider),
            ServerSaysRetry = serverSaysRetry,
        };
    }

    /// <summary>The error's type, message and request ID, secrets removed before anything is cut short.</summary>
    private static (string ErrorType, string Message, string? RequestId) Parse(byte[] body, HttpStatusCode status, string? reason, SecretScrubber scrubber)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(body);
            JsonElement root = document.RootElement;
            string? requestId = root.TryGetProperty("request_id", out JsonElement id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
            if (root.TryGetProperty("error", out JsonElement error) && error.ValueKind == JsonValueKind.Object)
            {
                string type = error.TryGetProperty("type", out JsonElement t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "unknown_error";
                string message = error.TryGetProperty("message", out JsonElement m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : string.Empty;
                return (scrubber.Scrub(type), scrubber.Scrub(message), scrubber.ScrubOrNull(requestId));
            }
        }
        catch (JsonException)
        {
            // Not the API's JSON (a proxy's page, for example): report the text itself.
        }

        string text = scrubber.Scrub(Encoding.UTF8.GetString(body));
        if (body.Length >= MaxBodyBytes)
        {
            text = scrubber.ScrubCutEnd(text); // cut at the read limit, perhaps inside a secret
        }

        text = text.Trim();
        return ("http_error", text.Length > 0 ? text[..Math.Min(text.Length, MaxExcerptLength)] : $"{(int)status} {reason}", null);
    }

    private static async Task<byte[]> ReadBoundedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        // WaitAsync: a body that ignores cancellation must not hold the caller; these buffers are ours to abandon.
        Stream stream = await content.ReadAsStreamAsync(cancellationToken).WaitOrAbandonAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            byte[] buffer = new byte[MaxBodyBytes];
            int total = 0;
            int read;
            while (total < buffer.Length
                && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).AsTask().WaitOrAbandonAsync(cancellationToken).ConfigureAwait(false)) > 0)
            {
                total += read;
            }

            return buffer[..total];
        }
    }
}
