using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StreamingAgents.Http;
using StreamingAgents.Testing.Http;
using StreamingAgents.Tests.TestSupport;

namespace StreamingAgents.Tests.Hardening;

/// <summary>
/// A key with whitespace (a trailing newline from a secrets file, most often) cannot be sent as a header. It must
/// fail validation up front, naming ApiKey and never echoing the key, instead of a FormatException at request time.
/// </summary>
public sealed class ApiKeyValidationTests
{
    /// <summary>The part of every bad key below that must never be echoed.</summary>
    private const string SecretPart = "SECRET-0123456789";

    public static TheoryData<string> MalformedKeys() => new()
    {
        ClientFactory.ApiKey + "\n",
        ClientFactory.ApiKey + "\r\n",
        "sk-ant-test " + SecretPart,
        "sk-ant-test\t" + SecretPart,
    };

    [Theory]
    [MemberData(nameof(MalformedKeys))]
    public void Validate_KeyWithWhitespace_ReportsApiKeyWithoutEchoingIt(string key)
    {
        var options = new AnthropicClientOptions { ApiKey = key };

        IReadOnlyList<string> problems = options.Validate();

        string problem = Assert.Single(problems);
        Assert.Contains("ApiKey", problem, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretPart, problem, StringComparison.Ordinal);
        Assert.DoesNotContain(key.Trim(), problem, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(MalformedKeys))]
    public void Constructor_KeyWithWhitespace_ThrowsArgumentExceptionBeforeAnyRequest(string key)
    {
        var handler = new FakeAnthropicHandler();
        var options = new AnthropicClientOptions { ApiKey = key, BaseUrl = new Uri("https://api.test.invalid") };

        var error = Assert.Throws<ArgumentException>(() => new AnthropicClient(new HttpClient(handler), options));

        Assert.Contains("ApiKey", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretPart, error.ToString(), StringComparison.Ordinal);
        Assert.Empty(handler.Requests);
    }

    [Theory]
    [MemberData(nameof(MalformedKeys))]
    public void AddStreamingAgents_KeyWithWhitespace_EveryWayInFailsOptionsValidationNamingApiKey(string key)
    {
        var services = new ServiceCollection();
        services.AddStreamingAgents(o => o.ApiKey = key);
        using ServiceProvider provider = services.BuildServiceProvider();

        var atStartup = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        var fromOptions = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<AnthropicClientOptions>>().Value);
        var fromClient = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IAnthropicClient>());

        foreach (OptionsValidationException error in new[] { atStartup, fromOptions, fromClient })
        {
            Assert.Equal(typeof(AnthropicClientOptions), error.OptionsType);
            Assert.Contains("ApiKey", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(SecretPart, error.Message, StringComparison.Ordinal);
        }
    }
}
