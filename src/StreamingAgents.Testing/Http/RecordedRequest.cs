using System.Text.Json;

namespace StreamingAgents.Testing.Http;

/// <summary>A request the fake handler received, for assertions.</summary>
public sealed class RecordedRequest
{
    internal RecordedRequest(int number, HttpMethod method, Uri uri, IReadOnlyDictionary<string, string> headers, string body)
    {
        Number = number;
        Method = method;
        Uri = uri;
        Headers = headers;
        Body = body;
    }

    /// <summary>Gets the request's position among those received, from 1.</summary>
    public int Number { get; }

    /// <summary>Gets the HTTP method.</summary>
    public HttpMethod Method { get; }

    /// <summary>Gets the request URI.</summary>
    public Uri Uri { get; }

    /// <summary>Gets the request and content headers, multiple values joined with ", ", by case-insensitive name.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>Gets the request body as text.</summary>
    public string Body { get; }

    /// <summary>Parses the body as JSON.</summary>
    /// <returns>The body's root element.</returns>
    public JsonElement ParseBody()
    {
        using JsonDocument document = JsonDocument.Parse(Body);
        return document.RootElement.Clone();
    }

    /// <summary>Describes the request; the API key header is redacted.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => $"#{Number} {Method} {Uri} ({Body.Length} body chars)";
}
