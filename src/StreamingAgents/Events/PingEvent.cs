using System.Text.Json.Serialization;

namespace StreamingAgents.Events;

/// <summary>A keep-alive the API sends while the model works: the stream is alive, though nothing new was written.</summary>
public sealed record PingEvent : StreamEvent
{
    /// <summary>The wire type of this event.</summary>
    public const string WireType = "ping";

    /// <inheritdoc/>
    [JsonPropertyOrder(-100)]
    public override string Type => WireType;
}
