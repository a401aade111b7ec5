using System.Text.Json.Serialization;

namespace StreamingAgents.Events;

/// <summary>The last event of a message: the stream is complete.</summary>
public sealed record MessageStopEvent : StreamEvent
{
    /// <summary>The wire type of this event.</summary>
    public const string WireType = "message_stop";

    /// <inheritdoc/>
    [JsonPropertyOrder(-100)]
    public override string Type => WireType;
}
