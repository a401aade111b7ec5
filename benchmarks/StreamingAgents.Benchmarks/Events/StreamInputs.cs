using System.Text;

namespace StreamingAgents.Benchmarks.Events;

/// <summary>A Messages API stream of one long text answer, generated in-process.</summary>
internal static class StreamInputs
{
    /// <summary>
    /// message_start, one text block of <paramref name="eventCount"/> - 5 <c>text_delta</c> events (~150 bytes each),
    /// content_block_stop, message_delta, message_stop.
    /// </summary>
    public static byte[] LongTextAnswer(int eventCount)
    {
        var builder = new StringBuilder(eventCount * 160);
        builder.Append("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_bench\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-5\",\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}\n\n");
        builder.Append("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n");
        for (int i = 0; i < eventCount - 5; i++)
        {
            builder.Append("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"token ")
                .Append(i % 1000)
                .Append(" of the answer \"}}\n\n");
        }

        builder.Append("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n");
        builder.Append("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":").Append(eventCount).Append("}}\n\n");
        builder.Append("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
        return Encoding.UTF8.GetBytes(builder.ToString());
    }
}
