using System.Text.Json;
using System.Text.Json.Nodes;
using StreamingAgents.Events;
using StreamingAgents.Json;
using StreamingAgents.Messages;

namespace StreamingAgents.Tests.TestSupport;

/// <summary>Loads the recorded-style transcripts in Fixtures/ and compares messages as JSON.</summary>
internal static class Fixture
{
    public static byte[] Bytes(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));

    public static JsonNode Json(string name) => JsonNode.Parse(Bytes(name))!;

    public static JsonNode ToJson(Message message) =>
        JsonNode.Parse(JsonSerializer.Serialize(message, AnthropicJsonContext.Default.Message))!;

    public static void AssertJsonEqual(JsonNode expected, JsonNode actual, string because = "")
    {
        Assert.True(JsonNode.DeepEquals(expected, actual), $"{because}\nexpected: {expected.ToJsonString()}\nactual:   {actual.ToJsonString()}");
    }
}
