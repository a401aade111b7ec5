using System.Text.Json;

namespace StreamingAgents.Tools;

/// <summary>
/// Checks a tool input against the tool's JSON Schema before the tool runs, so a mismatch goes back to the model as
/// an error it can correct instead of reaching the tool's code.
/// </summary>
/// <remarks>
/// Supports the schema keywords that tool inputs use: <c>type</c> (including type arrays), <c>required</c>,
/// <c>properties</c>, <c>additionalProperties: false</c>, <c>items</c>, <c>enum</c> and <c>const</c>. Other keywords
/// are ignored rather than guessed at.
/// </remarks>
public static class ToolInputValidator
{
    private const int MaxProblems = 10;

    /// <summary>Lists where <paramref name="input"/> does not fit <paramref name="schema"/>.</summary>
    /// <param name="input">The input.</param>
    /// <param name="schema">The JSON Schema.</param>
    /// <returns>One message per problem, each naming the path (for example <c>input.items[2].sku</c>); empty when valid.</returns>
    public static IReadOnlyList<string> Validate(JsonElement input, JsonElement schema)
    {
        var problems = new List<string>();
        Check(input, schema, "input", problems);
        return problems;
    }

    private static void Check(JsonElement value, JsonElement schema, string path, List<string> problems)
    {
        if (problems.Count >= MaxProblems || schema.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        if (schema.TryGetProperty("type", out JsonElement type) && !MatchesType(value, type))
        {
            problems.Add($"{path}: expected {DescribeType(type)}, got {Describe(value)}.");
            return;
        }

        if (schema.TryGetProperty("enum", out JsonElement allowed) && allowed.ValueKind == JsonValueKind.Array
            && !allowed.EnumerateArray().Any(option => JsonElement.DeepEquals(option, value)))
        {
            problems.Add($"{path}: {value.GetRawText()} is not one of {allowed.GetRawText()}.");
        }

        if (schema.TryGetProperty("const", out JsonElement constant) && !JsonElement.DeepEquals(constant, value))
        {
            problems.Add($"{path}: must be {constant.GetRawText()}.");
        }

        if (value.ValueKind == JsonValueKind.Object)
        {
            CheckObject(value, schema, path, problems);
        }
        else if (value.ValueKind == JsonValueKind.Array && schema.TryGetProperty("items", out JsonElement items))
        {
            int index = 0;
            foreach (JsonElement item in value.EnumerateArray())
            {
                Check(item, items, $"{path}[{index++}]", problems);
            }
        }
    }

    private static void CheckObject(JsonElement value, JsonElement schema, string path, List<string> problems)
    {
        if (schema.TryGetProperty("required", out JsonElement required) && required.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement name in required.EnumerateArray())
            {
                if (name.GetString() is { } property && !value.TryGetProperty(property, out _))
                {
                    problems.Add($"{path}.{property}: required property is missing.");
                }
            }
        }

        bool hasProperties = schema.TryGetProperty("properties", out JsonElement properties) && properties.ValueKind == JsonValueKind.Object;
        bool closed = schema.TryGetProperty("additionalProperties", out JsonElement additional) && additional.ValueKind == JsonValueKind.False;
        foreach (JsonProperty member in value.EnumerateObject())
        {
            if (hasProperties && properties.TryGetProperty(member.Name, out JsonElement memberSchema))
            {
                Check(member.Value, memberSchema, $"{path}.{member.Name}", problems);
            }
            else if (closed)
            {
                problems.Add($"{path}.{member.Name}: unknown property.");
            }
        }
    }

    private static bool MatchesType(JsonElement value, JsonElement type) => type.ValueKind switch
    {
        JsonValueKind.String => MatchesType(value, type.GetString()),
        JsonValueKind.Array => type.EnumerateArray().Any(option => MatchesType(value, option.GetString())),
        _ => true,
    };

    private static bool MatchesType(JsonElement value, string? type) => type switch
    {
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "string" => value.ValueKind == JsonValueKind.String,
        "number" => value.ValueKind == JsonValueKind.Number,
        "integer" => value.ValueKind == JsonValueKind.Number && IsInteger(value),
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => value.ValueKind == JsonValueKind.Null,
        _ => true,
    };

    private static bool IsInteger(JsonElement value) => value.TryGetInt64(out _) || (value.TryGetDouble(out double number) && Math.Floor(number) == number);

    private static string DescribeType(JsonElement type) =>
        type.ValueKind == JsonValueKind.Array ? string.Join(" or ", type.EnumerateArray().Select(static t => t.GetString())) : type.GetString() ?? "?";

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"the string \"{Truncate(value.GetString()!)}\"",
        JsonValueKind.Number => $"the number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {value.GetRawText()}",
        _ => "null",
    };

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
