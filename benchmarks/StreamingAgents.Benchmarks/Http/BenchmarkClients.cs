using StreamingAgents.Http;
using StreamingAgents.Messages;

namespace StreamingAgents.Benchmarks.Http;

/// <summary>The library's client as the benchmarks configure it: a fake key, a local address, default liveness timeouts.</summary>
internal static class BenchmarkClients
{
    public const string ApiKey = "sk-ant-benchmark-not-a-key";

    /// <summary>A one-message request; the client fills in the model and the token limit.</summary>
    public static MessageRequest Request { get; } = new() { Messages = [MessageParam.User("Go")] };

    /// <summary>
    /// A client over <paramref name="http"/>. <see cref="AnthropicClientOptions.IdleTimeout"/> and
    /// <see cref="AnthropicClientOptions.StallTimeout"/> keep their defaults, so the liveness timeouts are on.
    /// </summary>
    public static AnthropicClient Create(HttpClient http) =>
        new(http, new AnthropicClientOptions { ApiKey = ApiKey, BaseUrl = new Uri("http://localhost") });

    /// <summary>Reads a stream of items to its end and counts them: what every throughput row does with its items.</summary>
    public static async Task<int> CountAsync<T>(IAsyncEnumerable<T> items)
    {
        int count = 0;
        await foreach (T item in items)
        {
            count++;
        }

        return count;
    }
}
