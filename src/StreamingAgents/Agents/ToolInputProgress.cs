using System.Text.Json;

namespace StreamingAgents.Agents;

/// <summary>More of a tool call's input arrived.</summary>
public sealed record ToolInputProgress : AgentEvent
{
    /// <summary>Gets the tool call's ID.</summary>
    public required string ToolCallId { get; init; }

    /// <summary>Gets the new JSON fragment.</summary>
    public required string Fragment { get; init; }

    /// <summary>
    /// Gets the input received so far, closed into a value (see <see cref="Json.PartialJsonAccumulator"/>), or
    /// <see langword="null"/> once the input is larger than <see cref="AgentRunnerOptions.MaxInputSnapshotBytes"/>.
    /// </summary>
    public JsonElement? Snapshot { get; init; }
}
