using System.Buffers;
using BenchmarkDotNet.Attributes;
using StreamingAgents.Sse;

namespace StreamingAgents.Benchmarks.Sse;

/// <summary>
/// SSE framing against the floor under it: 100,000 ~150-byte deltas read from memory in 16 KiB reads (the reader's
/// buffer size), either only scanned for line breaks with a vectorized <c>IndexOfAny(CR, LF)</c> (baseline) or framed
/// into events by <see cref="SseEventReader"/>, consuming each event's data length.
/// Goal: the reader at ≥ 75% of the scan's throughput (Ratio ≤ 1.33).
/// </summary>
[MemoryDiagnoser]
public class SseScanBenchmarks
{
    /// <summary>The reader's first buffer (<c>SseReaderOptions.DefaultInitialBufferSize</c>), enough for these events.</summary>
    private const int ReadSize = 16 * 1024;

    private byte[] _input = [];

    [GlobalSetup]
    public void Setup() => _input = SseInputs.TextDeltas(100_000);

    [Benchmark(Baseline = true, Description = "Raw scan: IndexOfAny(CR, LF)")]
    public async Task<long> RawScan()
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ReadSize);
        try
        {
            var stream = new MemoryStream(_input);
            long lines = 0;
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(0, ReadSize))) > 0)
            {
                lines += CountLineBreaks(buffer.AsSpan(0, read));
            }

            return lines;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    [Benchmark(Description = "SseEventReader")]
    public async Task<long> Reader()
    {
        long total = 0;
        await foreach (SseEvent item in SseEventReader.ReadAllAsync(new MemoryStream(_input)))
        {
            total += item.Utf8Data.Length;
        }

        return total;
    }

    private static int CountLineBreaks(ReadOnlySpan<byte> span)
    {
        int count = 0;
        int index;
        while ((index = span.IndexOfAny((byte)'\r', (byte)'\n')) >= 0)
        {
            count++;
            span = span[(index + 1)..];
        }

        return count;
    }
}
