namespace StreamingAgents.Sse;

/// <summary>
/// Marks an exception thrown by a stream that gave up waiting for a read it could not stop: that read may still
/// write into the caller's buffer later, so the buffer must not go back to a pool.
/// </summary>
internal static class SseAbandonedRead
{
    private const string DataKey = "StreamingAgents.AbandonedRead";

    public static void Mark(Exception exception) => exception.Data[DataKey] = true;

    public static bool IsMarked(Exception exception) => exception.Data.Contains(DataKey);
}
