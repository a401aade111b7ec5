namespace StreamingAgents.Sse;

internal sealed partial class SseEventStream
{
    /// <summary>
    /// Buffers up to this size come from the pool. Larger ones exist only while one huge event is being read, and
    /// keeping them pooled would hold that memory for the life of the process.
    /// </summary>
    internal const int MaxPooledBufferSize = 1024 * 1024;

    /// <summary>
    /// Ensures a useful part of the buffer (an eighth, or more) is free to read into: first by dropping consumed bytes
    /// (keeping the event's data and the unfinished line), then, when those fill more than half the buffer, by taking
    /// one twice as large. Enforces <see cref="_maxEventSize"/>.
    /// </summary>
    /// <returns>How many bytes the next read may take: never so many that the event could pass the limit by more
    /// than one byte before it is checked again.</returns>
    private int MakeRoomToRead()
    {
        byte[] buffer = _buffer!;
        int lineLength = _end - _lineStart;
        int dataLength = _hasData ? _dataLength : 0;
        int live = dataLength + lineLength;
        if (live > _maxEventSize)
        {
            SseThrowHelper.ThrowInvalidData_EventTooLarge(_maxEventSize, _lineStartOffset + lineLength);
        }

        // The event may take at most one byte past the limit: enough to tell that it is too large.
        long allowed = (long)_maxEventSize + 1 - live;
        if (buffer.Length - _end < Math.Min(buffer.Length / 8, allowed) || _end == buffer.Length)
        {
            Compact(buffer, dataLength, lineLength, live);
        }

        return (int)Math.Min(_buffer!.Length - _end, allowed);
    }

    private void Compact(byte[] buffer, int dataLength, int lineLength, int live)
    {
        byte[] target = buffer;
        bool wasPooled = _isBufferPooled;
        long largest = (long)_maxEventSize + 1;
        if (live > buffer.Length / 2 && buffer.Length < largest)
        {
            target = RentBuffer((int)Math.Min(Math.Max((long)buffer.Length * 2, live + 1L), Math.Min(largest, Array.MaxLength)));
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
            ReleaseBuffer(buffer, wasPooled);
        }
    }

    private byte[] RentBuffer(int size)
    {
        _isBufferPooled = size <= MaxPooledBufferSize;
        return _isBufferPooled ? _pool.Rent(size) : GC.AllocateUninitializedArray<byte>(size);
    }

    private void ReleaseBuffer(byte[] buffer, bool isPooled)
    {
        if (isPooled)
        {
            _pool.Return(buffer);
        }
    }
}
