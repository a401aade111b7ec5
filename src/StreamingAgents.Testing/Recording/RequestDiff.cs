using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace StreamingAgents.Testing.Recording;

/// <summary>
/// Finds the first place where a request differs from a recorded one, as a JSON path and both values: what a test
/// failure should say instead of "no match".
/// </summary>
internal static class RequestDiff
{
    private const int ShownLength = 60;
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 256 };

    /// <summary>Returns <see langword="null"/> when the bodies are equal as JSON (or as text, when either is not JSON).</summary>
    public static string? FirstDifference(string recorded, string actual)
    {
        if (TryParse(recorded) is not { } recordedDocument)
        {
            return TextDifference("$", recorded, actual);
        }

        using (recordedDocument)
        {
            using JsonDocument? actualDocument = TryParse(actual);
            try
            {
                return actualDocument is null
                    ? TextDifference("$", recorded, actual)
                    : Difference("$", recordedDocument.RootElement, actualDocument.RootElement);
            }
            catch (InvalidOperationException)
            {
                // A string escapes a lone surrogate, which a .NET string cannot hold: compare the texts as they are.
                return TextDifference("$", recorded, actual);
            }
        }
    }

    private static JsonDocument? TryParse(string text)
    {
        try
        {
            return JsonDocument.Parse(text, Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Difference(string path, JsonElement recorded, JsonElement actual)
    {
        if (recorded.ValueKind != actual.ValueKind && !(IsBoolean(recorded) && IsBoolean(actual)))
        {
            return $"{path}: recorded {Describe(recorded)}, the request has {Describe(actual)}";
        }

        switch (recorded.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (JsonProperty property in recorded.EnumerateObject())
                {
                    string child = $"{path}.{property.Name}";
                    if (!actual.TryGetProperty(property.Name, out JsonElement value))
                    {
                        return $"{child}: recorded {Describe(property.Value)}, the request has no such property";
                    }

                    if (Difference(child, property.Value, value) is { } difference)
                    {
                        return difference;
                    }
                }

                foreach (JsonProperty property in actual.EnumerateObject())
                {
                    if (!recorded.TryGetProperty(property.Name, out _))
                    {
                        return $"{path}.{property.Name}: the request has {Describe(property.Value)}, the recording has no such property";
                    }
                }

                return null;
            case JsonValueKind.Array:
                int recordedLength = recorded.GetArrayLength(), actualLength = actual.GetArrayLength();
                for (int i = 0; i < Math.Min(recordedLength, actualLength); i++)
                {
                    if (Difference($"{path}[{i}]", recorded[i], actual[i]) is { } difference)
                    {
                        return difference;
                    }
                }

                return recordedLength == actualLength ? null : $"{path}: recorded {recordedLength} items, the request has {actualLength}";
            case JsonValueKind.String:
                return TextDifference(path, recorded.GetString()!, actual.GetString()!);
            case JsonValueKind.Number:
                return recorded.GetRawText() == actual.GetRawText() || (recorded.TryGetDecimal(out decimal a) && actual.TryGetDecimal(out decimal b) && a == b)
                    ? null
                    : $"{path}: recorded {recorded.GetRawText()}, the request has {actual.GetRawText()}";
            case JsonValueKind.True or JsonValueKind.False:
                return recorded.ValueKind == actual.ValueKind ? null : $"{path}: recorded {recorded.GetRawText()}, the request has {actual.GetRawText()}";
            default:
                return null;
        }
    }

    private static bool IsBoolean(JsonElement element) => element.ValueKind is JsonValueKind.True or JsonValueKind.False;

    /// <summary>Shows both texts around the first differing character, which may be deep inside a long prompt.</summary>
    private static string? TextDifference(string path, string recorded, string actual)
    {
        int at = recorded.AsSpan().CommonPrefixLength(actual);
        if (at == recorded.Length && at == actual.Length)
        {
            return null;
        }

        string where = at == 0 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $" (from character {at})");
        return $"{path}{where}: recorded {Excerpt(recorded, at)}, the request has {Excerpt(actual, at)}";
    }

    private static string Excerpt(string text, int at)
    {
        int start = text.Length <= ShownLength ? 0 : Math.Max(0, at - 10);
        int length = Math.Min(ShownLength, text.Length - start);
        if (start > 0 && char.IsLowSurrogate(text[start]))
        {
            start--; // never cut a character in two
            length++;
        }

        if (length > 0 && start + length < text.Length && char.IsHighSurrogate(text[start + length - 1]))
        {
            length--;
        }

        string excerpt = $"\"{JsonEncodedText.Encode(text.AsSpan(start, length), JavaScriptEncoder.UnsafeRelaxedJsonEscaping)}\"";
        return (start > 0 ? "…" : string.Empty) + excerpt + (start + length < text.Length ? "…" : string.Empty);
    }

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => $"an array of {element.GetArrayLength()}",
        JsonValueKind.String => Excerpt(element.GetString()!, 0),
        _ => element.GetRawText(),
    };
}
