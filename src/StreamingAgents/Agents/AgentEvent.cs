using System.Text.Json.Serialization;
using StreamingAgents.Json;

namespace StreamingAgents.Agents;

/// <summary>
/// Something that happened in an agent run, as the user would see it. Events are plain records and a public wire
/// contract: serialized as <see cref="AgentEvent"/> (through <see cref="AgentJsonContext"/>, or any options that use
/// it, ASP.NET Core's web defaults included) each has one stable JSON shape with a <c>type</c>, <c>seq</c>,
/// <c>turn</c> and <c>timestamp</c>, documented in <c>docs/agent-events.schema.json</c>.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(TurnStarted), AgentEventTypes.TurnStarted)]
[JsonDerivedType(typeof(TextReceived), AgentEventTypes.Text)]
[JsonDerivedType(typeof(ThinkingReceived), AgentEventTypes.Thinking)]
[JsonDerivedType(typeof(ToolCallStarted), AgentEventTypes.ToolCallStarted)]
[JsonDerivedType(typeof(ToolInputProgress), AgentEventTypes.ToolInputProgress)]
[JsonDerivedType(typeof(ToolCallReady), AgentEventTypes.ToolCallReady)]
[JsonDerivedType(typeof(ToolApprovalRequested), AgentEventTypes.ToolApprovalRequested)]
[JsonDerivedType(typeof(ToolExecutionStarted), AgentEventTypes.ToolExecutionStarted)]
[JsonDerivedType(typeof(ToolStatusReported), AgentEventTypes.ToolStatus)]
[JsonDerivedType(typeof(ToolCallCompleted), AgentEventTypes.ToolCallCompleted)]
[JsonDerivedType(typeof(ToolCallDiscarded), AgentEventTypes.ToolCallDiscarded)]
[JsonDerivedType(typeof(TurnCompleted), AgentEventTypes.TurnCompleted)]
[JsonDerivedType(typeof(TurnRetrying), AgentEventTypes.TurnRetrying)]
[JsonDerivedType(typeof(Heartbeat), AgentEventTypes.Heartbeat)]
[JsonDerivedType(typeof(RunCompleted), AgentEventTypes.RunCompleted)]
public abstract record AgentEvent
{
    // UTC ticks rather than a DateTimeOffset: 8 bytes less in every event, and the runner's clock is UTC anyway.
    private long _utcTicks;

    /// <summary>Gets the event's wire type (its JSON <c>type</c>, see <see cref="AgentEventTypes"/>), without serializing it.</summary>
    [JsonIgnore]
    public string EventType => WireType;

    /// <summary>Gets the event's position in its run, from 1, with no gaps.</summary>
    [JsonInclude]
    [JsonPropertyName("seq")]
    [JsonPropertyOrder(-3)]
    public long Sequence { get; internal set; }

    /// <summary>Gets the turn (model response) the event belongs to, from 1.</summary>
    [JsonInclude]
    [JsonPropertyName("turn")]
    [JsonPropertyOrder(-2)]
    public int Turn { get; internal set; }

    /// <summary>
    /// Gets when the event happened, by the runner's clock; on the wire, ISO 8601 in UTC. On the system clock it is
    /// read once per tick of the coarse monotonic clock (1–4 ms), so events delivered within one tick share a stamp,
    /// and the model's events that arrived in one read of the response and follow one another share the first one's
    /// stamp (the later ones were there by then, however long the consumer held the earlier). Durations
    /// (<see cref="ToolCallCompleted.Duration"/>, telemetry) are measured precisely.
    /// </summary>
    [JsonInclude]
    [JsonPropertyName("timestamp")]
    [JsonPropertyOrder(-1)]
    [JsonConverter(typeof(UtcTimestampJsonConverter))]
    public DateTimeOffset Timestamp
    {
        get => new(_utcTicks, TimeSpan.Zero);
        internal set => _utcTicks = value.UtcTicks;
    }

    /// <summary>Gets the wire type; not public, so no serializer sees it (the discriminator writes it).</summary>
    private protected abstract string WireType { get; }
}
