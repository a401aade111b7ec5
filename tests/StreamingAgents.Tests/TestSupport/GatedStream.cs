namespace StreamingAgents.Tests.TestSupport;

/// <summary>
/// A stream that hands out its first part, then blocks until the test opens the gate, then hands out the rest.
/// It proves a reader yields what it has without waiting to fill its buffer.
/// </summary>
internal sealed class GatedStream(byte[] first, byte[] rest) : Stream
{
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _stage;

    public bool IsBlocked { get; private set; }

    public void Open() => _gate.TrySetResult();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        switch (_stage++)
        {
            case 0:
                first.CopyTo(buffer);
                return first.Length;
            case 1:
                IsBlocked = true;
                await _gate.Task.WaitAsync(cancellationToken);
                IsBlocked = false;
                rest.CopyTo(buffer);
                return rest.Length;
            default:
                return 0;
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Use ReadAsync.");

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
