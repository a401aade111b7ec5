namespace StreamingAgents.Testing.Streams;

/// <summary>
/// A read-only stream that hands out fixed content in the chunks a <see cref="Chunking"/> chooses, optionally with a
/// delay per chunk and a fault at the end: a deterministic stand-in for a network response body.
/// </summary>
/// <remarks>A read returns at most one chunk; a chunk larger than the caller's buffer spans several reads.</remarks>
public sealed class ChunkedStream : Stream
{
    private readonly ReadOnlyMemory<byte> _content;
    private readonly IReadOnlyList<int> _chunkSizes;
    private readonly ChunkedStreamOptions _options;
    private readonly CancellationTokenSource _disposed = new();
    private int _chunkIndex;
    private int _leftInChunk;
    private int _position;

    /// <summary>Initializes a stream over <paramref name="content"/>.</summary>
    /// <param name="content">The bytes to deliver.</param>
    /// <param name="chunking">How to split them into reads; <see langword="null"/> means <see cref="Chunking.Whole"/>.</param>
    /// <param name="options">Delays and faults; <see langword="null"/> means none.</param>
    public ChunkedStream(ReadOnlyMemory<byte> content, Chunking? chunking = null, ChunkedStreamOptions? options = null)
    {
        _options = options ?? new ChunkedStreamOptions();
        _content = _options.EndAfterBytes is { } end ? content[..Math.Clamp(end, 0, content.Length)] : content;
        _chunkSizes = (chunking ?? Chunking.Whole).GetChunkSizes(_content);
    }

    /// <summary>Per-chunk delays that replace <see cref="ChunkedStreamOptions.DelayPerChunk"/>: a recording's timing.</summary>
    internal IReadOnlyList<TimeSpan>? ChunkDelays { get; init; }

    /// <summary>Gets the number of bytes handed out so far.</summary>
    public long BytesDelivered => _position;

    /// <summary>Gets the number of reads that returned bytes.</summary>
    public int ReadCount { get; private set; }

    /// <summary>Gets whether the stream has been disposed (for example by a reader that owns it).</summary>
    public bool IsDisposed => _disposed.IsCancellationRequested;

    /// <inheritdoc/>
    public override bool CanRead => !IsDisposed;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override bool CanWrite => false;

    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count), CancellationToken.None).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        if (buffer.IsEmpty)
        {
            return 0;
        }

        if (_options.YieldOnEachRead)
        {
            await Task.Yield();
        }

        if (_leftInChunk == 0)
        {
            if (_chunkIndex == _chunkSizes.Count)
            {
                return await EndAsync(cancellationToken).ConfigureAwait(false);
            }

            if (_chunkIndex == 0 && _options.InitialDelay > TimeSpan.Zero)
            {
                await Task.Delay(_options.InitialDelay, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
            }

            TimeSpan delay = ChunkDelays is { } delays ? delays[_chunkIndex] : _options.DelayPerChunk;
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
            }

            _leftInChunk = _chunkSizes[_chunkIndex++];
        }

        int count = Math.Min(_leftInChunk, buffer.Length);
        _content.Slice(_position, count).CopyTo(buffer);
        _position += count;
        _leftInChunk -= count;
        ReadCount++;
        return count;
    }

    /// <inheritdoc/>
    public override void Flush()
    {
    }

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing && !IsDisposed)
        {
            _disposed.Cancel();
            _disposed.Dispose();
        }

        base.Dispose(disposing);
    }

    private async ValueTask<int> EndAsync(CancellationToken cancellationToken)
    {
        switch (_options.Ending)
        {
            case StreamEnding.Drop:
                throw new IOException($"The connection dropped after {_position} bytes (simulated by ChunkedStream).");
            case StreamEnding.Stall:
                using (var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token))
                {
                    try
                    {
                        await Task.Delay(Timeout.InfiniteTimeSpan, _options.TimeProvider, stall.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        throw new ObjectDisposedException(nameof(ChunkedStream), "The stream was disposed while a read was stalled.");
                    }
                }

                return 0;
            default:
                return 0;
        }
    }
}
