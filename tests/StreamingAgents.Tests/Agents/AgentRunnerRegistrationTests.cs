using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StreamingAgents.Agents;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Http;
using StreamingAgents.Testing.Transcripts;
using StreamingAgents.Tests.TestSupport;

namespace StreamingAgents.Tests.Agents;

public sealed class AgentRunnerRegistrationTests
{
    [Fact]
    public async Task AddStreamingAgents_Runner_IsResolvableAndRuns()
    {
        var handler = new FakeAnthropicHandler()
            .RespondWith(new TranscriptBuilder().ToolUse("lookup", """{"query":"x"}""").Stop(StopReason.ToolUse))
            .RespondWith(new TranscriptBuilder().Text("Done.").Stop(StopReason.EndTurn));
        var services = new ServiceCollection();
        services.AddStreamingAgents(o => o.ApiKey = ClientFactory.ApiKey)
            .AddTool(TestTools.Lookup())
            .ConfigureRunner(o => o.MaxTurns = 3)
            .HttpClientBuilder.ConfigurePrimaryHttpMessageHandler(() => handler);
        using ServiceProvider provider = services.BuildServiceProvider();

        RunCompleted result = await provider.GetRequiredService<IAgentRunner>().RunAsync("Go").ToResultAsync();

        Assert.Equal(AgentRunOutcome.Completed, result.Outcome);
        Assert.Equal("Done.", result.FinalMessage!.GetText());
        Assert.Equal(3, provider.GetRequiredService<IOptions<AgentRunnerOptions>>().Value.MaxTurns);
    }

    [Fact]
    public void AddStreamingAgents_InvalidRunnerOptions_FailAtStartup()
    {
        var services = new ServiceCollection();
        services.AddStreamingAgents(o => o.ApiKey = ClientFactory.ApiKey).ConfigureRunner(o => o.MaxConcurrentTools = 0);
        using ServiceProvider provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(error.Failures, f => f.StartsWith("AgentRunnerOptions.MaxConcurrentTools", StringComparison.Ordinal));
    }
}
