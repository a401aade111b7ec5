using System.Text.Json;
using System.Text.Json.Serialization;

namespace StreamingAgents.Messages;

/// <summary>
/// One block of a message's content. The <see cref="Type"/> names the kind; a kind this library does not know
/// becomes an <see cref="UnknownContentBlock"/> that keeps the block's JSON.
/// </summary>
[JsonConverter(typeof(ContentBlockJsonConverter))]
public abstract record ContentBlock
{
    /// <summary>Gets the wire type of the block, for example <c>text</c> or <c>tool_use</c>.</summary>
    [JsonPropertyOrder(-100)]
    public abstract string Type { get; }

    /// <summary>Gets the fields this model does not name, kept for round trips.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}
