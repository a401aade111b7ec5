using StreamingAgents.Agents;

namespace StreamingAgents.Benchmarks;

/// <summary>Agent events as a run would stamp them.</summary>
internal static class AgentEventFactory
{
    private static readonly DateTimeOffset s_time = new(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);

    public static TextReceived Text(long sequence, string text) =>
        new() { Text = text, BlockIndex = 0, Sequence = sequence, Turn = 1, Timestamp = s_time };
}
