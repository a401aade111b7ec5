using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;

namespace StreamingAgents.Events;

/// <summary>A piece of a content block: text, tool input JSON, thinking, a signature or a citation.</summary>
public sealed record ContentBlockDeltaEvent : StreamEvent
{
    /// <summary>The wire type of this event.</summary>
    public const string WireType = "content_block_delta";

    // Nearly every event of a stream is a text delta: the decoder keeps just its text, and the TextDelta object is
    // made only when someone asks for Delta (the runner and the accumulator read the text directly). One field for
    // either keeps the event at 32 bytes.
    private object? _payload;

    /// <summary>Initializes a new instance.</summary>
    public ContentBlockDeltaEvent()
    {
    }

    /// <summary>Initializes a text delta event holding only its text.</summary>
#pragma warning disable CS8618 // Delta is made from the text when it is read.
    [SetsRequiredMembers]
    internal ContentBlockDeltaEvent(int index, string text)
    {
        Index = index;
        _payload = text;
    }
#pragma warning restore CS8618

    /// <inheritdoc/>
    [JsonPropertyOrder(-100)]
    public override string Type => WireType;

    /// <summary>Gets the index of the block the delta applies to.</summary>
    public required int Index { get; init; }

    /// <summary>Gets the delta.</summary>
    public required ContentBlockDelta Delta
    {
        get
        {
            // Read once: another thread may swap the text for its TextDelta meanwhile (both are equal; either wins).
            object? payload = _payload;
            if (payload is ContentBlockDelta delta)
            {
                return delta;
            }

            var made = new TextDelta { Text = (string)payload! };
            _payload = made;
            return made;
        }

        init => _payload = value;
    }

    /// <summary>Gets the text of a text delta, or null for other deltas, without creating the delta object.</summary>
    internal string? Text => _payload as string ?? (_payload as TextDelta)?.Text;

    /// <inheritdoc/>
    public bool Equals(ContentBlockDeltaEvent? other) =>
        ReferenceEquals(this, other) || (other is not null && base.Equals(other) && Index == other.Index && Delta.Equals(other.Delta));

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(base.GetHashCode(), Index, Delta);
}
