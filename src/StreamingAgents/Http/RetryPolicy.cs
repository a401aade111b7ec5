using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using StreamingAgents.Events;

namespace StreamingAgents.Http;

/// <summary>
/// Which failures are retried and after how long. Only failures before the first event reached the caller get
/// here; after that, retrying would repeat output the caller already has.
/// </summary>
internal static class RetryPolicy
{
    /// <summary>The longest server-requested delay honoured; longer requests fall back to the computed backoff.</summary>
    private static readonly TimeSpan s_maxServerDelay = TimeSpan.FromSeconds(60);

    public static bool IsRetryable(Exception exception, CancellationToken callerToken) => exception switch
    {
        _ when callerToken.IsCancellationRequested => false,
        AnthropicApiException { ServerSaysRetry: { } serverSays } => serverSays,
        AnthropicApiException { StatusCode: { } status } => IsRetryableStatus(status),
        AnthropicApiException api => api.ErrorType is "overloaded_error" or "api_error" or "rate_limit_error",
        HttpRequestException or IOException or StreamTruncatedException or StreamTimeoutException => true,
        OperationCanceledException { InnerException: TimeoutException } => true, // HttpClient.Timeout, not the caller
        _ => false,
    };

    public static bool IsRetryableStatus(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.Conflict or HttpStatusCode.TooManyRequests || (int)status >= 500;

    /// <summary>The server's <c>retry-after-ms</c> or <c>retry-after</c>, if present and reasonable.</summary>
    public static TimeSpan? GetServerDelay(HttpResponseHeaders headers, TimeProvider timeProvider)
    {
        TimeSpan? delay = null;
        if (headers.TryGetValues("retry-after-ms", out IEnumerable<string>? milliseconds)
            && double.TryParse(milliseconds.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out double ms))
        {
            delay = TimeSpan.FromMilliseconds(ms);
        }
        else if (headers.RetryAfter is { } retryAfter)
        {
            delay = retryAfter.Delta ?? (retryAfter.Date - timeProvider.GetUtcNow());
        }

        return delay is { } value && value > TimeSpan.Zero && value <= s_maxServerDelay ? value : null;
    }

    /// <summary>Exponential backoff with jitter: initial × 2^retry, capped, then reduced by up to a quarter.</summary>
    public static TimeSpan GetDelay(int retry, Exception exception, AnthropicClientOptions options)
    {
        if (exception is AnthropicApiException { RetryAfter: { } serverDelay })
        {
            return serverDelay;
        }

        double backoff = Math.Min(options.InitialRetryDelay.TotalMilliseconds * Math.Pow(2, retry), options.MaxRetryDelay.TotalMilliseconds);
        double jitter = 1 - (Random.Shared.NextDouble() * 0.25);
        return TimeSpan.FromMilliseconds(backoff * jitter);
    }
}
