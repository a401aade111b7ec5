using System.Text.Json.Serialization;

namespace StreamingAgents.Events;

/// <summary>
/// A fragment of a tool call's input JSON. Fragments may break anywhere, even inside a string or a number; feed them
/// to a <see cref="Json.PartialJsonAccumulator"/> to see the input take shape.
/// </summary>
public sealed record InputJsonDelta : ContentBlockDelta
{
    /// <summary>The wire type of this delta.</summary>
    public const string WireType = "input_json_delta";

    /// <inheritdoc/>
    [JsonPropertyOrder(-100)]
    public override string Type => WireType;

    /// <summary>Gets the JSON fragment.</summary>
    public required string PartialJson { get; init; }
}
