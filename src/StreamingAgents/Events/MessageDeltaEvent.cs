using System.Text.Json.Serialization;

namespace StreamingAgents.Events;

/// <summary>The message's stop reason and final (cumulative) usage, just before <see cref="MessageStopEvent"/>.</summary>
public sealed record MessageDeltaEvent : StreamEvent
{
    /// <summary>The wire type of this event.</summary>
    public const string WireType = "message_delta";

    /// <inheritdoc/>
    [JsonPropertyOrder(-100)]
    public override string Type => WireType;

    /// <summary>Gets the changed message fields.</summary>
    public required MessageDelta Delta { get; init; }

    /// <summary>Gets the cumulative usage, or <see langword="null"/> if the event carried none.</summary>
    public MessageDeltaUsage? Usage { get; init; }
}
