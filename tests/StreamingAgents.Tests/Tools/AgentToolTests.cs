using System.Text.Json;
using StreamingAgents.Messages;
using StreamingAgents.Tests.TestSupport;
using StreamingAgents.Tools;

namespace StreamingAgents.Tests.Tools;

public sealed class AgentToolTests
{
    [Theory]
    [InlineData("search_orders")]
    [InlineData("get-status-2")]
    [InlineData("A")]
    public void Create_ValidName_IsAccepted(string name)
    {
        Assert.Equal(name, TestTools.Lookup(name).Name);
    }

    [Theory]
    [InlineData("")]
    [InlineData("search orders")]
    [InlineData("ümlaut")]
    [InlineData("dot.name")]
    public void Create_InvalidName_ThrowsNamingTheRule(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => TestTools.Lookup(name));

        Assert.Contains("1 to 64 letters, digits, '_' or '-'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_NameOf65Characters_Throws()
    {
        Assert.Throws<ArgumentException>(() => TestTools.Lookup(new string('a', 65)));
        Assert.Equal(64, TestTools.Lookup(new string('a', 64)).Name.Length);
    }

    [Fact]
    public void InputSchema_IsGeneratedFromTheInputType()
    {
        JsonElement schema = TestTools.Lookup().InputSchema;

        Assert.Equal("object", schema.GetProperty("type").GetString());
        Assert.Equal("What to look up.", schema.GetProperty("description").GetString());
        JsonElement query = schema.GetProperty("properties").GetProperty("query");
        Assert.Equal("string", query.GetProperty("type").GetString());
        Assert.Equal("The search text.", query.GetProperty("description").GetString());
        Assert.Equal("The most results to return.", schema.GetProperty("properties").GetProperty("limit").GetProperty("description").GetString());
        Assert.Equal(["query"], schema.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.False(schema.TryGetProperty("$schema", out _));
    }

    [Fact]
    public async Task ExecuteAsync_TypedInput_IsDeserializedWithTheContext()
    {
        LookupInput? seen = null;
        var tool = TestTools.Lookup(execute: (input, _) =>
        {
            seen = input;
            return ValueTask.FromResult(ToolResult.Text("ok"));
        });
        using JsonDocument input = JsonDocument.Parse("""{"query":"ORD-1","limit":3}""");

        ToolResult result = await tool.ExecuteAsync(input.RootElement, new ToolContext("toolu_1", "lookup", _ => { }, default));

        Assert.Equal(new LookupInput { Query = "ORD-1", Limit = 3 }, seen);
        Assert.Equal("ok", result.Content);
    }

    [Fact]
    public async Task ExecuteAsync_InputOfWrongShape_ReturnsErrorResult()
    {
        using JsonDocument input = JsonDocument.Parse("""{"limit":"many"}""");

        ToolResult result = await TestTools.Lookup().ExecuteAsync(input.RootElement, new ToolContext("t", "lookup", _ => { }, default));

        Assert.True(result.IsError);
        Assert.Contains("does not fit tool 'lookup'", result.Content, StringComparison.Ordinal);
    }

    [Fact]
    public void ToDefinition_HasNameDescriptionAndSchema()
    {
        ToolDefinition definition = TestTools.Lookup().ToDefinition();

        Assert.Equal(("lookup", "Looks things up (lookup)."), (definition.Name, definition.Description));
        Assert.Null(definition.Type);
        Assert.Equal("object", definition.InputSchema!.Value.GetProperty("type").GetString());
    }

    [Fact]
    public void ToolResult_Factories_SetContentAndError()
    {
        using JsonDocument json = JsonDocument.Parse("""{"a":1}""");

        Assert.Equal(("hi", false), (ToolResult.Text("hi").Content, ToolResult.Text("hi").IsError));
        Assert.Equal("""{"a":1}""", ToolResult.Json(json.RootElement).Content);
        Assert.Equal("""{"query":"x","limit":null}""", ToolResult.Json(new LookupInput { Query = "x" }, TestJsonContext.Default.LookupInput).Content);
        Assert.True(ToolResult.Error("nope").IsError);
    }

    [Fact]
    public void ToolContext_ReportStatus_ReachesTheRunner()
    {
        var reported = new List<string>();
        var context = new ToolContext("toolu_1", "lookup", reported.Add, default);

        context.ReportStatus("Halfway there");

        Assert.Equal(["Halfway there"], reported);
    }
}
