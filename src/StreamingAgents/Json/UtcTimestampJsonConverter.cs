using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace StreamingAgents.Json;

/// <summary>Writes a moment as ISO 8601 in UTC (<c>2026-12-03T16:38:19.1234567Z</c>), whatever its offset; reads any ISO 8601.</summary>
internal sealed class UtcTimestampJsonConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String && DateTimeOffset.TryParse(reader.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset value)
            ? value
            : throw new JsonException("Expected an ISO 8601 timestamp.");

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        Span<byte> text = stackalloc byte[33];
        value.UtcDateTime.TryFormat(text, out int written, "O", CultureInfo.InvariantCulture);
        writer.WriteStringValue(text[..written]);
    }
}
