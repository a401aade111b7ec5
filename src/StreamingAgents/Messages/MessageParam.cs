using System.Text.Json.Serialization;

namespace StreamingAgents.Messages;

/// <summary>One turn of the conversation sent to the API.</summary>
public sealed record MessageParam
{
    /// <summary>The role of user turns (including tool results).</summary>
    public const string UserRole = "user";

    /// <summary>The role of model turns.</summary>
    public const string AssistantRole = "assistant";

    /// <summary>Gets the author of the turn: <c>user</c> or <c>assistant</c>.</summary>
    public string Role { get => field ?? UserRole; init; } = UserRole;

    /// <summary>Gets the content blocks of the turn (read from JSON, a string is one text block).</summary>
    [JsonConverter(typeof(MessageContentJsonConverter))]
    public IReadOnlyList<ContentBlock> Content { get => field ?? []; init; } = [];

    /// <summary>Creates a user turn with one text block.</summary>
    /// <param name="text">The user's text.</param>
    /// <returns>The turn.</returns>
    public static MessageParam User(string text) => new() { Role = UserRole, Content = [new TextBlock { Text = text }] };

    /// <summary>Creates a user turn from blocks, for example tool results.</summary>
    /// <param name="content">The blocks.</param>
    /// <returns>The turn.</returns>
    public static MessageParam User(IReadOnlyList<ContentBlock> content) => new() { Role = UserRole, Content = content };

    /// <summary>Creates an assistant turn from a message the model produced, to continue the conversation.</summary>
    /// <param name="message">The model's message; its blocks (thinking, text, tool calls) are sent back unchanged.</param>
    /// <returns>The turn.</returns>
    public static MessageParam Assistant(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new() { Role = AssistantRole, Content = message.Content };
    }
}
