using System.Text.Json;
using StreamingAgents.Json;

namespace StreamingAgents.Events;

/// <summary>Reads and writes <see cref="StreamEvent"/> by its <c>type</c>; unknown types keep their JSON.</summary>
internal sealed class StreamEventJsonConverter : PolymorphicJsonConverter<StreamEvent>
{
    protected override StreamEvent? ReadKnown(ref Utf8JsonReader reader, string? type, JsonSerializerOptions options) => type switch
    {
        MessageStartEvent.WireType => Read<MessageStartEvent>(ref reader, options),
        ContentBlockStartEvent.WireType => Read<ContentBlockStartEvent>(ref reader, options),
        ContentBlockDeltaEvent.WireType => Read<ContentBlockDeltaEvent>(ref reader, options),
        ContentBlockStopEvent.WireType => Read<ContentBlockStopEvent>(ref reader, options),
        MessageDeltaEvent.WireType => Read<MessageDeltaEvent>(ref reader, options),
        MessageStopEvent.WireType => Read<MessageStopEvent>(ref reader, options),
        PingEvent.WireType => Read<PingEvent>(ref reader, options),
        ErrorEvent.WireType => Read<ErrorEvent>(ref reader, options),
        _ => null,
    };

    protected override bool IsTypeRequired => false;

    protected override StreamEvent CreateUnknown(string type, JsonElement json) => new UnknownStreamEvent(type, json);

    protected override void WriteKnown(Utf8JsonWriter writer, StreamEvent value, JsonSerializerOptions options)
    {
        switch (value)
        {
            case MessageStartEvent e: Write(writer, e, options); break;
            case ContentBlockStartEvent e: Write(writer, e, options); break;
            case ContentBlockDeltaEvent e: Write(writer, e, options); break;
            case ContentBlockStopEvent e: Write(writer, e, options); break;
            case MessageDeltaEvent e: Write(writer, e, options); break;
            case MessageStopEvent e: Write(writer, e, options); break;
            case PingEvent e: Write(writer, e, options); break;
            case ErrorEvent e: Write(writer, e, options); break;
            case UnknownStreamEvent unknown: unknown.Json.WriteTo(writer); break;
            default: throw new JsonException($"Cannot serialize stream event type {value.GetType().Name}.");
        }
    }
}
