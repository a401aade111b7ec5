using System.Text;
using StreamingAgents.Sse;
using StreamingAgents.Testing.Streams;

namespace StreamingAgents.Tests.TestSupport;

/// <summary>An SSE event copied out of the reader, comparable by value.</summary>
internal sealed record ReadEvent(string Type, string Data, string Id = "", TimeSpan? Retry = null)
{
    public override string ToString() => $"[{Type}|{Data.Replace("\n", "\\n", StringComparison.Ordinal)}|id={Id}|retry={Retry?.TotalMilliseconds}]";
}

internal static class SseTestReader
{
    public static async Task<List<ReadEvent>> ReadEventsAsync(byte[] input, Chunking chunking, SseReaderOptions? options = null)
    {
        var events = new List<ReadEvent>();
        using var stream = new ChunkedStream(input, chunking, new ChunkedStreamOptions { YieldOnEachRead = true });
        await foreach (SseEvent item in SseEventReader.ReadAllAsync(stream, options))
        {
            events.Add(new ReadEvent(item.EventType, item.GetData(), item.LastEventId, item.Retry));
        }

        return events;
    }

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
