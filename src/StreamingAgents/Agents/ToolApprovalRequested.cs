using System.Text.Json;
using System.Text.Json.Serialization;

namespace StreamingAgents.Agents;

/// <summary>
/// A tool call needs a person's approval (<see cref="Tools.AgentTool.RequiresApproval"/>) and waits for it. Answer with
/// <see cref="Approve"/> or <see cref="Deny"/>, or for a detached run through its handle or
/// <see cref="Runs.AgentRunManager.ApproveToolCallAsync"/>. A denial, or no answer within
/// <see cref="AgentRunnerOptions.ApprovalTimeout"/>, gives the model an error result saying so, and the run goes on.
/// </summary>
public sealed record ToolApprovalRequested : AgentEvent
{
    /// <inheritdoc/>
    private protected override string WireType => AgentEventTypes.ToolApprovalRequested;

    /// <summary>Gets the tool call's ID.</summary>
    [JsonPropertyName("tool_call_id")]
    public required string ToolCallId { get; init; }

    /// <summary>Gets the tool's name.</summary>
    [JsonPropertyName("tool_name")]
    public required string ToolName { get; init; }

    /// <summary>Gets the input the tool would run with.</summary>
    [JsonPropertyName("input")]
    public JsonElement Input { get; init; }

    /// <summary>Lets the call run.</summary>
    /// <returns><see langword="true"/> when this answer counts; <see langword="false"/> when the call was already answered, timed out or ended.</returns>
    /// <exception cref="InvalidOperationException">The event did not come from a live run (it was read back from JSON).</exception>
    public bool Approve() => ToolCallControls.Of(this).Approve();

    /// <summary>Refuses the call: it does not run, and the model is told the user declined it.</summary>
    /// <param name="reason">Why, for the model; <see langword="null"/> for none.</param>
    /// <returns><see langword="true"/> when this answer counts; <see langword="false"/> when the call was already answered, timed out or ended.</returns>
    /// <exception cref="InvalidOperationException">The event did not come from a live run (it was read back from JSON).</exception>
    public bool Deny(string? reason = null) => ToolCallControls.Of(this).Deny(reason);
}
