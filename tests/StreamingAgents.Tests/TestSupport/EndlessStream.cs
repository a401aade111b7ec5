namespace StreamingAgents.Tests.TestSupport;

/// <summary>A stream that repeats one byte pattern forever (or up to a limit): a server gone wrong.</summary>
internal sealed class EndlessStream(byte[] pattern, long limit = long.MaxValue) : Stream
{
    private long _position;

    public long BytesRead => _position;

    public override int Read(byte[] buffer, int offset, int count)
    {
        count = (int)Math.Min(count, limit - _position);
        for (int i = 0; i < count; i++)
        {
            buffer[offset + i] = pattern[(int)(_position++ % pattern.Length)];
        }

        return count;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
