using System.Text.Json.Serialization;

namespace StreamingAgents.AspNetCore.Endpoints;

/// <summary>The body of <c>POST .../runs</c> and <c>POST .../stream</c>.</summary>
internal sealed record StartRunRequest([property: JsonPropertyName("message")] string? Message);

/// <summary>The answer to <c>POST .../runs</c>.</summary>
internal sealed record StartRunResponse(
    [property: JsonPropertyName("run_id")] string RunId,
    [property: JsonPropertyName("events_url")] string EventsUrl);

/// <summary>The body of <c>POST .../tool-calls/{toolCallId}/deny</c> (optional).</summary>
internal sealed record DenyToolCallRequest([property: JsonPropertyName("reason")] string? Reason);

/// <summary>An RFC 9457 problem document.</summary>
internal sealed record ProblemDocument(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("status")] int Status,
    [property: JsonPropertyName("detail")] string Detail);

/// <summary>JSON of the HTTP and WebSocket endpoints: source-generated, so it works under Native AOT.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StartRunRequest))]
[JsonSerializable(typeof(StartRunResponse))]
[JsonSerializable(typeof(ProblemDocument))]
[JsonSerializable(typeof(DenyToolCallRequest))]
[JsonSerializable(typeof(WebSockets.ClientMessage))]
[JsonSerializable(typeof(WebSockets.ServerMessage))]
internal sealed partial class AgentHttpJsonContext : JsonSerializerContext;
