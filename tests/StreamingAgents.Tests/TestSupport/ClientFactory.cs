using StreamingAgents.Http;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Http;

namespace StreamingAgents.Tests.TestSupport;

/// <summary>Builds an <see cref="AnthropicClient"/> over a fake handler (a <see cref="FakeAnthropicHandler"/> or any other), with fast retries.</summary>
internal static class ClientFactory
{
    public const string ApiKey = "sk-ant-test-SECRET-0123456789";

    public static AnthropicClient Create(HttpMessageHandler handler, Action<AnthropicClientOptions>? configure = null, TimeProvider? time = null)
    {
        var options = new AnthropicClientOptions
        {
            ApiKey = ApiKey,
            BaseUrl = new Uri("https://api.test.invalid"),
            InitialRetryDelay = TimeSpan.FromMilliseconds(1),
            MaxRetryDelay = TimeSpan.FromMilliseconds(2),
        };
        configure?.Invoke(options);
        return new AnthropicClient(new HttpClient(handler), options, time ?? TimeProvider.System);
    }

    public static MessageRequest Hello { get; } = new() { Messages = [MessageParam.User("Hello")] };
}
