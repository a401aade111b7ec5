using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;

namespace StreamingAgents.Json;

/// <summary>Shared immutable JSON values.</summary>
internal static class JsonElements
{
    public static JsonElement EmptyObject { get; } = Parse("{}"u8);

    public static JsonElement EmptyArray { get; } = Parse("[]"u8);

    /// <summary>A JSON number.</summary>
    public static JsonElement FromInt64(long value)
    {
        Span<byte> digits = stackalloc byte[20];
        value.TryFormat(digits, out int written, provider: System.Globalization.CultureInfo.InvariantCulture);
        return Parse(digits[..written]);
    }

    /// <summary>
    /// Whether the value can be written back as JSON. A parser accepts invalid UTF-8 inside strings and an escaped
    /// lone surrogate (<c>"\ud800"</c>), but neither is text, and writing them fails: such a value must not reach a
    /// request.
    /// </summary>
    public static bool IsWritable(JsonElement element)
    {
        ReadOnlySpan<byte> raw = JsonMarshal.GetRawUtf8Value(element);
        if (!Utf8.IsValid(raw))
        {
            return false;
        }

        if (raw.IndexOf("\\u"u8) < 0)
        {
            return true; // no escaped character at all: the common case needs no trial write
        }

        try
        {
            using var writer = new Utf8JsonWriter(Stream.Null);
            element.WriteTo(writer);
            return true;
        }
        catch (Exception exception) when (exception is InvalidOperationException or ArgumentException or JsonException)
        {
            return false;
        }
    }

    private static JsonElement Parse(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json);
        return JsonElement.ParseValue(ref reader);
    }
}
