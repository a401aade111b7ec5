using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace StreamingAgents.Messages;

/// <summary>Writes a system prompt as the API takes it: a string, or an array of text blocks.</summary>
internal sealed class SystemPromptJsonConverter : JsonConverter<SystemPrompt>
{
    public override SystemPrompt Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return new SystemPrompt(reader.GetString()!);
        }

        var blocks = JsonSerializer.Deserialize(ref reader, (JsonTypeInfo<List<TextBlock>>)options.GetTypeInfo(typeof(List<TextBlock>)));
        return new SystemPrompt(blocks ?? throw new JsonException("A system prompt must be a string or an array of text blocks."));
    }

    public override void Write(Utf8JsonWriter writer, SystemPrompt value, JsonSerializerOptions options)
    {
        if (value.Text is { } text)
        {
            writer.WriteStringValue(text);
        }
        else
        {
            JsonSerializer.Serialize(writer, value.Blocks!, (JsonTypeInfo<IReadOnlyList<TextBlock>>)options.GetTypeInfo(typeof(IReadOnlyList<TextBlock>)));
        }
    }
}
