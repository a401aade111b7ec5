using System.Text;

namespace StreamingAgents.Benchmarks.Sse;

/// <summary>Event streams for the SSE benchmarks, generated in-process.</summary>
internal static class SseInputs
{
    /// <summary>Anthropic-like <c>content_block_delta</c> events of about 150 bytes each.</summary>
    public static byte[] TextDeltas(int count)
    {
        var builder = new StringBuilder(count * 160);
        for (int i = 0; i < count; i++)
        {
            builder.Append("event: content_block_delta\n")
                .Append("data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"token ")
                .Append(i % 1000)
                .Append(" of the answer\"}}\n\n");
        }

        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    /// <summary>A few events of <paramref name="size"/> bytes of data each (JSON-ish text, one data line).</summary>
    public static byte[] LargeEvents(int count, int size)
    {
        var builder = new StringBuilder((count * size) + 100);
        for (int i = 0; i < count; i++)
        {
            builder.Append("event: message\ndata: ");
            for (int j = 0; j < size; j++)
            {
                builder.Append((char)('a' + (j % 26)));
            }

            builder.Append("\n\n");
        }

        return Encoding.UTF8.GetBytes(builder.ToString());
    }
}
