using StreamingAgents.Sse;

namespace StreamingAgents.Http;

/// <summary>
/// A read-only view of a response body that tells <see cref="StreamLiveness"/> when the reader waits for bytes and when
/// they arrive, and that stops waiting for a read the body does not end when its token is cancelled.
/// </summary>
internal sealed class LivenessStream(Stream inner, StreamLiveness liveness) : Stream
{
    /// <summary>Gets how many reads have brought bytes (see <see cref="Events.IBodyReadCounter"/>).</summary>
    public long BodyReads { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        liveness.BeginWait(); // the next event is not buffered: from here on, the server is awaited
        ValueTask<int> read = inner.ReadAsync(buffer, cancellationToken);
        if (!read.IsCompletedSuccessfully)
        {
            return AwaitReadAsync(read, cancellationToken);
        }

        int count = read.Result;
        if (count > 0)
        {
            OnBytesReceived();
        }

        return new ValueTask<int>(count);
    }

    private void OnBytesReceived()
    {
        BodyReads++;
        liveness.OnBytesReceived();
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("The response body is read asynchronously.");

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
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>
    /// A body that ignores cancellation must not hold the client past its timeout: on cancellation a read still
    /// running is abandoned (the caller then disposes the body, which ends it). It may still write into the buffer,
    /// so the exception is marked and the SSE reader does not return that buffer to its pool.
    /// </summary>
    private async ValueTask<int> AwaitReadAsync(ValueTask<int> read, CancellationToken cancellationToken)
    {
        Task<int> pending = read.AsTask();
        int count;
        try
        {
            count = await pending.WaitOrAbandonAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException abandoned) when (!pending.IsCompleted)
        {
            SseAbandonedRead.Mark(abandoned);
            throw;
        }

        if (count > 0)
        {
            OnBytesReceived();
        }

        return count;
    }
}
