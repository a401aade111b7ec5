using System.Text.Json;

namespace StreamingAgents.Agents;

/// <summary>
/// An agent event in its wire form: its sequence number, its type and its JSON (as <see cref="AgentJsonContext"/>
/// writes it). Stores keep events this way, so replaying one to many subscribers serializes it once.
/// </summary>
/// <param name="Sequence">The event's <see cref="AgentEvent.Sequence"/>.</param>
/// <param name="EventType">The event's <see cref="AgentEvent.EventType"/>.</param>
/// <param name="Utf8Json">The event's JSON, UTF-8, on one line.</param>
/// <remarks>Serialized to JSON (returned from an API, streamed through SignalR), it is the event's JSON object itself.</remarks>
[System.Text.Json.Serialization.JsonConverter(typeof(SerializedAgentEventJsonConverter))]
public sealed record SerializedAgentEvent(long Sequence, string EventType, ReadOnlyMemory<byte> Utf8Json)
{
    /// <summary>Serializes an event.</summary>
    /// <param name="agentEvent">The event.</param>
    /// <returns>Its wire form.</returns>
    public static SerializedAgentEvent From(AgentEvent agentEvent)
    {
        ArgumentNullException.ThrowIfNull(agentEvent);
        return new(agentEvent.Sequence, agentEvent.EventType, JsonSerializer.SerializeToUtf8Bytes(agentEvent, AgentJsonContext.Default.AgentEvent));
    }

    /// <summary>Reads the event back (in its wire shape: what the JSON leaves out, such as a run's conversation, is empty).</summary>
    /// <returns>The event.</returns>
    /// <exception cref="JsonException">The JSON is not an agent event.</exception>
    public AgentEvent ToAgentEvent() =>
        JsonSerializer.Deserialize(Utf8Json.Span, AgentJsonContext.Default.AgentEvent) ?? throw new JsonException("The agent event JSON is null.");
}
