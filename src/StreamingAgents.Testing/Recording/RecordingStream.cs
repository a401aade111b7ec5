using System.Buffers;

namespace StreamingAgents.Testing.Recording;

/// <summary>
/// Passes a response body through unchanged while keeping a copy of its bytes and the time each read returned them;
/// reports once, when the body ends, fails, or is disposed before its end.
/// </summary>
internal sealed class RecordingStream(Stream inner, HttpContent owner, Func<double> elapsedMs, Action<byte[], IReadOnlyList<RecordedRead>, RecordedEnding, string?> complete) : Stream
{
    private readonly ArrayBufferWriter<byte> _body = new();
    private readonly List<RecordedRead> _reads = [];
    private int _completed;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _body.WrittenCount;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int count;
        try
        {
            count = inner.Read(buffer);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            Complete(RecordedEnding.Dropped, exception.Message);
            throw;
        }

        return Received(buffer[..count], buffer.IsEmpty);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int count;
        try
        {
            count = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            Complete(RecordedEnding.Dropped, exception.Message);
            throw;
        }

        return Received(buffer.Span[..count], buffer.IsEmpty);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            try
            {
                Complete(RecordedEnding.Closed, null);
            }
            finally
            {
                inner.Dispose();
                owner.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    private int Received(ReadOnlySpan<byte> bytes, bool askedForNothing)
    {
        if (bytes.IsEmpty)
        {
            if (!askedForNothing)
            {
                Complete(RecordedEnding.End, null);
            }

            return 0;
        }

        _body.Write(bytes);
        _reads.Add(new RecordedRead(elapsedMs(), bytes.Length));
        return bytes.Length;
    }

    private void Complete(RecordedEnding ending, string? message)
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0)
        {
            complete(_body.WrittenSpan.ToArray(), _reads, ending, message);
        }
    }
}
