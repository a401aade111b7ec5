namespace StreamingAgents.Tools;

/// <summary>What a running tool knows about its call, and how it reports progress.</summary>
public sealed class ToolContext
{
    private readonly Action<string> _reportStatus;

    /// <summary>Initializes a new context.</summary>
    /// <param name="toolCallId">The ID of the model's <c>tool_use</c> block.</param>
    /// <param name="toolName">The tool's name.</param>
    /// <param name="reportStatus">Receives status text reported by the tool.</param>
    /// <param name="cancellationToken">Cancelled when the run is cancelled, the turn is abandoned or the tool times out.</param>
    public ToolContext(string toolCallId, string toolName, Action<string> reportStatus, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reportStatus);
        ToolCallId = toolCallId;
        ToolName = toolName;
        _reportStatus = reportStatus;
        CancellationToken = cancellationToken;
    }

    /// <summary>Gets the ID of the model's <c>tool_use</c> block.</summary>
    public string ToolCallId { get; }

    /// <summary>Gets the tool's name.</summary>
    public string ToolName { get; }

    /// <summary>Gets the token that is cancelled when the result is no longer wanted.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>Reports what the tool is doing, for people ("Found 3 orders, checking the carrier…").</summary>
    /// <param name="status">The status text.</param>
    public void ReportStatus(string status)
    {
        ArgumentNullException.ThrowIfNull(status);
        _reportStatus(status);
    }
}
