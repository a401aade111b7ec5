using System.Runtime.CompilerServices;
using StreamingAgents.Sse;

namespace StreamingAgents.Events;

/// <summary>Reads the typed events of a Messages API stream from its SSE bytes.</summary>
public static class StreamEventReader
{
    /// <summary>
    /// Reads a Messages API event stream: SSE bytes in, typed events out, each as soon as it arrives.
    /// </summary>
    /// <param name="stream">The <c>text/event-stream</c> body. It is not disposed.</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <returns>The events, ending with <see cref="MessageStopEvent"/>.</returns>
    /// <remarks>
    /// <para>The sequence ends at <c>message_stop</c> without waiting for the connection to close. <c>ping</c>
    /// events are delivered, so a consumer can tell a quiet stream from a stalled one.</para>
    /// <para>Errors surface where they occur in the stream, after every earlier event has been delivered: an
    /// <c>error</c> event throws <see cref="AnthropicApiException"/>; a stream that ends before <c>message_stop</c>
    /// throws <see cref="StreamTruncatedException"/>; undecodable data throws <see cref="StreamProtocolException"/>;
    /// malformed SSE throws <see cref="InvalidDataException"/>. The sequence can be enumerated once.</para>
    /// </remarks>
    public static IAsyncEnumerable<StreamEvent> ReadAllAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return ReadAllAsync(stream, SseReaderOptions.Default, cancellationToken);
    }

    /// <summary>As the public overload, with the SSE reader's options (tests give it a pool that counts its buffers).</summary>
    internal static async IAsyncEnumerable<StreamEvent> ReadAllAsync(Stream stream, SseReaderOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var sse = new SseEventStream(stream, options, cancellationToken);
        await using (((IAsyncDisposable)sse).ConfigureAwait(false)) // the cast picks IAsyncDisposable's ConfigureAwait: the reader is also an IAsyncEnumerable
        {
            var cursor = new StreamEventCursor(sse, requestId: null);
            while (await cursor.MoveNextAsync().ConfigureAwait(false))
            {
                yield return cursor.Current;
            }
        }
    }
}
