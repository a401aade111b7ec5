using System.Text.Json.Serialization;

namespace StreamingAgents.Events;

/// <summary>
/// An error reported in the middle of a stream, such as <c>overloaded_error</c>.
/// <see cref="StreamEventReader"/> turns it into an <see cref="AnthropicApiException"/> when reached.
/// </summary>
public sealed record ErrorEvent : StreamEvent
{
    /// <summary>The wire type of this event.</summary>
    public const string WireType = "error";

    /// <inheritdoc/>
    [JsonPropertyOrder(-100)]
    public override string Type => WireType;

    /// <summary>Gets the error.</summary>
    public required ApiError Error { get; init; }

    /// <summary>Gets the request ID the event carries (errors name their request), if it has one.</summary>
    public string? RequestId { get; init; }
}
