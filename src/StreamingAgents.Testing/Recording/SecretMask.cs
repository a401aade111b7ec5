using System.Text;

namespace StreamingAgents.Testing.Recording;

/// <summary>
/// Keeps a request's credentials out of a recording: the values of every header not known to be public (the API key,
/// a gateway's token, a cookie) are masked wherever they appear, also when a server echoes them back.
/// </summary>
internal sealed class SecretMask
{
    public const string Redacted = "[REDACTED]";

    private static readonly HashSet<string> s_publicHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "anthropic-version", "anthropic-beta", "Accept", "Accept-Encoding", "Content-Type", "Content-Length", "User-Agent",
        "Host", "Connection", "traceparent", "tracestate", "baggage", "Request-Id",
    };

    /// <summary>Shorter values are not masked: removing "true" or "2" from a body would garble it, and no key is that short.</summary>
    private const int MinSecretLength = 8;

    private readonly string[] _secrets;
    private readonly byte[][] _secretBytes;

    public SecretMask(HttpRequestMessage request)
    {
        var secrets = new List<string>();
        IEnumerable<KeyValuePair<string, IEnumerable<string>>> headers = request.Headers;
        foreach ((string name, IEnumerable<string> values) in request.Content is null ? headers : headers.Concat(request.Content.Headers))
        {
            if (IsPublic(name))
            {
                continue;
            }

            foreach (string value in values.Where(static value => value.Length >= MinSecretLength))
            {
                secrets.Add(value);
                int space = value.IndexOf(' ', StringComparison.Ordinal); // "Bearer abc…": the credential alone may be echoed
                if (space > 0 && value.Length - space - 1 >= MinSecretLength)
                {
                    secrets.Add(value[(space + 1)..]);
                }
            }
        }

        _secrets = [.. secrets.Distinct(StringComparer.Ordinal).OrderByDescending(static secret => secret.Length)];
        _secretBytes = [.. _secrets.Select(Encoding.UTF8.GetBytes)];
    }

    public static bool IsPublic(string headerName) => s_publicHeaders.Contains(headerName);

    public string Mask(string text)
    {
        foreach (string secret in _secrets)
        {
            text = text.Replace(secret, Redacted, StringComparison.Ordinal);
        }

        return text;
    }

    /// <summary>Overwrites each secret in <paramref name="bytes"/> with as many <c>*</c>, so read sizes stay true.</summary>
    public void MaskInPlace(Span<byte> bytes)
    {
        foreach (byte[] secret in _secretBytes)
        {
            for (int start = 0, found; (found = bytes[start..].IndexOf(secret)) >= 0; start += found + secret.Length)
            {
                bytes.Slice(start + found, secret.Length).Fill((byte)'*');
            }
        }
    }
}
