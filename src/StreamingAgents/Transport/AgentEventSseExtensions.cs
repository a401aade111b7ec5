using System.Buffers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using StreamingAgents.Agents;

namespace StreamingAgents.Transport;

/// <summary>Writes agent events as Server-Sent Events (<c>text/event-stream</c>), the way a browser's EventSource reads them.</summary>
/// <remarks>
/// Each event is one frame: <c>event:</c> its type, <c>id:</c> its sequence number (a reconnecting EventSource sends
/// it back as <c>Last-Event-ID</c>), one line of <c>data:</c> JSON, and <c>retry:</c> with the first; each frame is
/// flushed at once. A comment line keeps a silent stream open (see <see cref="AgentEventSseOptions.KeepAliveInterval"/>).
/// Formatting is System.Net.ServerSentEvents' <see cref="SseFormatter"/>; JSON is source-generated (AOT-safe).
/// </remarks>
public static class AgentEventSseExtensions
{
    /// <summary>Writes the events to <paramref name="destination"/> as they come, until they end.</summary>
    /// <param name="events">The events, for example <c>runner.RunAsync(...)</c>.</param>
    /// <param name="destination">The response body; it is not disposed.</param>
    /// <param name="options">Keep-alive, reconnection hint and text coalescing; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Stops writing (and the events' enumeration).</param>
    /// <returns>A task that completes when the events end.</returns>
    /// <exception cref="IOException">The connection failed (also while idle between events).</exception>
    public static Task WriteAsSseAsync(this IAsyncEnumerable<AgentEvent> events, Stream destination, AgentEventSseOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(destination);
        options ??= new AgentEventSseOptions();
        options.Validate();
        return WriteCoreAsync(events, static (events, options, token) => Serialize(options.CoalesceText ? TextCoalescer.CoalesceAsync(events, options, token) : events, token), destination, options, cancellationToken);
    }

    /// <summary>Writes events already in their wire form (from a run store) to <paramref name="destination"/>.</summary>
    /// <param name="events">The serialized events.</param>
    /// <param name="destination">The response body; it is not disposed.</param>
    /// <param name="options">Keep-alive and reconnection hint (text is not coalesced here); <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Stops writing (and the events' enumeration).</param>
    /// <returns>A task that completes when the events end.</returns>
    /// <exception cref="IOException">The connection failed (also while idle between events).</exception>
    public static Task WriteAsSseAsync(this IAsyncEnumerable<SerializedAgentEvent> events, Stream destination, AgentEventSseOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(destination);
        options ??= new AgentEventSseOptions();
        options.Validate();
        return WriteCoreAsync(events, static (events, _, _) => events, destination, options, cancellationToken);
    }

    private static async Task WriteCoreAsync<T>(
        IAsyncEnumerable<T> events,
        Func<IAsyncEnumerable<T>, AgentEventSseOptions, CancellationToken, IAsyncEnumerable<SerializedAgentEvent>> toFrames,
        Stream destination,
        AgentEventSseOptions options,
        CancellationToken cancellationToken)
    {
        var output = new SseOutputStream(destination, options.TimeProvider, options.KeepAliveInterval);
        await using (output.ConfigureAwait(false))
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, output.Failed);
            try
            {
                IAsyncEnumerable<SseItem<ReadOnlyMemory<byte>>> items = ToItems(toFrames(events, options, stop.Token), options.ReconnectionInterval, stop.Token);
                await SseFormatter.WriteAsync(items, output, static (item, writer) => writer.Write(item.Data.Span), stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (output.Failed.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                output.ThrowIfKeepAliveFailed();
                throw;
            }
            finally
            {
                await stop.CancelAsync().ConfigureAwait(false);
            }
        }
    }

    private static async IAsyncEnumerable<SseItem<ReadOnlyMemory<byte>>> ToItems(
        IAsyncEnumerable<SerializedAgentEvent> frames,
        TimeSpan? reconnectionInterval,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        bool isFirst = true;
        await foreach (SerializedAgentEvent frame in frames.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return new SseItem<ReadOnlyMemory<byte>>(frame.Utf8Json, frame.EventType)
            {
                EventId = frame.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ReconnectionInterval = isFirst ? reconnectionInterval : null,
            };
            isFirst = false;
        }
    }

    private static async IAsyncEnumerable<SerializedAgentEvent> Serialize(IAsyncEnumerable<AgentEvent> events, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (AgentEvent agentEvent in events.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return SerializedAgentEvent.From(agentEvent);
        }
    }
}
