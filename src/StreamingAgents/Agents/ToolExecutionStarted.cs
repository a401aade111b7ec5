using System.Text.Json.Serialization;

namespace StreamingAgents.Agents;

/// <summary>The runner started executing a tool call.</summary>
public sealed record ToolExecutionStarted : AgentEvent
{
    /// <inheritdoc/>
    private protected override string WireType => AgentEventTypes.ToolExecutionStarted;

    /// <summary>Gets the tool call's ID.</summary>
    [JsonPropertyName("tool_call_id")]
    public required string ToolCallId { get; init; }

    /// <summary>Gets the tool's name.</summary>
    [JsonPropertyName("tool_name")]
    public required string ToolName { get; init; }

    /// <summary>
    /// Gets whether the tool started early: a read-only tool starts as soon as its input is complete, while the model
    /// is still writing the rest of its message.
    /// </summary>
    [JsonPropertyName("is_eager")]
    public bool IsEager { get; init; }

    /// <summary>
    /// Cancels this tool call: if it has not run yet it never will, and if it is running its token is cancelled; the
    /// model gets an error result saying the user cancelled it, and the run goes on. (A running tool that finishes
    /// anyway, ignoring its token, keeps its result: the model hears what really happened.)
    /// </summary>
    /// <returns><see langword="true"/> when the call is cancelled; <see langword="false"/> when it had already finished, been cancelled or been discarded.</returns>
    /// <exception cref="InvalidOperationException">The event did not come from a live run (it was read back from JSON).</exception>
    public bool Cancel() => ToolCallControls.Of(this).Cancel();
}
