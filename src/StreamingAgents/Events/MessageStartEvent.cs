using System.Text.Json.Serialization;
using StreamingAgents.Messages;

namespace StreamingAgents.Events;

/// <summary>The first event: the message with empty content and the input token usage.</summary>
public sealed record MessageStartEvent : StreamEvent
{
    /// <summary>The wire type of this event.</summary>
    public const string WireType = "message_start";

    /// <inheritdoc/>
    [JsonPropertyOrder(-100)]
    public override string Type => WireType;

    /// <summary>Gets the message as it starts.</summary>
    public required Message Message { get; init; }
}
