using System.Text.Json;
using System.Text.Json.Serialization;

namespace StreamingAgents.Messages;

/// <summary>Reads and writes <see cref="StopReason"/> as its string; any value round-trips.</summary>
internal sealed class StopReasonJsonConverter : JsonConverter<StopReason>
{
    public override StopReason Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        new(reader.GetString() ?? throw new JsonException("A stop reason must be a string."));

    public override void Write(Utf8JsonWriter writer, StopReason value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Value);
}
