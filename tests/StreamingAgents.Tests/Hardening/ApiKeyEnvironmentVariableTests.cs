using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StreamingAgents.Http;
using StreamingAgents.Testing.Http;
using StreamingAgents.Tests.TestSupport;

namespace StreamingAgents.Tests.Hardening;

/// <summary>
/// The ANTHROPIC_API_KEY fallback, set with a trailing newline (as `export KEY=$(cat file)` often leaves it). The
/// variable is process-wide, so these tests run in a collection that never runs alongside another.
/// </summary>
[Collection(ProcessWideState.Name)]
public sealed class ApiKeyEnvironmentVariableTests
{
    private const string Variable = AnthropicClientOptions.ApiKeyEnvironmentVariable;

    [Fact]
    public void Validate_EnvironmentKeyWithTrailingNewline_ReportsApiKeyAndTheVariableWithoutEchoingTheKey()
    {
        WithEnvironmentKey(ClientFactory.ApiKey + "\n", () =>
        {
            IReadOnlyList<string> problems = new AnthropicClientOptions().Validate();

            string problem = Assert.Single(problems);
            Assert.Contains("ApiKey", problem, StringComparison.Ordinal);
            Assert.Contains(Variable, problem, StringComparison.Ordinal);
            Assert.DoesNotContain(ClientFactory.ApiKey, problem, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Constructor_EnvironmentKeyWithTrailingNewline_ThrowsArgumentException()
    {
        WithEnvironmentKey(ClientFactory.ApiKey + "\n", () =>
        {
            var handler = new FakeAnthropicHandler();

            var error = Assert.Throws<ArgumentException>(() => new AnthropicClient(new HttpClient(handler), new AnthropicClientOptions()));

            Assert.Contains("ApiKey", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(ClientFactory.ApiKey, error.Message, StringComparison.Ordinal);
            Assert.Empty(handler.Requests);
        });
    }

    [Fact]
    public void AddStreamingAgents_EnvironmentKeyWithTrailingNewline_FailsAtStartupNamingApiKey()
    {
        WithEnvironmentKey(ClientFactory.ApiKey + "\r\n", () =>
        {
            var services = new ServiceCollection();
            services.AddStreamingAgents();
            using ServiceProvider provider = services.BuildServiceProvider();

            var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

            Assert.Contains("ApiKey", error.Message, StringComparison.Ordinal);
            Assert.Contains(Variable, error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(ClientFactory.ApiKey, error.Message, StringComparison.Ordinal);
        });
    }

    private static void WithEnvironmentKey(string value, Action test)
    {
        string? saved = Environment.GetEnvironmentVariable(Variable);
        Environment.SetEnvironmentVariable(Variable, value);
        try
        {
            test();
        }
        finally
        {
            Environment.SetEnvironmentVariable(Variable, saved);
        }
    }
}
