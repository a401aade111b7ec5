using System.Text.Json.Serialization;

namespace StreamingAgents.Messages;

/// <summary>A block of text written by the model (or sent by the user), with its citations if any.</summary>
public sealed record TextBlock : ContentBlock
{
    /// <summary>The wire type of this block.</summary>
    public const string WireType = "text";

    /// <inheritdoc/>
    [JsonPropertyOrder(-100)]
    public override string Type => WireType;

    /// <summary>Gets the text.</summary>
    public string Text { get => field ?? string.Empty; init; } = string.Empty;

    /// <summary>Gets the citations supporting the text, or <see langword="null"/> when it has none.</summary>
    public IReadOnlyList<Citation>? Citations { get; init; }
}
