using StreamingAgents.Tests.TestSupport;
using StreamingAgents.Tools;

namespace StreamingAgents.Tests.Hardening;

/// <summary>AgentTool.Create reaches every setting a subclass can set, with the same checks.</summary>
public sealed class AgentToolCreateSettingsTests
{
    [Fact]
    public void Create_EverySetting_IsApplied()
    {
        AgentTool tool = AgentTool.Create(
            "deploy",
            "Deploys a build.",
            TestJsonContext.Default.EmptyInput,
            (_, _) => ValueTask.FromResult(ToolResult.Text("deployed")),
            statusLabel: "🚀 Deploying…",
            isReadOnly: true,
            runsAlone: true,
            timeout: TimeSpan.FromSeconds(42));

        Assert.Equal(("deploy", "🚀 Deploying…", true, true, TimeSpan.FromSeconds(42)), (tool.Name, tool.StatusLabel, tool.IsReadOnly, tool.RunsAlone, tool.Timeout));
    }

    [Fact]
    public void Create_InfiniteTimeout_IsAccepted()
    {
        AgentTool tool = AgentTool.Create("wait", "Waits.", TestJsonContext.Default.EmptyInput, (_, _) => ValueTask.FromResult(ToolResult.Text("ok")), timeout: Timeout.InfiniteTimeSpan);

        Assert.Equal(Timeout.InfiniteTimeSpan, tool.Timeout);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(-50_000_000L)]
    public void Create_TimeoutZeroOrNegative_ThrowsArgumentOutOfRange(long ticks)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => AgentTool.Create(
            "deploy", "Deploys a build.", TestJsonContext.Default.EmptyInput, (_, _) => ValueTask.FromResult(ToolResult.Text("deployed")), timeout: TimeSpan.FromTicks(ticks)));

        Assert.Equal("Timeout", error.ParamName);
    }
}
