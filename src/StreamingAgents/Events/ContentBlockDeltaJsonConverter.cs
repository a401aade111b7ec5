using System.Text.Json;
using StreamingAgents.Json;

namespace StreamingAgents.Events;

/// <summary>Reads and writes <see cref="ContentBlockDelta"/> by its <c>type</c>; unknown types keep their JSON.</summary>
internal sealed class ContentBlockDeltaJsonConverter : PolymorphicJsonConverter<ContentBlockDelta>
{
    protected override ContentBlockDelta? ReadKnown(ref Utf8JsonReader reader, string? type, JsonSerializerOptions options) => type switch
    {
        TextDelta.WireType => Read<TextDelta>(ref reader, options),
        InputJsonDelta.WireType => Read<InputJsonDelta>(ref reader, options),
        ThinkingDelta.WireType => Read<ThinkingDelta>(ref reader, options),
        SignatureDelta.WireType => Read<SignatureDelta>(ref reader, options),
        CitationsDelta.WireType => Read<CitationsDelta>(ref reader, options),
        _ => null,
    };

    protected override ContentBlockDelta CreateUnknown(string type, JsonElement json) => new UnknownDelta(type, json);

    protected override void WriteKnown(Utf8JsonWriter writer, ContentBlockDelta value, JsonSerializerOptions options)
    {
        switch (value)
        {
            case TextDelta text: Write(writer, text, options); break;
            case InputJsonDelta inputJson: Write(writer, inputJson, options); break;
            case ThinkingDelta thinking: Write(writer, thinking, options); break;
            case SignatureDelta signature: Write(writer, signature, options); break;
            case CitationsDelta citations: Write(writer, citations, options); break;
            case UnknownDelta unknown: unknown.Json.WriteTo(writer); break;
            default: throw new JsonException($"Cannot serialize delta type {value.GetType().Name}.");
        }
    }
}
