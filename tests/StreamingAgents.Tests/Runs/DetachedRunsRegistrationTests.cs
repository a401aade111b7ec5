using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StreamingAgents.Agents;
using StreamingAgents.Messages;
using StreamingAgents.Runs;
using StreamingAgents.Testing.Http;
using StreamingAgents.Testing.Transcripts;
using StreamingAgents.Tests.TestSupport;

namespace StreamingAgents.Tests.Runs;

public sealed class DetachedRunsRegistrationTests
{
    [Fact]
    public async Task AddDetachedRuns_ManagerAndInMemoryStore_RunEndToEnd()
    {
        var handler = new FakeAnthropicHandler().RespondWith(new TranscriptBuilder().Text("Hi.").Stop(StopReason.EndTurn));
        var services = new ServiceCollection();
        services.AddStreamingAgents(o => o.ApiKey = ClientFactory.ApiKey)
            .AddDetachedRuns(store => store.MaxLiveRuns = 3)
            .HttpClientBuilder.ConfigurePrimaryHttpMessageHandler(() => handler);
        await using ServiceProvider provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();

        AgentRunManager manager = provider.GetRequiredService<AgentRunManager>();
        AgentRunHandle run = await manager.StartAsync(new MessageRequest { Messages = [MessageParam.User("Hello")] });
        List<SerializedAgentEvent> events = await manager.SubscribeAsync(run.RunId).ToListAsync();

        Assert.IsType<InMemoryAgentRunStore>(provider.GetRequiredService<IAgentRunStore>());
        Assert.Equal(AgentEventTypes.RunCompleted, events[^1].EventType);
    }

    [Fact]
    public void AddDetachedRuns_BoundOutOfRange_FailsAtStartupNamingIt()
    {
        var services = new ServiceCollection();
        services.AddStreamingAgents(o => o.ApiKey = ClientFactory.ApiKey).AddDetachedRuns(store => store.MaxEventsPerRun = 0);
        using ServiceProvider provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("InMemoryAgentRunStoreOptions.MaxEventsPerRun must be at least 1; it is 0.", error.Message, StringComparison.Ordinal);
    }
}
