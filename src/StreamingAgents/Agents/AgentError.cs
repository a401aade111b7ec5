namespace StreamingAgents.Agents;

/// <summary>A failure described for events: its kind and message.</summary>
public sealed record AgentError
{
    /// <summary>Gets the kind: the API's error type (for example <c>overloaded_error</c>) or the exception's type name.</summary>
    public required string Type { get; init; }

    /// <summary>Gets the message.</summary>
    public required string Message { get; init; }

    internal static AgentError From(Exception exception) => new()
    {
        Type = exception is Http.AnthropicApiException api ? api.ErrorType : exception.GetType().Name,
        Message = exception.Message,
    };
}
