using System.Text.Json;
using System.Text.Json.Serialization;

namespace StreamingAgents.Events;

/// <summary>A delta of a type this library does not know yet, with its JSON. The accumulator skips it.</summary>
public sealed record UnknownDelta : ContentBlockDelta
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="type">The delta's type name.</param>
    /// <param name="json">The delta as sent; it is cloned.</param>
    public UnknownDelta(string type, JsonElement json)
    {
        ArgumentNullException.ThrowIfNull(type);
        Type = type;
        Json = json.Clone();
    }

    /// <inheritdoc/>
    [JsonPropertyOrder(-100)]
    public override string Type { get; }

    /// <summary>Gets the delta as sent.</summary>
    [JsonIgnore]
    public JsonElement Json { get; }
}
