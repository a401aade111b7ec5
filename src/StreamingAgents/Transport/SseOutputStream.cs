namespace StreamingAgents.Transport;

/// <summary>
/// The destination of an SSE response as the formatter sees it: each write (one whole frame) is flushed at once, and
/// when nothing was written for the keep-alive interval a comment line goes out. Writes never interleave.
/// </summary>
internal sealed class SseOutputStream : Stream
{
    private static readonly ReadOnlyMemory<byte> s_keepAlive = ": keep-alive\n\n"u8.ToArray();

    private readonly Stream _destination;
    private readonly TimeProvider _time;
    private readonly TimeSpan _keepAlive;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _failed = new();
    private readonly ITimer? _timer;
    private long _lastWrite;
    private Exception? _keepAliveFailure;
    private bool _isDisposed;

    public SseOutputStream(Stream destination, TimeProvider time, TimeSpan keepAlive)
    {
        _destination = destination;
        _time = time;
        _keepAlive = keepAlive;
        _lastWrite = time.GetTimestamp();
        if (keepAlive != Timeout.InfiniteTimeSpan)
        {
            _timer = time.CreateTimer(static state => _ = ((SseOutputStream)state!).KeepAliveAsync(), this, keepAlive, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Gets a token cancelled when a keep-alive could not be written (the client has gone).</summary>
    public CancellationToken Failed => _failed.Token;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfKeepAliveFailed();
            await _destination.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            await _destination.FlushAsync(cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _lastWrite, _time.GetTimestamp());
        }
        finally
        {
            _gate.Release();
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("SSE is written asynchronously.");

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask; // every write is flushed

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Stops the keep-alives and waits for one being written; rethrows its failure if it was the first.</summary>
    public override async ValueTask DisposeAsync()
    {
        if (_isDisposed)
        {
            return;
        }

        _isDisposed = true;
        if (_timer is not null)
        {
            await _timer.DisposeAsync().ConfigureAwait(false);
        }

        await _gate.WaitAsync().ConfigureAwait(false); // no keep-alive is under way after this
        _failed.Dispose();
        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Throws what made a keep-alive fail, if one did: the connection is gone.</summary>
    public void ThrowIfKeepAliveFailed()
    {
        if (_keepAliveFailure is { } failure)
        {
            throw new IOException("The event stream's connection failed while it was idle.", failure);
        }
    }

    private async Task KeepAliveAsync()
    {
        if (_isDisposed || !_gate.Wait(0))
        {
            Rearm(_keepAlive); // a frame is being written right now: that is traffic enough
            return;
        }

        try
        {
            TimeSpan silent = _time.GetElapsedTime(Volatile.Read(ref _lastWrite));
            if (silent < _keepAlive)
            {
                Rearm(_keepAlive - silent);
                return;
            }

            await _destination.WriteAsync(s_keepAlive).ConfigureAwait(false);
            await _destination.FlushAsync().ConfigureAwait(false);
            Volatile.Write(ref _lastWrite, _time.GetTimestamp());
            Rearm(_keepAlive);
        }
        catch (Exception exception)
        {
            _keepAliveFailure = exception;
            await _failed.CancelAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Rearm(TimeSpan due)
    {
        if (!_isDisposed)
        {
            _timer?.Change(due, Timeout.InfiniteTimeSpan);
        }
    }
}
