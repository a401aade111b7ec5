using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace StreamingAgents.Benchmarks.Latency;

/// <summary>
/// A response body fed while it is read, like a socket: each read returns bytes of one written chunk (as much of it
/// as fits), waiting when none is queued, so an event written as two chunks always reaches the reader in two reads.
/// The writer may reuse a chunk's memory once the reader has been seen to act on everything in it.
/// </summary>
internal sealed class TrickleStream : Stream
{
    private readonly Channel<ReadOnlyMemory<byte>> _chunks =
        Channel.CreateUnbounded<ReadOnlyMemory<byte>>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    private ReadOnlyMemory<byte> _current;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Makes <paramref name="chunk"/> readable (one writer at a time).</summary>
    public void Enqueue(ReadOnlyMemory<byte> chunk)
    {
        if (!chunk.IsEmpty)
        {
            _chunks.Writer.TryWrite(chunk);
        }
    }

    /// <summary>Ends the body: reads return 0 once the queued chunks are read.</summary>
    public void Complete() => _chunks.Writer.TryComplete();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return new ValueTask<int>(0);
        }

        if (_current.IsEmpty && !_chunks.Reader.TryRead(out _current))
        {
            return WaitAndReadAsync(buffer, cancellationToken);
        }

        return new ValueTask<int>(Take(buffer.Span));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("The body is read asynchronously.");

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
            Complete();
        }

        base.Dispose(disposing);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> WaitAndReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (await _chunks.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_chunks.Reader.TryRead(out _current))
            {
                return Take(buffer.Span);
            }
        }

        return 0;
    }

    private int Take(Span<byte> destination)
    {
        int count = Math.Min(destination.Length, _current.Length);
        _current.Span[..count].CopyTo(destination);
        _current = _current[count..];
        return count;
    }
}
