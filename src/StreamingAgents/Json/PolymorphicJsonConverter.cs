using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace StreamingAgents.Json;

/// <summary>
/// Base for converters of the wire's <c>type</c>-discriminated unions. Unlike built-in polymorphism it does not need
/// <c>type</c> to come first, and it maps a type it does not know to an "unknown" value holding the JSON instead of
/// failing: Anthropic adds block, delta and event types over time.
/// </summary>
internal abstract class PolymorphicJsonConverter<TBase> : JsonConverter<TBase>
    where TBase : class
{
    // A null where a block, delta or event belongs (a list element included) is malformed input, not an absent value.
    public sealed override bool HandleNull => true;

    public sealed override TBase Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"Expected a JSON object for a {typeof(TBase).Name}, found {reader.TokenType}.");
        }

        string? type = PeekType(reader);
        if (type is null && IsTypeRequired)
        {
            throw new JsonException($"A {typeof(TBase).Name} must name its \"type\".");
        }

        return ReadKnown(ref reader, type, options) ?? CreateUnknown(type ?? string.Empty, JsonElement.ParseValue(ref reader));
    }

    /// <summary>
    /// Gets whether a value without <c>type</c> is malformed. True for blocks and deltas; an event without one is known
    /// by its SSE event name, which only the decoder sees.
    /// </summary>
    protected virtual bool IsTypeRequired => true;

    /// <summary>Reads a value of a known <paramref name="type"/>, or returns <see langword="null"/> without reading.</summary>
    protected abstract TBase? ReadKnown(ref Utf8JsonReader reader, string? type, JsonSerializerOptions options);

    protected abstract TBase CreateUnknown(string type, JsonElement json);

    protected static T Read<T>(ref Utf8JsonReader reader, JsonSerializerOptions options) =>
        JsonSerializer.Deserialize(ref reader, Info<T>(options)) ?? throw new JsonException($"Expected a {typeof(T).Name}, found null.");

    public sealed override void Write(Utf8JsonWriter writer, TBase value, JsonSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNullValue();
            return;
        }

        WriteKnown(writer, value, options);
    }

    /// <summary>Writes a value that is not null.</summary>
    protected abstract void WriteKnown(Utf8JsonWriter writer, TBase value, JsonSerializerOptions options);

    protected static void Write<T>(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value, Info<T>(options));

    private static JsonTypeInfo<T> Info<T>(JsonSerializerOptions options) => (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));

    /// <summary>
    /// Finds the object's <c>type</c> string on a copy of the reader, leaving the original in place; null when there is
    /// none. A <c>type</c> that is not a string is malformed: guessing would turn a known kind into an unknown one.
    /// </summary>
    private static string? PeekType(Utf8JsonReader reader)
    {
        int depth = reader.CurrentDepth;
        while (reader.Read() && reader.CurrentDepth > depth)
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == depth + 1)
            {
                bool isType = reader.ValueTextEquals("type"u8);
                reader.Read();
                if (isType)
                {
                    return reader.TokenType == JsonTokenType.String
                        ? reader.GetString()
                        : throw new JsonException($"The \"type\" of a {typeof(TBase).Name} must be a string, not {reader.TokenType}.");
                }

                reader.Skip();
            }
        }

        return null;
    }
}
