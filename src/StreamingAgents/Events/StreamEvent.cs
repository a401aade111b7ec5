using System.Text.Json.Serialization;

namespace StreamingAgents.Events;

/// <summary>
/// One event of the Messages API streaming protocol. Each subtype mirrors a wire <c>type</c>; an event type this
/// library does not know becomes an <see cref="UnknownStreamEvent"/>.
/// </summary>
[JsonConverter(typeof(StreamEventJsonConverter))]
public abstract record StreamEvent
{
    /// <summary>Gets the wire type of the event, for example <c>content_block_delta</c>.</summary>
    [JsonPropertyOrder(-100)]
    public abstract string Type { get; }
}
