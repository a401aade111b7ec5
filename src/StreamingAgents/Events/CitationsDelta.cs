using System.Text.Json.Serialization;
using StreamingAgents.Messages;

namespace StreamingAgents.Events;

/// <summary>A citation to add to a text block.</summary>
public sealed record CitationsDelta : ContentBlockDelta
{
    /// <summary>The wire type of this delta.</summary>
    public const string WireType = "citations_delta";

    /// <inheritdoc/>
    [JsonPropertyOrder(-100)]
    public override string Type => WireType;

    /// <summary>Gets the citation.</summary>
    public required Citation Citation { get; init; }
}
