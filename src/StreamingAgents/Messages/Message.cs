using System.Text.Json;
using System.Text.Json.Serialization;

namespace StreamingAgents.Messages;

/// <summary>
/// A message from the Messages API, in the API's own shape: serializing it with
/// <c>StreamingAgents.Events.AnthropicJsonContext</c> gives the JSON the non-streaming API returns.
/// </summary>
public sealed record Message
{
    /// <summary>Gets the message ID.</summary>
    public string Id { get => field ?? string.Empty; init; } = string.Empty;

    /// <summary>Gets the object type, always <c>message</c>.</summary>
    public string Type { get => field ?? "message"; init; } = "message";

    /// <summary>Gets the author's role, <c>assistant</c> for model output.</summary>
    public string Role { get => field ?? "assistant"; init; } = "assistant";

    /// <summary>Gets the model that produced the message.</summary>
    public string Model { get => field ?? string.Empty; init; } = string.Empty;

    /// <summary>Gets the content blocks, in index order.</summary>
    public IReadOnlyList<ContentBlock> Content { get => field ?? []; init; } = [];

    /// <summary>Gets why the model stopped, or <see langword="null"/> while it is still generating.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public StopReason? StopReason { get; init; }

    /// <summary>Gets the custom stop sequence that ended generation, if one did.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? StopSequence { get; init; }

    /// <summary>Gets the details of a <see cref="StopReason.Refusal"/>, or <see langword="null"/> for other stop reasons.</summary>
    public StopDetails? StopDetails { get; init; }

    /// <summary>Gets the token usage.</summary>
    public Usage Usage { get => field ?? new(); init; } = new();

    /// <summary>Gets the fields this model does not name (for example <c>container</c>), kept for round trips.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }

    /// <summary>Gets the tool calls the model asked the client to run, in content order.</summary>
    [JsonIgnore]
    public IEnumerable<ToolUseBlock> ToolCalls => Content.OfType<ToolUseBlock>();

    /// <summary>Concatenates the text of all text blocks.</summary>
    /// <returns>The message's text.</returns>
    public string GetText() => string.Concat(Content.OfType<TextBlock>().Select(static block => block.Text));
}
