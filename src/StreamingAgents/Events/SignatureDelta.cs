using System.Text.Json.Serialization;

namespace StreamingAgents.Events;

/// <summary>The signature of a thinking block, sent just before the block stops.</summary>
public sealed record SignatureDelta : ContentBlockDelta
{
    /// <summary>The wire type of this delta.</summary>
    public const string WireType = "signature_delta";

    /// <inheritdoc/>
    [JsonPropertyOrder(-100)]
    public override string Type => WireType;

    /// <summary>Gets the signature.</summary>
    public required string Signature { get; init; }
}
