using System.Text.Json.Serialization;

namespace StreamingAgents.AspNetCore.WebSockets;

/// <summary>
/// A message from the browser: <c>{"type":"start","message":"..."}</c>,
/// <c>{"type":"subscribe","run_id":"...","after":12}</c>, <c>{"type":"cancel","run_id":"..."}</c>, or an answer to a
/// tool call: <c>{"type":"approve"|"deny"|"cancel_tool","run_id":"...","tool_call_id":"...","reason":"..."}</c>.
/// </summary>
internal sealed record ClientMessage(
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("message")] string? Message,
    [property: JsonPropertyName("run_id")] string? RunId,
    [property: JsonPropertyName("after")] long? After,
    [property: JsonPropertyName("tool_call_id")] string? ToolCallId = null,
    [property: JsonPropertyName("reason")] string? Reason = null);

/// <summary>
/// A message of the protocol itself (agent events are sent as their own JSON): <c>run_started</c> with the run's ID,
/// <c>cancel_accepted</c>, <c>answer_accepted</c> (with the tool call's ID), or <c>error</c> with an HTTP-like status.
/// </summary>
internal sealed record ServerMessage(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("run_id")] string? RunId = null,
    [property: JsonPropertyName("status")] int? Status = null,
    [property: JsonPropertyName("title")] string? Title = null,
    [property: JsonPropertyName("detail")] string? Detail = null,
    [property: JsonPropertyName("tool_call_id")] string? ToolCallId = null);
