using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StreamingAgents.Agents;
using StreamingAgents.Tests.TestSupport;

namespace StreamingAgents.Tests.Hardening;

/// <summary>Two tools with one name are a configuration error the host must see at startup, not at the first run.</summary>
public sealed class DuplicateToolStartupTests
{
    [Fact]
    public void StartupValidator_TwoToolsWithOneName_FailsNamingTheToolBeforeTheRunnerIsResolved()
    {
        var services = new ServiceCollection();
        services.AddStreamingAgents(o => o.ApiKey = ClientFactory.ApiKey)
            .AddTool(TestTools.Lookup("search_orders"))
            .AddTool(TestTools.Lookup("search_orders", isReadOnly: false));
        using ServiceProvider provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("'search_orders'", error.Message, StringComparison.Ordinal);
        Assert.Equal(typeof(AgentRunnerOptions), error.OptionsType);
    }
}
