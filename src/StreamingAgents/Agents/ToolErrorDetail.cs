namespace StreamingAgents.Agents;

/// <summary>How much of a tool's exception the model sees in the error result.</summary>
public enum ToolErrorDetail
{
    /// <summary>The exception's type and message (the default).</summary>
    Message,

    /// <summary>Only that the tool failed.</summary>
    None,

    /// <summary>Everything, stack trace included (for development).</summary>
    Full,
}
