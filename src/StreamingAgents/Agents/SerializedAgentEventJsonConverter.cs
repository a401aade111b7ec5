using System.Text.Json;
using System.Text.Json.Serialization;

namespace StreamingAgents.Agents;

/// <summary>
/// Writes a <see cref="SerializedAgentEvent"/> as the event's own JSON object (not as a record with a byte array), so
/// it can be returned from an API or streamed through SignalR as it is; reads one from an event's JSON.
/// </summary>
internal sealed class SerializedAgentEventJsonConverter : JsonConverter<SerializedAgentEvent>
{
    public override SerializedAgentEvent Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        SerializedAgentEvent.From(JsonSerializer.Deserialize(ref reader, AgentJsonContext.Default.AgentEvent) ?? throw new JsonException("An agent event is expected."));

    public override void Write(Utf8JsonWriter writer, SerializedAgentEvent value, JsonSerializerOptions options) =>
        writer.WriteRawValue(value.Utf8Json.Span, skipInputValidation: true);
}
