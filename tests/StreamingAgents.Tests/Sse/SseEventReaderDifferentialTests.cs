using System.Net.ServerSentEvents;
using System.Text;
using StreamingAgents.Sse;
using StreamingAgents.Testing.Streams;
using StreamingAgents.Tests.TestSupport;

namespace StreamingAgents.Tests.Sse;

/// <summary>
/// Our reader and the framework's <see cref="SseParser"/> must agree on random streams.
/// </summary>
/// <remarks>
/// One deliberate difference is normalized before comparing: for an <c>event</c> field with an empty value,
/// <see cref="SseParser"/> reports the event type "" while we report "message", because the spec says "If the event
/// type buffer has a value other than the empty string, change the type of the newly created event to equal the value
/// of the event type buffer" (otherwise it stays "message"). <see cref="SseItem{T}.EventId"/> is set only on items
/// whose own event carried an <c>id</c> field, so the comparison uses <see cref="SseParser{T}.LastEventId"/>, which
/// is the spec's "last event ID buffer" that <see cref="SseEvent.LastEventId"/> reports.
/// </remarks>
public sealed class SseEventReaderDifferentialTests
{
    private const int StreamCount = 10_000;

    [Fact]
    public async Task ReadAllAsync_RandomStreams_AgreesWithSseParser()
    {
        var pool = new CountingArrayPool();
        int totalEvents = 0;
        for (int seed = 0; seed < StreamCount; seed++)
        {
            byte[] input = RandomStreamGenerator.Generate(seed);
            List<ReadEvent> expected = ReadWithSseParser(input);
            var options = new SseReaderOptions { BufferPool = pool, InitialBufferSize = 1 + (seed % 64) };

            List<ReadEvent> actual = await SseTestReader.ReadEventsAsync(input, Chunking.Random(seed, maxChunkSize: 1 + (seed % 40)), options);

            if (!expected.SequenceEqual(actual))
            {
                Assert.Fail($"Seed {seed}: input {Escape(input)}\n SseParser {string.Join(' ', expected)}\n ours      {string.Join(' ', actual)}");
            }

            totalEvents += actual.Count;
        }

        Assert.Equal(0, pool.Outstanding);
        Assert.True(totalEvents > StreamCount, $"The generator produced only {totalEvents} events; it should exercise dispatch heavily.");
    }

    private static List<ReadEvent> ReadWithSseParser(byte[] input)
    {
        var events = new List<ReadEvent>();
        SseParser<string> parser = SseParser.Create(new MemoryStream(input), static (_, data) => Encoding.UTF8.GetString(data));
        foreach (SseItem<string> item in parser.Enumerate())
        {
            string type = item.EventType.Length == 0 ? SseEvent.DefaultEventType : item.EventType;
            events.Add(new ReadEvent(type, item.Data, parser.LastEventId, item.ReconnectionInterval));
        }

        return events;
    }

    private static string Escape(byte[] input) =>
        string.Concat(input.Select(b => b is >= 0x20 and < 0x7F ? ((char)b).ToString() : $"\\x{b:X2}"));
}
