using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace StreamingAgents.Tests.Hardening;

/// <summary>
/// Records <see cref="TaskScheduler.UnobservedTaskException"/> reports that mention a marker unique to one test (so
/// other tests running in parallel cannot interfere), and checks for them after forcing finalization.
/// </summary>
internal sealed class UnobservedExceptionRecorder : IDisposable
{
    private readonly ConcurrentQueue<Exception> _seen = new();

    public UnobservedExceptionRecorder() => TaskScheduler.UnobservedTaskException += OnUnobserved;

    /// <summary>Gets the text to put in the message of every exception the test's code throws.</summary>
    public string Marker { get; } = $"hardening-marker-{Guid.NewGuid():N}";

    /// <summary>Collects garbage so that faulted tasks nobody observed are finalized (and reported), then checks.</summary>
    public void AssertNoneAfterCollection()
    {
        for (int i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.True(_seen.IsEmpty, $"Unobserved task exceptions: {string.Join(Environment.NewLine, _seen)}");
    }

    public void Dispose() => TaskScheduler.UnobservedTaskException -= OnUnobserved;

    private void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e)
    {
        if (e.Exception.ToString().Contains(Marker, StringComparison.Ordinal))
        {
            _seen.Enqueue(e.Exception);
        }
    }
}

/// <summary>Counts tool executions that began and that ended (returned or threw).</summary>
internal sealed class ToolCounters
{
    private readonly TaskCompletionSource _allEntered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int _expected;
    private int _entered;
    private int _exited;

    public ToolCounters(int expected) => _expected = expected;

    public int Entered => Volatile.Read(ref _entered);

    public int Exited => Volatile.Read(ref _exited);

    /// <summary>Gets a task that completes once every expected tool has entered its ExecuteAsync.</summary>
    public Task AllEntered => _allEntered.Task;

    public void Enter()
    {
        if (Interlocked.Increment(ref _entered) == _expected)
        {
            _allEntered.TrySetResult();
        }
    }

    public void Exit() => Interlocked.Increment(ref _exited);
}

/// <summary>
/// A server that never stops sending and never sends a line break: every read fills the whole buffer it is given.
/// Counts the bytes handed out.
/// </summary>
internal sealed class CountingEndlessStream : Stream
{
    private long _bytesRead;

    public long BytesRead => Interlocked.Read(ref _bytesRead);

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        buffer.Span.Fill((byte)'a');
        Interlocked.Add(ref _bytesRead, buffer.Length);
        return new ValueTask<int>(buffer.Length);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Use ReadAsync.");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>
/// A response body whose reads ignore their cancellation token: it hands out <c>prefix</c>, then every read waits
/// forever. Disposing it ends a waiting read with <see cref="ObjectDisposedException"/> only when
/// <c>failsReadsOnDispose</c> is set; otherwise the read never completes at all.
/// </summary>
internal sealed class TokenIgnoringStream(byte[] prefix, bool failsReadsOnDispose, string marker) : Stream
{
    private readonly TaskCompletionSource<int> _never = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _position;
    private int _disposed;
    private int _hangingReads;

    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    public int HangingReads => Volatile.Read(ref _hangingReads);

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // The token is ignored on purpose: this is the body under test.
        if (_position < prefix.Length)
        {
            int count = Math.Min(buffer.Length, prefix.Length - _position);
            prefix.AsSpan(_position, count).CopyTo(buffer.Span);
            _position += count;
            return new ValueTask<int>(count);
        }

        Interlocked.Increment(ref _hangingReads);
        return new ValueTask<int>(_never.Task);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Use ReadAsync.");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0 && failsReadsOnDispose)
        {
            _never.TrySetException(new ObjectDisposedException(nameof(TokenIgnoringStream), $"Disposed while a read was waiting ({marker})."));
        }

        base.Dispose(disposing);
    }
}

/// <summary>A handler whose SendAsync ignores its token: it answers only when the test says so, if ever.</summary>
internal sealed class TokenIgnoringHandler : HttpMessageHandler
{
    private readonly TaskCompletionSource<HttpResponseMessage> _response = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);
/// <summary>Answers every request sent so far (and later), long after anyone stopped waiting.</summary>
    public void RespondLate(HttpResponseMessage response) => _response.TrySetResult(response);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        return _response.Task;
    }
}
