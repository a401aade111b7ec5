using System.Text.Json;
using StreamingAgents.Json;

namespace StreamingAgents.Messages;

/// <summary>Reads and writes <see cref="ContentBlock"/> by its <c>type</c>; unknown types keep their JSON.</summary>
internal sealed class ContentBlockJsonConverter : PolymorphicJsonConverter<ContentBlock>
{
    protected override ContentBlock? ReadKnown(ref Utf8JsonReader reader, string? type, JsonSerializerOptions options) => type switch
    {
        TextBlock.WireType => Read<TextBlock>(ref reader, options),
        ToolUseBlock.WireType => Read<ToolUseBlock>(ref reader, options),
        ThinkingBlock.WireType => Read<ThinkingBlock>(ref reader, options),
        RedactedThinkingBlock.WireType => Read<RedactedThinkingBlock>(ref reader, options),
        ServerToolUseBlock.WireType => Read<ServerToolUseBlock>(ref reader, options),
        WebSearchToolResultBlock.WireType => Read<WebSearchToolResultBlock>(ref reader, options),
        ToolResultBlock.WireType => Read<ToolResultBlock>(ref reader, options),
        ImageBlock.WireType => Read<ImageBlock>(ref reader, options),
        _ => null,
    };

    protected override ContentBlock CreateUnknown(string type, JsonElement json) => new UnknownContentBlock(type, json);

    protected override void WriteKnown(Utf8JsonWriter writer, ContentBlock value, JsonSerializerOptions options)
    {
        switch (value)
        {
            case TextBlock text: Write(writer, text, options); break;
            case ToolUseBlock toolUse: Write(writer, toolUse, options); break;
            case ThinkingBlock thinking: Write(writer, thinking, options); break;
            case RedactedThinkingBlock redacted: Write(writer, redacted, options); break;
            case ServerToolUseBlock serverToolUse: Write(writer, serverToolUse, options); break;
            case WebSearchToolResultBlock searchResult: Write(writer, searchResult, options); break;
            case ToolResultBlock toolResult: Write(writer, toolResult, options); break;
            case ImageBlock image: Write(writer, image, options); break;
            case UnknownContentBlock unknown: unknown.Json.WriteTo(writer); break;
            default: throw new JsonException($"Cannot serialize content block type {value.GetType().Name}.");
        }
    }
}
