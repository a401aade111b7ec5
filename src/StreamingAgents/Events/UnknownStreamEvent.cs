using System.Text.Json;
using System.Text.Json.Serialization;

namespace StreamingAgents.Events;

/// <summary>
/// An event of a type this library does not know yet. Anthropic may add event types; they are surfaced, not dropped
/// and not guessed at, and consumers that do not know them can ignore them.
/// </summary>
public sealed record UnknownStreamEvent : StreamEvent
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="type">The event's type name.</param>
    /// <param name="json">The event's data as sent; it is cloned.</param>
    public UnknownStreamEvent(string type, JsonElement json)
    {
        ArgumentNullException.ThrowIfNull(type);
        Type = type;
        Json = json.Clone();
    }

    /// <inheritdoc/>
    [JsonPropertyOrder(-100)]
    public override string Type { get; }

    /// <summary>Gets the event's data as sent.</summary>
    [JsonIgnore]
    public JsonElement Json { get; }
}
