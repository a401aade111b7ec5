using System.Text.Json.Serialization;
using StreamingAgents.Events;
using StreamingAgents.Http;

namespace StreamingAgents.Agents;

/// <summary>A failure described for events: a stable kind and a message, safe to show (no secrets).</summary>
public sealed record AgentError
{
    /// <summary>No byte arrived for <see cref="AnthropicClientOptions.IdleTimeout"/>.</summary>
    public const string IdleTimeoutType = "idle_timeout";

    /// <summary>No content arrived for <see cref="AnthropicClientOptions.StallTimeout"/>.</summary>
    public const string StallTimeoutType = "stall_timeout";

    /// <summary>The request timed out before its response began (<see cref="HttpClient.Timeout"/>, say).</summary>
    public const string TimeoutType = "timeout";

    /// <summary>The connection failed or dropped.</summary>
    public const string ConnectionType = "connection";

    /// <summary>The stream ended before <c>message_stop</c>.</summary>
    public const string TruncatedType = "truncated";

    /// <summary>The stream's data broke the protocol or a size limit.</summary>
    public const string ProtocolType = "protocol";

    /// <summary>Tools failed <see cref="AgentRunnerOptions.MaxConsecutiveToolErrors"/> times in a row.</summary>
    public const string ToolErrorLimitType = "tool_error_limit";

    /// <summary>A defect in this library or in a component it calls; the message says what.</summary>
    public const string InternalType = "internal";

    /// <summary>
    /// Gets the kind: the API's error type (for example <c>overloaded_error</c> or <c>invalid_request_error</c>), or
    /// one of this type's constants (<c>idle_timeout</c>, <c>stall_timeout</c>, <c>connection</c>, <c>truncated</c>,
    /// <c>timeout</c>, <c>protocol</c>, <c>tool_error_limit</c>, <c>internal</c>). Stable, snake_case: branch on it.
    /// </summary>
    [JsonPropertyName("type")]
    public required string Type { get; init; }

    /// <summary>Gets the message, for people.</summary>
    [JsonPropertyName("message")]
    public required string Message { get; init; }

    internal static AgentError From(Exception exception) => new() { Type = TypeOf(exception), Message = exception.Message };

    /// <summary>The stable kind of a failure (also the <c>error.type</c> of the library's spans and metrics).</summary>
    internal static string TypeOf(Exception exception) => exception switch
    {
        AnthropicApiException api => api.ErrorType.Length > 0 ? api.ErrorType : "api_error",
        StreamIdleTimeoutException => IdleTimeoutType,
        StreamStallTimeoutException => StallTimeoutType,
        StreamTruncatedException => TruncatedType,
        AnthropicStreamException or InvalidDataException => ProtocolType,
        HttpRequestException or IOException => ConnectionType,
        TimeoutException or OperationCanceledException { InnerException: TimeoutException } => TimeoutType,
        _ => InternalType,
    };
}
