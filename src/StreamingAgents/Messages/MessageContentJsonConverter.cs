using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace StreamingAgents.Messages;

/// <summary>
/// Reads a turn's content in both forms the API takes (a string is shorthand for one text block), and writes it as
/// blocks. Recorded or hand-written requests often use the shorthand.
/// </summary>
internal sealed class MessageContentJsonConverter : JsonConverter<IReadOnlyList<ContentBlock>>
{
    public override IReadOnlyList<ContentBlock> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return [new TextBlock { Text = reader.GetString()! }];
        }

        return JsonSerializer.Deserialize(ref reader, (JsonTypeInfo<List<ContentBlock>>)options.GetTypeInfo(typeof(List<ContentBlock>)))
            ?? throw new JsonException("A message's content must be a string or an array of content blocks.");
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<ContentBlock> value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value, (JsonTypeInfo<IReadOnlyList<ContentBlock>>)options.GetTypeInfo(typeof(IReadOnlyList<ContentBlock>)));
}
