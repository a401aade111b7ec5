using System.Text;

namespace StreamingAgents.Sse;

/// <summary>
/// One event dispatched from a Server-Sent Events stream, as defined by the WHATWG
/// "event stream interpretation" rules.
/// </summary>
/// <remarks>
/// <see cref="Utf8Data"/> points into the reader's pooled buffer: it is valid only until the enumerator
/// advances or is disposed. Copy it (or call <see cref="GetData"/>) to keep it longer.
/// </remarks>
public readonly struct SseEvent
{
    /// <summary>The event type used when an event carries no <c>event</c> field (or an empty one).</summary>
    public const string DefaultEventType = "message";

    /// <summary>Initializes a new event. Readers create events; tests and adapters may too.</summary>
    /// <param name="eventType">The event type; <see langword="null"/> or empty means <see cref="DefaultEventType"/>.</param>
    /// <param name="utf8Data">The event's data as UTF-8 bytes.</param>
    /// <param name="lastEventId">The last event ID in effect when the event was dispatched.</param>
    /// <param name="retry">The reconnection time announced since the previous event, if any.</param>
    public SseEvent(string? eventType, ReadOnlyMemory<byte> utf8Data, string? lastEventId = null, TimeSpan? retry = null)
    {
        EventType = string.IsNullOrEmpty(eventType) ? DefaultEventType : eventType;
        Utf8Data = utf8Data;
        LastEventId = lastEventId ?? string.Empty;
        Retry = retry;
    }

    /// <summary>Gets the event type: the value of the last <c>event</c> field, or "message" when there was none.</summary>
    public string EventType => field ?? DefaultEventType;

    /// <summary>
    /// Gets the event's data (its <c>data</c> lines joined with LF) as UTF-8 bytes, without allocating.
    /// Valid until the enumerator that produced the event advances.
    /// </summary>
    public ReadOnlyMemory<byte> Utf8Data { get; }

    /// <summary>Gets the last event ID in effect when the event was dispatched, or "" if none was set.</summary>
    public string LastEventId => field ?? string.Empty;

    /// <summary>
    /// Gets the reconnection time from a valid <c>retry</c> field seen since the previous dispatched event,
    /// or <see langword="null"/> if there was none.
    /// </summary>
    public TimeSpan? Retry { get; }

    /// <summary>Decodes the data as a new string. Invalid UTF-8 becomes U+FFFD, as the specification requires.</summary>
    /// <returns>The event's data.</returns>
    public string GetData() => Encoding.UTF8.GetString(Utf8Data.Span);

    /// <inheritdoc/>
    public override string ToString() => $"{EventType}: {GetData()}";
}
