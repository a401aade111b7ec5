using System.Runtime.CompilerServices;
using StreamingAgents.Sse;

namespace StreamingAgents.Events;

/// <summary>
/// Typed events over framed SSE events: decodes each, throws <see cref="AnthropicApiException"/> at an <c>error</c>
/// event, ends after <c>message_stop</c>, and throws <see cref="StreamTruncatedException"/> when the stream ends
/// before it. Completes synchronously whenever the SSE event is already buffered: no state machine per event.
/// </summary>
internal sealed class StreamEventCursor(IAsyncEnumerator<SseEvent> sse, string? requestId)
{
    private int _count;
    private string? _lastType;
    private bool _isEnded;

    public StreamEvent Current { get; private set; } = null!;

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
        StreamEvent decoded = StreamEventDecoder.Decode(frame.EventType, frame.Utf8Data.Span);
        if (decoded is ErrorEvent error)
        {
            _isEnded = true;
            throw AnthropicApiException.FromErrorEvent(error, requestId ?? error.RequestId);
        }

        _count++;
        _lastType = decoded.Type;
        Current = decoded;
        _isEnded = decoded is MessageStopEvent; // the stream ends here, without waiting for the connection to close
        return true;
    }
}
