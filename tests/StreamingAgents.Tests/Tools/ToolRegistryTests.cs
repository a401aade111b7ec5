using Microsoft.Extensions.DependencyInjection;
using StreamingAgents.Tests.TestSupport;
using StreamingAgents.Tools;

namespace StreamingAgents.Tests.Tools;

public sealed class ToolRegistryTests
{
    [Fact]
    public void Add_DuplicateName_ThrowsNamingIt()
    {
        var registry = new ToolRegistry().Add(TestTools.Lookup("search"));

        var error = Assert.Throws<ArgumentException>(() => registry.Add(TestTools.Lookup("search")));

        Assert.Contains("'search' is already registered", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryGetTool_FindsByExactName()
    {
        var registry = new ToolRegistry([TestTools.Lookup("a"), TestTools.Lookup("b")]);

        Assert.True(registry.TryGetTool("b", out AgentTool? tool));
        Assert.Equal("b", tool.Name);
        Assert.False(registry.TryGetTool("B", out _));
        Assert.Equal(["a", "b"], registry.Tools.Select(t => t.Name));
    }

    [Fact]
    public void AddStreamingAgents_ToolsFromCodeAndClasses_FillTheRegistry()
    {
        var services = new ServiceCollection();
        services.AddStreamingAgents(o => o.ApiKey = ClientFactory.ApiKey).AddTool(TestTools.Lookup("from_code")).AddTool<ClockTool>();
        using ServiceProvider provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        using IServiceScope run = provider.CreateScope(); // the registry is scoped: each run resolves its own

        IToolRegistry registry = run.ServiceProvider.GetRequiredService<IToolRegistry>();

        Assert.Equal(["from_code", "clock"], registry.Tools.Select(t => t.Name));
        Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IToolRegistry>()); // not from the root
    }

    [Fact]
    public void AddStreamingAgents_DuplicateToolNames_FailWhenResolved()
    {
        var services = new ServiceCollection();
        services.AddStreamingAgents(o => o.ApiKey = ClientFactory.ApiKey).AddTool(TestTools.Lookup("clock")).AddTool<ClockTool>();
        using ServiceProvider provider = services.BuildServiceProvider();
        using IServiceScope run = provider.CreateScope();

        var error = Assert.Throws<ArgumentException>(() => run.ServiceProvider.GetRequiredService<IToolRegistry>());

        Assert.Contains("'clock' is already registered", error.Message, StringComparison.Ordinal);
    }

    private sealed class ClockTool() : AgentTool<EmptyInput>("clock", "Tells the time.", TestJsonContext.Default.EmptyInput)
    {
        protected override ValueTask<ToolResult> ExecuteAsync(EmptyInput input, ToolContext context) =>
            ValueTask.FromResult(ToolResult.Text("12:00"));
    }
}
