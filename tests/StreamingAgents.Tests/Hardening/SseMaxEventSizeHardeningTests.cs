using System.Text;
using StreamingAgents.Sse;
using StreamingAgents.Testing.Streams;

using StreamingAgents.Tests.TestSupport;

namespace StreamingAgents.Tests.Hardening;

/// <summary>
/// <see cref="SseReaderOptions.MaxEventSize"/> bounds what the reader takes from the stream even within one read,
/// and huge events never put huge buffers into the pool.
/// </summary>
public sealed class SseMaxEventSizeHardeningTests
{
    private const int Mebibyte = 1024 * 1024;

    /// <summary>SseReaderOptions.DefaultInitialBufferSize: the first buffer, which may be read whole.</summary>
    private const int InitialBuffer = 16 * 1024;

    /// <summary>SseEventStream.MaxPooledBufferSize: larger buffers must not come from (or go back to) the pool.</summary>
    private const int MaxPooledBufferSize = Mebibyte;

    [Theory]
    [InlineData(Mebibyte)]
    [InlineData((3 * Mebibyte) + 12345)]
    public async Task ReadAllAsync_EndlessLineFromAGreedyStream_StopsReadingJustPastTheLimit(int maxEventSize)
    {
        var stream = new CountingEndlessStream();
        var options = new SseReaderOptions { MaxEventSize = maxEventSize };

        await Assert.ThrowsAsync<InvalidDataException>(() => ReadAllAsync(stream, options)).WaitAsync(Waiting.Guard);

        // To know the event is too large the reader needs one byte past the limit; nothing it does may take more
        // than that plus the first buffer.
        Assert.InRange(stream.BytesRead, maxEventSize + 1L, maxEventSize + 1L + InitialBuffer);
    }

    [Fact]
    public async Task ReadAllAsync_EndlessLineUnderLargeLimit_NeverRentsOverOneMebibyteAndReturnsEveryBuffer()
    {
        const int limit = 8 * Mebibyte;
        var pool = new CountingArrayPool();
        var stream = new CountingEndlessStream();
        var options = new SseReaderOptions { MaxEventSize = limit, BufferPool = pool };

        await Assert.ThrowsAsync<InvalidDataException>(() => ReadAllAsync(stream, options)).WaitAsync(Waiting.Guard);

        Assert.True(pool.RentCount > 0);
        Assert.True(pool.LargestRequested <= MaxPooledBufferSize, $"A buffer of {pool.LargestRequested} bytes was rented from the pool.");
        Assert.Equal(0, pool.Outstanding);
        Assert.InRange(stream.BytesRead, limit + 1L, limit + 1L + InitialBuffer);
    }

    [Fact]
    public async Task ReadAllAsync_EventLargerThanThePooledSize_IsReadWholeAndOnlyPooledBuffersGoBack()
    {
        var pool = new CountingArrayPool();
        string big = new('x', (3 * Mebibyte) + 7);
        byte[] input = Encoding.UTF8.GetBytes($"data: {big}\n\nevent: small\ndata: after\n\n");
        using var stream = new ChunkedStream(input, Chunking.Fixed(64 * 1024));
        var options = new SseReaderOptions { MaxEventSize = 8 * Mebibyte, BufferPool = pool };
        var events = new List<(string Type, int Length, string Head)>();

        await foreach (SseEvent item in SseEventReader.ReadAllAsync(stream, options).WithCancellation(CancellationToken.None))
        {
            string data = item.GetData();
            events.Add((item.EventType, data.Length, data[..Math.Min(5, data.Length)]));
        }

        Assert.Equal([("message", big.Length, "xxxxx"), ("small", 5, "after")], events);
        Assert.True(pool.LargestRequested <= MaxPooledBufferSize, $"A buffer of {pool.LargestRequested} bytes was rented from the pool.");
        Assert.Equal(0, pool.Outstanding);
    }

    private static async Task ReadAllAsync(Stream stream, SseReaderOptions options)
    {
        await foreach (SseEvent item in SseEventReader.ReadAllAsync(stream, options))
        {
            _ = item.EventType;
        }
    }
}
