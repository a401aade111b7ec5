using StreamingAgents.Events;

namespace StreamingAgents.Http;

/// <summary>
/// Removes secrets (the API key, and the values of credential headers a handler added) from text the library
/// produces out of a server's answer: servers and proxies sometimes echo request headers in error bodies.
/// </summary>
internal sealed class SecretScrubber
{
    public const string Redacted = "[REDACTED]";

    /// <summary>Headers whose values are not secret; every other header a request carried may be (a gateway's key, a cookie).</summary>
    private static readonly HashSet<string> s_publicHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "anthropic-version", "anthropic-beta", "Accept", "Accept-Encoding", "Content-Type", "User-Agent", "Host",
        "Connection", "traceparent", "tracestate", "baggage", "Request-Id",
    };

    /// <summary>Shorter header values are left alone: removing "true" or "2" from every message would garble it.</summary>
    private const int MinHeaderSecretLength = 8;

    private readonly string[] _secrets;

    public SecretScrubber(params IEnumerable<string?> secrets)
    {
        // Longest first, so a secret that contains another is removed whole.
        _secrets = [.. secrets.Where(static s => !string.IsNullOrEmpty(s)).Distinct(StringComparer.Ordinal).OrderByDescending(static s => s!.Length)!];
    }

    /// <summary>
    /// Adds the header values actually sent with <paramref name="request"/> (handlers may have added credentials of
    /// their own), except those of headers known not to be secret.
    /// </summary>
    public SecretScrubber With(HttpRequestMessage? request)
    {
        if (request is null)
        {
            return this;
        }

        var found = new List<string>(_secrets);
        foreach ((string header, IEnumerable<string> values) in request.Headers)
        {
            if (s_publicHeaders.Contains(header))
            {
                continue;
            }

            foreach (string value in values.Where(static value => value.Length >= MinHeaderSecretLength))
            {
                found.Add(value);
                // "Bearer abc…": the credential alone may be echoed too.
                int space = value.IndexOf(' ', StringComparison.Ordinal);
                if (space > 0 && value.Length - space - 1 >= MinHeaderSecretLength)
                {
                    found.Add(value[(space + 1)..]);
                }
            }
        }

        return found.Count == _secrets.Length ? this : new SecretScrubber(found);
    }

    public string Scrub(string text)
    {
        foreach (string secret in _secrets)
        {
            if (text.Contains(secret, StringComparison.Ordinal))
            {
                text = text.Replace(secret, Redacted, StringComparison.Ordinal);
            }
        }

        return text;
    }

    public string? ScrubOrNull(string? text) => text is null ? null : Scrub(text);

    /// <summary>Removes a secret's beginning left at the end of a text that was cut short (at a read limit).</summary>
    public string ScrubCutEnd(string text)
    {
        int longest = 0;
        foreach (string secret in _secrets)
        {
            for (int length = Math.Min(secret.Length - 1, text.Length); length > longest; length--)
            {
                if (text.AsSpan(text.Length - length).SequenceEqual(secret.AsSpan(0, length)))
                {
                    longest = length;
                    break;
                }
            }
        }

        return longest == 0 ? text : string.Concat(text.AsSpan(0, text.Length - longest), Redacted);
    }

    /// <summary>Returns <paramref name="exception"/>, or a copy of it without secrets when its text holds one.</summary>
    public Exception Scrub(Exception exception) => exception switch
    {
        AnthropicApiException api when Contains(api.ErrorType, api.ApiMessage, api.RequestId) =>
            new AnthropicApiException(Scrub(api.ErrorType), Scrub(api.ApiMessage), api.StatusCode, ScrubOrNull(api.RequestId))
            {
                RetryAfter = api.RetryAfter,
                ServerSaysRetry = api.ServerSaysRetry,
            },
        StreamProtocolException protocol when Contains(protocol.Message) =>
            new StreamProtocolException(Scrub(protocol.Message), ScrubOrNull(protocol.EventType), protocol.Index),
        StreamTruncatedException truncated when Contains(truncated.Message) =>
            new StreamTruncatedException(truncated.EventCount, ScrubOrNull(truncated.EventType), truncated.PartialMessage),
        _ => exception,
    };

    private bool Contains(params ReadOnlySpan<string?> texts)
    {
        foreach (string? text in texts)
        {
            foreach (string secret in _secrets)
            {
                if (text is not null && text.Contains(secret, StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
