using System.Text.Json.Serialization;

namespace StreamingAgents.Messages;

/// <summary>An image in a user turn or a tool result.</summary>
public sealed record ImageBlock : ContentBlock
{
    /// <summary>The wire type of this block.</summary>
    public const string WireType = "image";

    /// <inheritdoc/>
    [JsonPropertyOrder(-100)]
    public override string Type => WireType;

    /// <summary>Gets where the image comes from.</summary>
    public ImageSource Source { get => field ?? new(); init; } = new();
}
