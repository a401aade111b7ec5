using System.Text.Json;
using StreamingAgents.Tests.TestSupport;
using StreamingAgents.Tools;

namespace StreamingAgents.Tests.Hardening;

/// <summary>Tool names and timeouts are checked where a tool is built, whichever way it is built.</summary>
public sealed class AgentToolSettingsTests
{
    private static readonly JsonElement s_emptySchema = JsonDocument.Parse("""{"type":"object","properties":{}}""").RootElement.Clone();

    [Fact]
    public void Constructor_NameWithTrailingLineBreak_ThrowsArgumentException()
    {
        foreach (string name in new[] { "search\n", "search\r\n", "search\n\n" })
        {
            var error = Assert.Throws<ArgumentException>(() => new SchemaTool(name));
            Assert.Equal("name", error.ParamName);
        }

        Assert.Equal("search", new SchemaTool("search").Name);
    }

    [Fact]
    public void Create_NameWithTrailingNewline_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => AgentTool.Create("search\n", "Searches.", TestJsonContext.Default.EmptyInput, (_, _) => ValueTask.FromResult(ToolResult.Text("ok"))));
        Assert.Equal("search", AgentTool.Create("search", "Searches.", TestJsonContext.Default.EmptyInput, (_, _) => ValueTask.FromResult(ToolResult.Text("ok"))).Name);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    public void Timeout_ZeroOrNegativeSetBySubclass_ThrowsArgumentOutOfRange(long ticks)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SchemaTool("search", TimeSpan.FromTicks(ticks)));
        Assert.Equal(Timeout.InfiniteTimeSpan, new SchemaTool("search", Timeout.InfiniteTimeSpan).Timeout);
    }

    private sealed class SchemaTool : AgentTool
    {
        public SchemaTool(string name, TimeSpan? timeout = null)
            : base(name, "A tool under test.", s_emptySchema)
        {
            Timeout = timeout;
        }

        public override ValueTask<ToolResult> ExecuteAsync(JsonElement input, ToolContext context) => ValueTask.FromResult(ToolResult.Text("ok"));
    }
}
