using System.Text.Json.Serialization;

namespace StreamingAgents.Events;

/// <summary>
/// The payload of a <see cref="ContentBlockDeltaEvent"/>. A delta type this library does not know becomes an
/// <see cref="UnknownDelta"/>.
/// </summary>
[JsonConverter(typeof(ContentBlockDeltaJsonConverter))]
public abstract record ContentBlockDelta
{
    /// <summary>Gets the wire type of the delta, for example <c>text_delta</c>.</summary>
    [JsonPropertyOrder(-100)]
    public abstract string Type { get; }
}
