using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using StreamingAgents.Sse;

namespace StreamingAgents.Events;

/// <summary>
/// Typed events over framed SSE events: decodes each, throws <see cref="AnthropicApiException"/> at an <c>error</c>
/// event, ends after <c>message_stop</c>, and throws <see cref="StreamTruncatedException"/> when the stream ends
/// before it. Completes synchronously whenever the SSE event is already buffered: no state machine per event.
/// A text delta in the API's layout is kept as its block index and text, and becomes an event object only when
/// <see cref="Current"/> is read: the runner takes the text through <see cref="TryGetText"/> and never needs it.
/// It holds the SSE reader by its own type, not as an <see cref="IAsyncEnumerator{T}"/>: the calls per event are then
/// direct, fast without dynamic PGO too (Native AOT, or before the JIT's profile is in).
/// </summary>
internal sealed class StreamEventCursor(SseEventStream sse, string? requestId)
{
    private int _count;
    private string? _lastType;
    private bool _isEnded;
    private StreamEvent? _current;
    private int _textIndex;
    private string? _text;

    public StreamEvent Current => _current ??= new ContentBlockDeltaEvent(_textIndex, _text ?? throw new InvalidOperationException("No event has been read."));

    /// <summary>Gets whether the current event is a <c>ping</c>: a keep-alive, not content.</summary>
    public bool IsPing => _current is PingEvent;

    /// <summary>Gets the current event's block index and text if it is a text delta read without its event object.</summary>
    public bool TryGetText(out int index, [NotNullWhen(true)] out string? text)
    {
        index = _textIndex;
        text = _current is null ? _text : null;
        return text is not null;
    }

    public ValueTask<bool> MoveNextAsync()
    {
        if (_isEnded)
        {
            return new ValueTask<bool>(false);
        }

        ValueTask<bool> next = sse.MoveNextAsync();
        return next.IsCompletedSuccessfully ? new ValueTask<bool>(Accept(next.Result)) : AwaitAsync(next);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> AwaitAsync(ValueTask<bool> next) => Accept(await next.ConfigureAwait(false));

    private bool Accept(bool hasNext)
    {
        if (!hasNext)
        {
            _isEnded = true;
            throw new StreamTruncatedException(_count, _lastType);
        }

        SseEvent frame = sse.Current;
        StreamEvent? decoded = StreamEventDecoder.DecodeUnlessText(frame.EventType, frame.Utf8Data.Span, out int textIndex, out string? text);
        if (decoded is ErrorEvent error)
        {
            _isEnded = true;
            throw AnthropicApiException.FromErrorEvent(error, requestId ?? error.RequestId);
        }

        _count++;
        _lastType = decoded?.Type ?? ContentBlockDeltaEvent.WireType;
        (_current, _textIndex, _text) = (decoded, textIndex, text);
        _isEnded = decoded is MessageStopEvent; // the stream ends here, without waiting for the connection to close
        return true;
    }
}
