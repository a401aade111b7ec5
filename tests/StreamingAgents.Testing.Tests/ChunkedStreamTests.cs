using System.Text;
using Microsoft.Extensions.Time.Testing;
using StreamingAgents.Testing.Streams;

namespace StreamingAgents.Testing.Tests;

public sealed class ChunkedStreamTests
{
    private static readonly byte[] s_content = Encoding.UTF8.GetBytes("0123456789");

    [Fact]
    public async Task ReadAsync_DeliversOneChunkPerRead()
    {
        using var stream = new ChunkedStream(s_content, Chunking.Fixed(4));
        byte[] buffer = new byte[100];

        Assert.Equal(4, await stream.ReadAsync(buffer));
        Assert.Equal(4, await stream.ReadAsync(buffer));
        Assert.Equal(2, await stream.ReadAsync(buffer));
        Assert.Equal(0, await stream.ReadAsync(buffer));
        Assert.Equal(3, stream.ReadCount);
        Assert.Equal(10, stream.BytesDelivered);
    }

    [Fact]
    public async Task ReadAsync_SmallerBuffer_SpreadsAChunkOverReads()
    {
        using var stream = new ChunkedStream(s_content);
        byte[] buffer = new byte[3];

        Assert.Equal(3, await stream.ReadAsync(buffer));
        Assert.Equal("012", Encoding.ASCII.GetString(buffer));
        Assert.Equal(3, await stream.ReadAsync(buffer));
    }

    [Fact]
    public async Task ReadAsync_DropAfterBytes_ThrowsIOException()
    {
        using var stream = new ChunkedStream(s_content, options: new ChunkedStreamOptions { EndAfterBytes = 6, Ending = StreamEnding.Drop });
        byte[] buffer = new byte[100];

        Assert.Equal(6, await stream.ReadAsync(buffer));
        var error = await Assert.ThrowsAsync<IOException>(async () => await stream.ReadAsync(buffer));
        Assert.Contains("after 6 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_Stall_WaitsUntilCancelledOrDisposed()
    {
        byte[] buffer = new byte[100];
        var stalled = new ChunkedStream(s_content, options: new ChunkedStreamOptions { Ending = StreamEnding.Stall });
        await stalled.ReadAsync(buffer);
        using var cancellation = new CancellationTokenSource();

        ValueTask<int> pending = stalled.ReadAsync(buffer, cancellation.Token);
        Assert.False(pending.IsCompleted);
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await pending);

        ValueTask<int> another = stalled.ReadAsync(buffer);
        stalled.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await another);
        Assert.True(stalled.IsDisposed);
    }

    [Fact]
    public async Task ReadAsync_Delays_FollowTheFakeClock()
    {
        var time = new FakeTimeProvider();
        using var stream = new ChunkedStream(s_content, Chunking.Fixed(5), new ChunkedStreamOptions { InitialDelay = TimeSpan.FromSeconds(2), DelayPerChunk = TimeSpan.FromSeconds(1), TimeProvider = time });
        byte[] buffer = new byte[100];
        DateTimeOffset start = time.GetUtcNow();

        Assert.Equal(5, await DriveAsync(time, stream.ReadAsync(buffer).AsTask()));
        TimeSpan first = time.GetUtcNow() - start;
        Assert.Equal(5, await DriveAsync(time, stream.ReadAsync(buffer).AsTask()));
        TimeSpan second = time.GetUtcNow() - start - first;

        // The initial delay plus one chunk delay before the first read; one chunk delay before the second.
        Assert.InRange(first, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3.3));
        Assert.InRange(second, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1.3));
    }

    /// <summary>Moves the fake clock in small steps until the read completes.</summary>
    private static async Task<int> DriveAsync(FakeTimeProvider time, Task<int> read)
    {
        for (int step = 0; step < 1000 && !read.IsCompleted; step++)
        {
            await Task.Delay(1);
            if (!read.IsCompleted)
            {
                time.Advance(TimeSpan.FromMilliseconds(100));
            }
        }

        return await read.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
