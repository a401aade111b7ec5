using System.Text.Json.Serialization;

namespace StreamingAgents.Agents;

/// <summary>
/// The model began a tool call: its name is known, its input is not yet. Emitted at <c>content_block_start</c>, the
/// earliest moment, so a status line ("🔍 Searching order database…") can appear at once.
/// </summary>
public sealed record ToolCallStarted : AgentEvent
{
    /// <inheritdoc/>
    private protected override string WireType => AgentEventTypes.ToolCallStarted;

    /// <summary>Gets the tool call's ID.</summary>
    [JsonPropertyName("tool_call_id")]
    public required string ToolCallId { get; init; }

    /// <summary>Gets the tool's name.</summary>
    [JsonPropertyName("tool_name")]
    public required string ToolName { get; init; }

    /// <summary>Gets the tool's status label for people, if it has one.</summary>
    [JsonPropertyName("status_label")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? StatusLabel { get; init; }

    /// <summary>Gets the content block of the call.</summary>
    [JsonPropertyName("block_index")]
    public int BlockIndex { get; init; }

    /// <summary>
    /// Cancels this tool call: if it has not run yet it never will, and if it is running its token is cancelled; the
    /// model gets an error result saying the user cancelled it, and the run goes on. (A running tool that finishes
    /// anyway, ignoring its token, keeps its result: the model hears what really happened.)
    /// </summary>
    /// <returns><see langword="true"/> when the call is cancelled; <see langword="false"/> when it had already finished, been cancelled or been discarded.</returns>
    /// <exception cref="InvalidOperationException">The event did not come from a live run (it was read back from JSON).</exception>
    public bool Cancel() => ToolCallControls.Of(this).Cancel();
}
