namespace StreamingAgents.Messages;

/// <summary>Metadata about the request.</summary>
public sealed record RequestMetadata
{
    /// <summary>Gets an opaque identifier of the end user (no names or contact details).</summary>
    public string? UserId { get; init; }
}
