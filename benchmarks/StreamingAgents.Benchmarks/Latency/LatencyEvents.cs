using System.Text.Unicode;
using StreamingAgents.Events;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Transcripts;

namespace StreamingAgents.Benchmarks.Latency;

/// <summary>The SSE of an endless model response, one event (or one block change) at a time.</summary>
internal static class LatencyEvents
{
    /// <summary>The tool the model calls in the tool-call variant.</summary>
    public const string ToolName = "lookup_order";

    /// <summary><c>message_start</c>, then the start of text block 0: what precedes the events being timed.</summary>
    public static byte[] Preamble { get; } = new TranscriptBuilder()
        .MessageStart()
        .Event(new ContentBlockStartEvent { Index = 0, ContentBlock = new TextBlock() })
        .Build().Bytes.ToArray();

    /// <summary>A ~150-byte <c>text_delta</c> of block 0 whose text has multi-byte UTF-8 characters.</summary>
    public static byte[] TextDelta { get; } =
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\" déjà vu: the café's naïve résumé\"}}\n\n"u8.ToArray();

    /// <summary>Where <see cref="TextDelta"/> splits in two: after the first byte of its first two-byte character (the "é" of "déjà").</summary>
    public static int TextDeltaSplit { get; } = TextDelta.AsSpan().IndexOfAnyInRange((byte)0x80, (byte)0xFF) + 1;

    /// <summary>
    /// Writes <c>content_block_stop</c> of block <paramref name="index"/> − 1 and <c>content_block_start</c> of a
    /// <c>tool_use</c> block at <paramref name="index"/> (about 250 bytes), without allocating.
    /// </summary>
    /// <param name="index">The new block's index, from 1.</param>
    /// <param name="destination">Where to write; 512 bytes are enough.</param>
    /// <param name="split">Where the bytes split in two: inside the tool's name (a tool call start is all ASCII).</param>
    /// <returns>How many bytes were written.</returns>
    public static int WriteToolCallStart(int index, Span<byte> destination, out int split)
    {
        if (!Utf8.TryWrite(
            destination,
            $"event: content_block_stop\ndata: {{\"type\":\"content_block_stop\",\"index\":{index - 1}}}\n\nevent: content_block_start\ndata: {{\"type\":\"content_block_start\",\"index\":{index},\"content_block\":{{\"type\":\"tool_use\",\"id\":\"toolu_bench_{index:D8}\",\"name\":\"{ToolName}\",\"input\":{{}}}}}}\n\n",
            out int written))
        {
            throw new ArgumentException("The destination is too small.", nameof(destination));
        }

        split = destination[..written].LastIndexOf("\"name\":\""u8) + 8 + (ToolName.Length / 2);
        return written;
    }
}
