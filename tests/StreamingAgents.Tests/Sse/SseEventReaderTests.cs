using System.Text;
using StreamingAgents.Sse;
using StreamingAgents.Testing.Streams;
using StreamingAgents.Tests.TestSupport;

namespace StreamingAgents.Tests.Sse;

public sealed class SseEventReaderTests
{
    private static readonly TimeSpan s_hangGuard = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("data: first\n\n")]
    [InlineData("data: first\r\n\r")]
    [InlineData("data: first\r\r")]
    public async Task ReadAllAsync_EventCompleteBeforeStreamBlocks_YieldsItWithoutWaiting(string first)
    {
        var stream = new GatedStream(Encoding.UTF8.GetBytes(first), Encoding.UTF8.GetBytes("\ndata: second\n\n"));
        await using IAsyncEnumerator<SseEvent> events = SseEventReader.ReadAllAsync(stream).GetAsyncEnumerator();

        // The reader must hand over the first event while the stream still withholds everything after it.
        Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(s_hangGuard));
        Assert.Equal("first", events.Current.GetData());
        Assert.False(stream.IsBlocked);

        ValueTask<bool> next = events.MoveNextAsync();
        Assert.False(next.IsCompleted);
        Assert.True(stream.IsBlocked);
        stream.Open();
        Assert.True(await next.AsTask().WaitAsync(s_hangGuard));
        Assert.Equal("second", events.Current.GetData());
        Assert.False(await events.MoveNextAsync());
    }

    [Fact]
    public async Task ReadAllAsync_EventLargerThanLimit_ThrowsInvalidDataNamingLimitAndOffset()
    {
        var pool = new CountingArrayPool();
        var options = new SseReaderOptions { MaxEventSize = 100, BufferPool = pool, InitialBufferSize = 16 };
        byte[] input = Encoding.UTF8.GetBytes("data: ok\n\ndata: " + new string('x', 200) + "\n\n");
        var received = new List<string>();

        var error = await Assert.ThrowsAsync<InvalidDataException>(async () =>
        {
            await foreach (SseEvent item in SseEventReader.ReadAllAsync(new ChunkedStream(input, Chunking.Fixed(7)), options))
            {
                received.Add(item.GetData());
            }
        });

        Assert.Equal(["ok"], received);
        Assert.Contains("MaxEventSize (100 bytes)", error.Message, StringComparison.Ordinal);
        long offset = Assert.IsType<long>(error.Data["ByteOffset"]);
        Assert.InRange(offset, 10 + 100, 10 + 110);
        Assert.Contains($"offset {offset}", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, pool.Outstanding);
    }

    [Fact]
    public async Task ReadAllAsync_ManyDataLinesBeyondLimit_ThrowsInvalidData()
    {
        var options = new SseReaderOptions { MaxEventSize = 1000 };
        byte[] input = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("data: 0123456789\n", 200)) + "\n");

        await Assert.ThrowsAsync<InvalidDataException>(async () =>
        {
            await foreach (SseEvent item in SseEventReader.ReadAllAsync(new MemoryStream(input), options))
            {
            }
        });
    }

    [Theory]
    [InlineData("x")]
    [InlineData(": comment without end ")]
    [InlineData("data")]
    public async Task ReadAllAsync_EndlessBytesWithoutLineBreak_ThrowsInsteadOfGrowingForever(string pattern)
    {
        var pool = new CountingArrayPool();
        var options = new SseReaderOptions { MaxEventSize = 64 * 1024, BufferPool = pool };
        var stream = new EndlessStream(Encoding.UTF8.GetBytes(pattern));

        var error = await Assert.ThrowsAsync<InvalidDataException>(async () =>
        {
            await foreach (SseEvent item in SseEventReader.ReadAllAsync(stream, options))
            {
            }
        });

        Assert.Contains("MaxEventSize", error.Message, StringComparison.Ordinal);
        Assert.InRange(stream.BytesRead, 64 * 1024, 3 * 64 * 1024);
        Assert.Equal(0, pool.Outstanding);
    }

    [Fact]
    public async Task ReadAllAsync_LongRunOfCommentLines_NeverCountsAgainstLimit()
    {
        var options = new SseReaderOptions { MaxEventSize = 1024 };
        var stream = new EndlessStream(Encoding.UTF8.GetBytes(": keep-alive\n"), limit: 1024 * 1024);
        int count = 0;

        // Comments are discarded as they are read, so a megabyte of them passes a 1 KiB limit.
        await foreach (SseEvent item in SseEventReader.ReadAllAsync(stream, options))
        {
            count++;
        }

        Assert.Equal(0, count);
        Assert.Equal(1024 * 1024, stream.BytesRead);
    }

    [Fact]
    public async Task ReadAllAsync_CancelledWhileWaitingForBytes_ThrowsOperationCanceledAndReturnsBuffer()
    {
        var pool = new CountingArrayPool();
        var stream = new ChunkedStream(Encoding.UTF8.GetBytes("data: a\n\ndata: partial"), options: new ChunkedStreamOptions { Ending = StreamEnding.Stall });
        using var cancellation = new CancellationTokenSource();
        await using IAsyncEnumerator<SseEvent> events = SseEventReader.ReadAllAsync(stream, new SseReaderOptions { BufferPool = pool }, cancellation.Token).GetAsyncEnumerator();
        Assert.True(await events.MoveNextAsync());

        ValueTask<bool> pending = events.MoveNextAsync();
        Assert.False(pending.IsCompleted);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.AsTask().WaitAsync(s_hangGuard));
        Assert.Equal(0, pool.Outstanding);
        Assert.False(stream.IsDisposed);
    }

    [Fact]
    public async Task ReadAllAsync_TokenFromWithCancellation_CancelsToo()
    {
        var stream = new ChunkedStream(Encoding.UTF8.GetBytes("data: a\n\n"), options: new ChunkedStreamOptions { Ending = StreamEnding.Stall });
        using var outer = new CancellationTokenSource();
        using var inner = new CancellationTokenSource();
        int count = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (SseEvent item in SseEventReader.ReadAllAsync(stream, cancellationToken: outer.Token).WithCancellation(inner.Token))
            {
                count++;
                await inner.CancelAsync();
            }
        });

        Assert.Equal(1, count);
    }

    [Fact]
    public async Task ReadAllAsync_CancelledBeforeNextEvent_ThrowsEvenWhenEventsAreBuffered()
    {
        using var cancellation = new CancellationTokenSource();
        byte[] input = Encoding.UTF8.GetBytes("data: a\n\ndata: b\n\n");
        var received = new List<string>();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (SseEvent item in SseEventReader.ReadAllAsync(new MemoryStream(input), cancellationToken: cancellation.Token))
            {
                received.Add(item.GetData());
                await cancellation.CancelAsync();
            }
        });

        Assert.Equal(["a"], received);
    }

    [Fact]
    public async Task ReadAllAsync_EarlyBreak_ReturnsBufferAndLeavesStreamOpen()
    {
        var pool = new CountingArrayPool();
        var stream = new ChunkedStream(Encoding.UTF8.GetBytes("data: a\n\ndata: b\n\n"), Chunking.OneByte);

        await foreach (SseEvent item in SseEventReader.ReadAllAsync(stream, new SseReaderOptions { BufferPool = pool }))
        {
            Assert.Equal(1, pool.Outstanding);
            break;
        }

        Assert.Equal(0, pool.Outstanding);
        Assert.True(pool.RentCount > 0);
        Assert.False(stream.IsDisposed);
    }

    [Fact]
    public async Task ReadAllAsync_StreamThrowsMidEvent_PropagatesSameExceptionAfterEarlierEvents()
    {
        var pool = new CountingArrayPool();
        var stream = new ChunkedStream(Encoding.UTF8.GetBytes("data: a\n\ndata: half"), Chunking.Fixed(3), new ChunkedStreamOptions { Ending = StreamEnding.Drop });
        var received = new List<string>();

        var error = await Assert.ThrowsAsync<IOException>(async () =>
        {
            await foreach (SseEvent item in SseEventReader.ReadAllAsync(stream, new SseReaderOptions { BufferPool = pool }))
            {
                received.Add(item.GetData());
            }
        });

        Assert.Equal(["a"], received);
        Assert.Contains("dropped", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, pool.Outstanding);
    }

    [Fact]
    public async Task ReadAllAsync_Completed_ReturnsBufferAndDoesNotDisposeStream()
    {
        var pool = new CountingArrayPool();
        var stream = new ChunkedStream(Encoding.UTF8.GetBytes("data: a\n\n"));
        IAsyncEnumerator<SseEvent> events = SseEventReader.ReadAllAsync(stream, new SseReaderOptions { BufferPool = pool }).GetAsyncEnumerator();

        Assert.True(await events.MoveNextAsync());
        Assert.False(await events.MoveNextAsync());

        // Returned at completion, before (and regardless of) disposal.
        Assert.Equal(0, pool.Outstanding);
        Assert.False(await events.MoveNextAsync());
        await events.DisposeAsync();
        Assert.False(stream.IsDisposed);
    }

    [Fact]
    public async Task ReadAllAsync_EnumeratedTwice_Throws()
    {
        IAsyncEnumerable<SseEvent> events = SseEventReader.ReadAllAsync(new MemoryStream());
        await using IAsyncEnumerator<SseEvent> first = events.GetAsyncEnumerator();

        Assert.Throws<InvalidOperationException>(() => events.GetAsyncEnumerator());
    }

    [Fact]
    public void ReadAllAsync_NullStream_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => SseEventReader.ReadAllAsync(null!));
    }

    [Fact]
    public async Task ReadAllAsync_LargestMaxEventSize_Works()
    {
        var options = new SseReaderOptions { MaxEventSize = int.MaxValue };
        int count = 0;

        await foreach (SseEvent item in SseEventReader.ReadAllAsync(new MemoryStream("data: a\n\n"u8.ToArray()), options))
        {
            count++;
        }

        Assert.Equal(1, count);
    }

    [Fact]
    public void MaxEventSize_ZeroOrNegative_Throws()
    {
        var options = new SseReaderOptions();

        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxEventSize = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxEventSize = -1);
        Assert.Equal(SseReaderOptions.DefaultMaxEventSize, options.MaxEventSize);
    }

    [Fact]
    public async Task ReadAllAsync_Utf8Data_IsTheRawBytesOfTheData()
    {
        byte[] input = [.. "data: a"u8, 0xFF, .. "\ndata: \u00E9\n\n"u8];

        await foreach (SseEvent item in SseEventReader.ReadAllAsync(new MemoryStream(input)))
        {
            Assert.Equal([.. "a"u8, 0xFF, .. "\n\u00E9"u8], item.Utf8Data.ToArray());
            Assert.Equal("a\uFFFD\n\u00E9", item.GetData());
            Assert.Equal("message: a\uFFFD\n\u00E9", item.ToString());
        }
    }

    [Fact]
    public async Task ReadAllAsync_RepeatedEventNames_ReuseOneStringInstance()
    {
        byte[] input = Encoding.UTF8.GetBytes("event: content_block_delta\ndata: 1\n\nevent: content_block_delta\ndata: 2\n\nevent: custom\ndata: 3\n\nevent: custom\ndata: 4\n\n");
        var types = new List<string>();

        await foreach (SseEvent item in SseEventReader.ReadAllAsync(new MemoryStream(input)))
        {
            types.Add(item.EventType);
        }

        Assert.Same(types[0], types[1]);
        Assert.Same(types[2], types[3]);
        Assert.Equal(["content_block_delta", "content_block_delta", "custom", "custom"], types);
    }

    [Fact]
    public async Task ReadAllAsync_SteadyState_AllocatesNothingPerEvent()
    {
        const string Event = "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello \u00E9\"}}\n\n";
        byte[] small = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(Event, 1_000)));
        byte[] large = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(Event, 21_000)));
        await MeasureAsync(small); // warm up: JIT and tiering

        // Per-stream costs (the enumerator, a pooled buffer) are the same for both inputs; the difference is the
        // cost of 20,000 more events. The smallest object is 24 bytes, so less than a byte per event means no event
        // allocates. (Debug builds allocate each async state machine, once per read of the stream, not per event.)
        long smallBytes = await MeasureAsync(small);
        long largeBytes = await MeasureAsync(large);

        Assert.True(largeBytes - smallBytes < 20_000, $"20,000 more events allocated {largeBytes - smallBytes} more bytes.");
    }

    [Fact]
    public void SseEvent_Default_HasSpecDefaults()
    {
        SseEvent empty = default;

        Assert.Equal("message", empty.EventType);
        Assert.Equal(string.Empty, empty.LastEventId);
        Assert.Null(empty.Retry);
        Assert.Equal(string.Empty, empty.GetData());
    }

    /// <summary>Reads every event's bytes; returns the bytes this thread allocated doing so.</summary>
    private static async Task<long> MeasureAsync(byte[] input)
    {
        var stream = new MemoryStream(input);
        long before = GC.GetAllocatedBytesForCurrentThread();
        long total = 0;
        await foreach (SseEvent item in SseEventReader.ReadAllAsync(stream))
        {
            total += item.Utf8Data.Length;
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(total > input.Length / 2);
        return allocated;
    }
}
