using System.Text.Json;
using System.Text.Json.Serialization;

namespace StreamingAgents.Messages;

/// <summary>
/// A block of a kind this library does not know yet. It keeps the block's JSON, serializes back to it unchanged, and
/// stays in the accumulated message.
/// </summary>
public sealed record UnknownContentBlock : ContentBlock
{
    /// <summary>Initializes a new instance from a block's JSON.</summary>
    /// <param name="type">The block's wire type.</param>
    /// <param name="json">The whole block as sent; it is cloned.</param>
    public UnknownContentBlock(string type, JsonElement json)
    {
        ArgumentNullException.ThrowIfNull(type);
        Type = type;
        Json = json.Clone();
    }

    /// <inheritdoc/>
    [JsonPropertyOrder(-100)]
    public override string Type { get; }

    /// <summary>Gets the whole block as sent.</summary>
    [JsonIgnore]
    public JsonElement Json { get; }
}
