using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StreamingAgents.Agents;
using StreamingAgents.Http;
using StreamingAgents.Tests.TestSupport;

namespace StreamingAgents.Tests.Hardening;

/// <summary>
/// Every bad setting is reported at startup, each as a whole sentence naming it, and the sentences read as text:
/// OptionsValidationException joins separate failures with "; ", which after a full stop gives ".;".
/// </summary>
public sealed class OptionsErrorTextTests
{
    [Fact]
    public void AddStreamingAgents_TwoBadRunnerSettings_OneReadableMessageNamingBoth()
    {
        var services = new ServiceCollection();
        services.AddStreamingAgents(o => o.ApiKey = ClientFactory.ApiKey).ConfigureRunner(o =>
        {
            o.MaxTurns = 0;
            o.MaxConcurrentTools = -2;
        });
        using ServiceProvider provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal(typeof(AgentRunnerOptions), error.OptionsType);
        Assert.Contains("AgentRunnerOptions.MaxTurns must be at least 1; it is 0.", error.Message, StringComparison.Ordinal);
        Assert.Contains("AgentRunnerOptions.MaxConcurrentTools must be at least 1; it is -2.", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(".;", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddStreamingAgents_TwoBadClientSettings_OneReadableMessageNamingBoth()
    {
        var services = new ServiceCollection();
        services.AddStreamingAgents(o =>
        {
            o.ApiKey = ClientFactory.ApiKey;
            o.MaxTokens = 0;
            o.MaxRetries = 11;
        });
        using ServiceProvider provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal(typeof(AnthropicClientOptions), error.OptionsType);
        Assert.Contains("AnthropicClientOptions.MaxTokens must be positive; it is 0.", error.Message, StringComparison.Ordinal);
        Assert.Contains("AnthropicClientOptions.MaxRetries must be between 0 and 10; it is 11.", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(".;", error.Message, StringComparison.Ordinal);
    }
}
