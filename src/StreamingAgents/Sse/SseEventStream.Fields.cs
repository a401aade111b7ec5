using System.Text;

namespace StreamingAgents.Sse;

internal sealed partial class SseEventStream
{
    /// <summary>Applies one line to the event being built; returns whether it dispatched an event.</summary>
    private bool ProcessLine(byte[] buffer, int start, int end)
    {
        // Spec: "If the line is empty (a blank line) - Dispatch the event."
        if (start == end)
        {
            return Dispatch(buffer);
        }

        // Spec: "If the line starts with a U+003A COLON character (:) - Ignore the line."
        if (buffer[start] == (byte)':')
        {
            return false;
        }

        // Spec: "If the line contains a U+003A COLON character (:) - Collect the characters on the line before the
        // first U+003A COLON character (:), and let field be that string. Collect the characters on the line after
        // the first U+003A COLON character (:), and let value be that string. If value starts with a U+0020 SPACE
        // character, remove it from value." Otherwise the whole line is the field name and the value is empty.
        ReadOnlySpan<byte> line = buffer.AsSpan(start, end - start);
        int colon = line.IndexOf((byte)':');
        int valueStart = end;
        if (colon >= 0)
        {
            valueStart = start + colon + 1;
            if (valueStart < end && buffer[valueStart] == (byte)' ')
            {
                valueStart++;
            }

            line = line[..colon];
        }

        ReadOnlySpan<byte> value = buffer.AsSpan(valueStart, end - valueStart);
        switch (line.Length)
        {
            case 4 when line.SequenceEqual("data"u8):
                AppendData(buffer, valueStart, value.Length);
                break;
            case 5 when line.SequenceEqual("event"u8):
                // Spec: "Set the event type buffer to field value."
                _eventType = _eventTypes.Get(value);
                break;
            case 2 when line.SequenceEqual("id"u8):
                SetLastEventId(value);
                break;
            case 5 when line.SequenceEqual("retry"u8):
                SetRetry(value);
                break;
            default:
                // Spec: "Otherwise - The field is ignored."
                break;
        }

        return false;
    }

    /// <summary>
    /// Spec: "Append the field value to the data buffer, then append a single U+000A LINE FEED (LF) character to the
    /// data buffer." The trailing LF is removed at dispatch, so the data is the values joined with LF.
    /// </summary>
    private void AppendData(byte[] buffer, int valueStart, int valueLength)
    {
        if (!_hasData)
        {
            _hasData = true;
            _dataStart = valueStart;
            _dataLength = valueLength;
        }
        else
        {
            // The bytes after the data so far are consumed lines (at least the terminator before this line and the
            // four bytes of "data"), so the LF and the value fit before the value's old position.
            int destination = _dataStart + _dataLength;
            buffer[destination] = (byte)'\n';
            buffer.AsSpan(valueStart, valueLength).CopyTo(buffer.AsSpan(destination + 1));
            _dataLength += 1 + valueLength;
        }

        if (_dataLength > _maxEventSize)
        {
            SseThrowHelper.ThrowInvalidData_EventTooLarge(_maxEventSize, _lineStartOffset + (valueStart - _lineStart) + valueLength);
        }
    }

    /// <summary>
    /// Spec: "If the field value does not contain U+0000 NULL, then set the last event ID buffer to the field value.
    /// Otherwise, ignore the field." The buffer is not reset by dispatch, so the ID persists across events.
    /// </summary>
    private void SetLastEventId(ReadOnlySpan<byte> value)
    {
        if (value.Contains((byte)0) || value.SequenceEqual(_lastEventIdUtf8))
        {
            return;
        }

        _lastEventIdUtf8 = value.ToArray();
        _lastEventId = Encoding.UTF8.GetString(value);
    }

    /// <summary>
    /// Spec: "If the field value consists of only ASCII digits, then interpret the field value as an integer in base
    /// ten, and set the event stream's reconnection time to that integer. Otherwise, ignore the field."
    /// An empty value, or one too large for <see cref="TimeSpan"/>, is ignored too.
    /// </summary>
    private void SetRetry(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty || value.ContainsAnyExceptInRange((byte)'0', (byte)'9'))
        {
            return;
        }

        const long MaxMilliseconds = long.MaxValue / TimeSpan.TicksPerMillisecond;
        long milliseconds = 0;
        foreach (byte digit in value)
        {
            milliseconds = (milliseconds * 10) + (digit - '0');
            if (milliseconds > MaxMilliseconds)
            {
                return;
            }
        }

        _retry = TimeSpan.FromMilliseconds(milliseconds);
    }

    /// <summary>
    /// Spec: "If the data buffer is an empty string, set the data buffer and the event type buffer to the empty string
    /// and return." (A "data" line with an empty value still leaves an LF in the buffer, so it does dispatch.)
    /// Otherwise the event gets the type (default "message"), data and last event ID, and the data and event type
    /// buffers are reset.
    /// </summary>
    private bool Dispatch(byte[] buffer)
    {
        if (!_hasData)
        {
            _eventType = string.Empty;
            return false;
        }

        _current = new SseEvent(_eventType, buffer.AsMemory(_dataStart, _dataLength), _lastEventId, _retry);
        _hasData = false;
        _dataLength = 0;
        _eventType = string.Empty;
        _retry = null;
        return true;
    }
}
