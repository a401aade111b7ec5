namespace StreamingAgents.Sse;

internal sealed partial class SseEventStream
{
    /// <summary>
    /// Ensures a useful part of the buffer (an eighth, or more) is free to read into: first by dropping consumed bytes
    /// (keeping the event's data and the unfinished line), then, when those fill more than half the buffer, by
    /// renting one twice as large. Enforces <see cref="_maxEventSize"/>.
    /// </summary>
    private void MakeRoomToRead()
    {
        byte[] buffer = _buffer!;
        int lineLength = _end - _lineStart;
        int dataLength = _hasData ? _dataLength : 0;
        int live = dataLength + lineLength;
        if (live > _maxEventSize)
        {
            SseThrowHelper.ThrowInvalidData_EventTooLarge(_maxEventSize, _lineStartOffset + lineLength);
        }

        if (buffer.Length - _end >= buffer.Length / 8 && _end < buffer.Length)
        {
            return;
        }

        byte[] target = buffer;
        if (live > buffer.Length / 2)
        {
            // Cap growth near the limit: the next read may take the event at most one byte past it.
            long wanted = Math.Min((long)buffer.Length * 2, (long)_maxEventSize + 1 + (buffer.Length / 2));
            target = _pool.Rent((int)Math.Min(Math.Max(wanted, live + 1L), Array.MaxLength));
        }

        if (dataLength > 0)
        {
            buffer.AsSpan(_dataStart, dataLength).CopyTo(target);
        }

        buffer.AsSpan(_lineStart, lineLength).CopyTo(target.AsSpan(dataLength));
        _dataStart = 0;
        _scanPos = dataLength + (_scanPos - _lineStart);
        _lineStart = dataLength;
        _end = live;

        if (!ReferenceEquals(target, buffer))
        {
            _buffer = target;
            _pool.Return(buffer);
        }
    }
}
