namespace StreamingAgents.Sse;

/// <summary>Reads Server-Sent Events from a byte stream.</summary>
public static class SseEventReader
{
    /// <summary>
    /// Reads the events of a <c>text/event-stream</c>, yielding each one as soon as the blank line that ends it
    /// has been read.
    /// </summary>
    /// <param name="stream">The UTF-8 event stream. It is not disposed by the reader.</param>
    /// <param name="options">Limits; <see langword="null"/> uses the defaults.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The events, in order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// The returned sequence can be enumerated once. Enumerating it throws <see cref="InvalidDataException"/>
    /// (naming the limit and the stream offset) when an event exceeds <see cref="SseReaderOptions.MaxEventSize"/>,
    /// and propagates the stream's own exceptions unchanged. Pooled buffers are returned when the sequence ends,
    /// fails, is cancelled or is disposed early.
    /// </remarks>
    public static IAsyncEnumerable<SseEvent> ReadAllAsync(
        Stream stream,
        SseReaderOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return new SseEventStream(stream, options ?? SseReaderOptions.Default, cancellationToken);
    }
}
