using System.Text.Json;
using StreamingAgents.Tests.TestSupport;
using StreamingAgents.Tools;

namespace StreamingAgents.Tests.Tools;

public sealed class ToolInputValidatorTests
{
    private const string Schema = """
        {
          "type": "object",
          "properties": {
            "order_id": { "type": "string" },
            "limit": { "type": "integer" },
            "ratio": { "type": ["number", "null"] },
            "mode": { "enum": ["fast", "thorough"] },
            "items": { "type": "array", "items": { "type": "object", "properties": { "sku": { "type": "string" } }, "required": ["sku"] } },
            "strict": { "type": "object", "properties": { "a": { "type": "boolean" } }, "additionalProperties": false }
          },
          "required": ["order_id"]
        }
        """;

    [Theory]
    [InlineData("""{"order_id":"ORD-1"}""")]
    [InlineData("""{"order_id":"ORD-1","limit":5,"ratio":null,"mode":"fast","items":[{"sku":"A"}],"strict":{"a":true}}""")]
    [InlineData("""{"order_id":"ORD-1","limit":5.0,"ratio":0.5,"extra":"allowed"}""")]
    public void Validate_MatchingInput_HasNoProblems(string input)
    {
        Assert.Empty(Validate(input));
    }

    [Theory]
    [InlineData("""{}""", "input.order_id: required property is missing.")]
    [InlineData("""{"order_id":42}""", "input.order_id: expected string, got the number 42.")]
    [InlineData("""{"order_id":"x","limit":2.5}""", "input.limit: expected integer, got the number 2.5.")]
    [InlineData("""{"order_id":"x","ratio":"high"}""", "input.ratio: expected number or null, got the string \"high\".")]
    [InlineData("""{"order_id":"x","mode":"slow"}""", "input.mode: \"slow\" is not one of [\"fast\", \"thorough\"].")]
    [InlineData("""{"order_id":"x","items":[{"sku":"A"},{}]}""", "input.items[1].sku: required property is missing.")]
    [InlineData("""{"order_id":"x","strict":{"b":1}}""", "input.strict.b: unknown property.")]
    [InlineData("""[1]""", "input: expected object, got an array.")]
    public void Validate_Mismatch_NamesThePathAndProblem(string input, string expected)
    {
        Assert.Contains(expected, Validate(input));
    }

    [Fact]
    public void Validate_GeneratedSchema_RequiresRequiredMembers()
    {
        using JsonDocument input = JsonDocument.Parse("""{"limit":"3"}""");

        IReadOnlyList<string> problems = ToolInputValidator.Validate(input.RootElement, TestTools.Lookup().InputSchema);

        Assert.Contains("input.query: required property is missing.", problems);
        Assert.Contains(problems, p => p.StartsWith("input.limit: expected integer", StringComparison.Ordinal));
    }

    private static IReadOnlyList<string> Validate(string input)
    {
        using JsonDocument schema = JsonDocument.Parse(Schema);
        using JsonDocument value = JsonDocument.Parse(input);
        return ToolInputValidator.Validate(value.RootElement, schema.RootElement);
    }
}
