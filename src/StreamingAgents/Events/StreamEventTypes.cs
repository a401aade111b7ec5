namespace StreamingAgents.Events;

/// <summary>The wire types of the events this library models.</summary>
internal static class StreamEventTypes
{
    public static bool IsKnown(string type) => type is MessageStartEvent.WireType or ContentBlockStartEvent.WireType
        or ContentBlockDeltaEvent.WireType or ContentBlockStopEvent.WireType or MessageDeltaEvent.WireType
        or MessageStopEvent.WireType or PingEvent.WireType or ErrorEvent.WireType;
}
