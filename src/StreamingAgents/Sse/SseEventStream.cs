using System.Buffers;
using System.Runtime.CompilerServices;

namespace StreamingAgents.Sse;

/// <summary>
/// The single-use enumerable behind <see cref="SseEventReader.ReadAllAsync"/>: a byte-level implementation of the
/// WHATWG "event stream interpretation" (https://html.spec.whatwg.org/multipage/server-sent-events.html).
/// </summary>
/// <remarks>
/// Bytes stay bytes: lines are found with a vectorized search for CR/LF (both ASCII, so a multi-byte character
/// split across reads is never cut), and only whole values are decoded. A data value is not copied when an event
/// has a single <c>data</c> line: <see cref="SseEvent.Utf8Data"/> points at it in the read buffer. Further data
/// lines are joined in place, moving each value left over bytes already consumed.
/// </remarks>
internal sealed partial class SseEventStream : IAsyncEnumerable<SseEvent>, IAsyncEnumerator<SseEvent>
{
    private const byte Lf = (byte)'\n';
    private const byte Cr = (byte)'\r';

    private readonly Stream _stream;
    private readonly ArrayPool<byte> _pool;
    private readonly int _maxEventSize;
    private readonly int _initialBufferSize;
    private readonly SseEventTypes _eventTypes = new();
    private CancellationToken _cancellationToken;
    private CancellationTokenSource? _linkedTokenSource;
    private bool _enumeratorCreated;
    private bool _completed;

    // The buffer holds [_lineStart, _end): the line being read, of which [_lineStart, _scanPos) is known to hold no
    // line break; and, while an event has data, [_dataStart, _dataStart + _dataLength) before it.
    private byte[]? _buffer;
    private bool _isBufferPooled;
    private int _lineStart;
    private int _scanPos;
    private int _end;
    private long _lineStartOffset;
    private bool _bomChecked;

    // Spec: "a single U+000D CARRIAGE RETURN (CR) character not followed by a U+000A LINE FEED (LF) character" ends
    // a line, and so does CRLF. A CR that is the last byte read ends its line at once (an event is never held back
    // waiting for the next read); this flag then makes an LF arriving first in the next read part of that line end.
    private bool _skipLeadingLf;

    // The event being built ("data buffer", "event type buffer", and the fields that outlive an event).
    private bool _hasData;
    private int _dataStart;
    private int _dataLength;
    private string _eventType = string.Empty;
    private string _lastEventId = string.Empty;
    private byte[] _lastEventIdUtf8 = [];
    private TimeSpan? _retry;

    private SseEvent _current;

    public SseEventStream(Stream stream, SseReaderOptions options, CancellationToken cancellationToken)
    {
        _stream = stream;
        _pool = options.BufferPool;
        _maxEventSize = options.MaxEventSize;
        _initialBufferSize = (int)Math.Min(options.InitialBufferSize, (long)options.MaxEventSize + 1);
        _cancellationToken = cancellationToken;
    }

    public SseEvent Current => _current;

    public IAsyncEnumerator<SseEvent> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        if (_enumeratorCreated)
        {
            throw new InvalidOperationException("The Server-Sent Events sequence can be enumerated only once.");
        }

        _enumeratorCreated = true;
        if (cancellationToken.CanBeCanceled && cancellationToken != _cancellationToken)
        {
            if (_cancellationToken.CanBeCanceled)
            {
                _linkedTokenSource = CancellationTokenSource.CreateLinkedTokenSource(_cancellationToken, cancellationToken);
                _cancellationToken = _linkedTokenSource.Token;
            }
            else
            {
                _cancellationToken = cancellationToken;
            }
        }

        return this;
    }

    public ValueTask<bool> MoveNextAsync()
    {
        if (_completed)
        {
            return new ValueTask<bool>(false);
        }

        try
        {
            _cancellationToken.ThrowIfCancellationRequested();
            _buffer ??= RentBuffer(_initialBufferSize);
            if (TryReadEvent())
            {
                return new ValueTask<bool>(true);
            }
        }
        catch
        {
            Complete(returnBuffer: true);
            throw;
        }

        return ReadMoreAsync();
    }

    public ValueTask DisposeAsync()
    {
        Complete(returnBuffer: true);
        return default;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> ReadMoreAsync()
    {
        try
        {
            while (true)
            {
                int room = MakeRoomToRead();
                int read = await _stream.ReadAsync(_buffer.AsMemory(_end, room), _cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    // Spec: "Once the end of the file is reached, any pending data must be discarded. (If the file
                    // ends in the middle of an event, before the final empty line, the incomplete event is not
                    // dispatched.)"
                    Complete(returnBuffer: true);
                    return false;
                }

                _end += read;
                if (TryReadEvent())
                {
                    return true;
                }
            }
        }
        catch (Exception exception)
        {
            // A stream that gave up on a read it could not stop may still write into the buffer: never pool it again.
            Complete(returnBuffer: !SseAbandonedRead.IsMarked(exception));
            throw;
        }
    }

    /// <summary>Ends the sequence and lets go of the buffer; safe to call more than once.</summary>
    private void Complete(bool returnBuffer)
    {
        _completed = true;
        _current = default;
        if (_buffer is { } buffer)
        {
            _buffer = null;
            if (returnBuffer)
            {
                ReleaseBuffer(buffer, _isBufferPooled);
            }
        }

        _linkedTokenSource?.Dispose();
        _linkedTokenSource = null;
    }

    /// <summary>Processes the complete lines already buffered until one of them dispatches an event.</summary>
    private bool TryReadEvent()
    {
        byte[] buffer = _buffer!;
        if (!_bomChecked && !TrySkipByteOrderMark(buffer))
        {
            return false;
        }

        while (true)
        {
            if (_skipLeadingLf && _scanPos < _end)
            {
                _skipLeadingLf = false;
                if (buffer[_scanPos] == Lf)
                {
                    _lineStart = ++_scanPos;
                    _lineStartOffset++;
                }
            }

            int index = buffer.AsSpan(_scanPos, _end - _scanPos).IndexOfAny(Cr, Lf);
            if (index < 0)
            {
                _scanPos = _end;
                return false;
            }

            int lineEnd = _scanPos + index;
            int next = lineEnd + 1;
            if (buffer[lineEnd] == Cr)
            {
                if (next == _end)
                {
                    _skipLeadingLf = true;
                }
                else if (buffer[next] == Lf)
                {
                    next++;
                }
            }

            bool dispatched = ProcessLine(buffer, _lineStart, lineEnd);
            _lineStartOffset += next - _lineStart;
            _lineStart = _scanPos = next;
            if (dispatched)
            {
                return true;
            }
        }
    }

    /// <summary>
    /// Spec: "The UTF-8 decode algorithm strips one leading UTF-8 Byte Order Mark (BOM), if any." Its three bytes may
    /// arrive in separate reads, so the decision waits until three bytes (or the end of the stream) are here.
    /// </summary>
    private bool TrySkipByteOrderMark(byte[] buffer)
    {
        ReadOnlySpan<byte> bom = [0xEF, 0xBB, 0xBF];
        ReadOnlySpan<byte> start = buffer.AsSpan(0, Math.Min(_end, bom.Length));
        if (start.Length < bom.Length && bom.StartsWith(start))
        {
            return false;
        }

        _bomChecked = true;
        if (start.SequenceEqual(bom))
        {
            _lineStart = _scanPos = bom.Length;
            _lineStartOffset = bom.Length;
        }

        return true;
    }
}
