using System.Text.Json;

namespace StreamingAgents.Json;

/// <summary>Shared immutable JSON values.</summary>
internal static class JsonElements
{
    public static JsonElement EmptyObject { get; } = Parse("{}"u8);

    public static JsonElement EmptyArray { get; } = Parse("[]"u8);

    private static JsonElement Parse(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json);
        return JsonElement.ParseValue(ref reader);
    }
}
