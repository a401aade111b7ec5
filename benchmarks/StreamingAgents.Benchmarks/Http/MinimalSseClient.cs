using System.Net.Http.Headers;
using System.Text.Json;
using StreamingAgents.Http;

namespace StreamingAgents.Benchmarks.Http;

/// <summary>
/// What a user writes without a client library: a POST read with <see cref="HttpCompletionOption.ResponseHeadersRead"/>,
/// <c>SseParser</c> for the framing and <see cref="Utf8JsonReader"/> over each event's data, building no typed objects.
/// </summary>
internal static class MinimalSseClient
{
    private static readonly byte[] s_body = """{"model":"claude-sonnet-5-5","max_tokens":4096,"stream":true,"messages":[{"role":"user","content":"Go"}]}"""u8.ToArray();
    private static readonly MediaTypeHeaderValue s_json = new("application/json");

    /// <summary>Sends the request and returns the response once its headers have arrived.</summary>
    public static async Task<HttpResponseMessage> SendAsync(HttpClient http, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://localhost/v1/messages");
        request.Headers.Add("x-api-key", BenchmarkClients.ApiKey);
        request.Headers.Add("anthropic-version", AnthropicClientOptions.DefaultAnthropicVersion);
        request.Content = new ByteArrayContent(s_body) { Headers = { ContentType = s_json } };
        HttpResponseMessage response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        return response;
    }

    /// <summary>Tokenizes one event's JSON data and counts the tokens.</summary>
    public static int CountTokens(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        int count = 0;
        while (reader.Read())
        {
            count++;
        }

        return count;
    }

    /// <summary>Tokenizes one event's JSON data and tells whether it holds a <c>tool_use</c> string (a tool call's block).</summary>
    public static bool IsToolUse(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        bool toolUse = false;
        while (reader.Read())
        {
            toolUse |= reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("tool_use"u8);
        }

        return toolUse;
    }
}
