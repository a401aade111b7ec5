using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace StreamingAgents.Tools;

/// <summary>What a tool returns to the model: content (text or JSON), or an error the model should see.</summary>
public sealed record ToolResult
{
    private ToolResult(string content, bool isError)
    {
        Content = content;
        IsError = isError;
    }

    /// <summary>Gets the content sent back in the <c>tool_result</c> block (JSON results as their JSON text).</summary>
    public string Content { get; }

    /// <summary>Gets whether the tool failed; the model then sees <c>is_error: true</c>.</summary>
    public bool IsError { get; }

    /// <summary>Creates a text result.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The result.</returns>
    public static ToolResult Text(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new(text, isError: false);
    }

    /// <summary>Creates a JSON result.</summary>
    /// <param name="json">The value.</param>
    /// <returns>The result.</returns>
    public static ToolResult Json(JsonElement json) => new(json.GetRawText(), isError: false);

    /// <summary>Creates a JSON result from a typed value, serialized with source-generated metadata.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="value">The value.</param>
    /// <param name="typeInfo">The value's JSON metadata (from a <c>JsonSerializerContext</c>).</param>
    /// <returns>The result.</returns>
    public static ToolResult Json<T>(T value, JsonTypeInfo<T> typeInfo) => new(JsonSerializer.Serialize(value, typeInfo), isError: false);

    /// <summary>Creates an error result that tells the model what went wrong.</summary>
    /// <param name="message">The message for the model.</param>
    /// <returns>The result.</returns>
    public static ToolResult Error(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new(message, isError: true);
    }
}
