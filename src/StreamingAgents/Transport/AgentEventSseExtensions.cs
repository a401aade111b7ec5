using System.Buffers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
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
        return WriteEventsAsync(events, destination, options, cancellationToken);

        static async Task WriteEventsAsync(IAsyncEnumerable<AgentEvent> events, Stream destination, AgentEventSseOptions options, CancellationToken cancellationToken)
        {
            using var json = new AgentEventFrameWriter();
            await WriteCoreAsync(
                events,
                (events, token) => ToItems(options.CoalesceText ? TextCoalescer.CoalesceAsync(events, options, token) : events, static e => (e, e.Sequence, e.EventType), options.ReconnectionInterval, token),
                json.Write,
                destination,
                options,
                cancellationToken).ConfigureAwait(false);
        }
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
        return WriteCoreAsync(
            events,
            (events, token) => ToItems(events, static e => (e.Utf8Json, e.Sequence, e.EventType), options.ReconnectionInterval, token),
            static (item, writer) => writer.Write(item.Data.Span),
            destination,
            options,
            cancellationToken);
    }

    private static async Task WriteCoreAsync<TEvent, TData>(
        IAsyncEnumerable<TEvent> events,
        Func<IAsyncEnumerable<TEvent>, CancellationToken, IAsyncEnumerable<SseItem<TData>>> toItems,
        Action<SseItem<TData>, IBufferWriter<byte>> formatData,
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
                await SseFormatter.WriteAsync(toItems(events, stop.Token), output, formatData, stop.Token).ConfigureAwait(false);
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

    private static async IAsyncEnumerable<SseItem<TData>> ToItems<TEvent, TData>(
        IAsyncEnumerable<TEvent> events,
        Func<TEvent, (TData Data, long Sequence, string EventType)> describe,
        TimeSpan? reconnectionInterval,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        bool isFirst = true;
        await foreach (TEvent agentEvent in events.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            (TData data, long sequence, string eventType) = describe(agentEvent);
            yield return new SseItem<TData>(data, eventType)
            {
                EventId = sequence.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ReconnectionInterval = isFirst ? reconnectionInterval : null,
            };
            isFirst = false;
        }
    }

    /// <summary>Writes each event's JSON straight into the frame, with one reused JSON writer (frames are written one at a time).</summary>
    private sealed class AgentEventFrameWriter : IDisposable
    {
        private Utf8JsonWriter? _json;

        public void Write(SseItem<AgentEvent> item, IBufferWriter<byte> destination)
        {
            if (_json is null)
            {
                _json = new Utf8JsonWriter(destination);
            }
            else
            {
                _json.Reset(destination);
            }

            JsonSerializer.Serialize(_json, item.Data, AgentJsonContext.Default.AgentEvent);
            _json.Flush();
        }

        public void Dispose() => _json?.Dispose();
    }
}
