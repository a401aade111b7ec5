namespace StreamingAgents.Tools;

/// <summary>What a running tool knows about its call, and how it reports progress.</summary>
public sealed class ToolContext
{
    private readonly Action<string> _reportStatus;

    /// <summary>Initializes a new context.</summary>
    /// <param name="toolCallId">The ID of the model's <c>tool_use</c> block.</param>
    /// <param name="toolName">The tool's name.</param>
    /// <param name="reportStatus">Receives status text reported by the tool.</param>
    /// <param name="cancellationToken">Cancelled when the run is cancelled, the turn is abandoned, the tool times out or the user cancels the call.</param>
    /// <param name="services">The run's services; <see langword="null"/> for none.</param>
    public ToolContext(string toolCallId, string toolName, Action<string> reportStatus, CancellationToken cancellationToken, IServiceProvider? services = null)
    {
        ArgumentNullException.ThrowIfNull(reportStatus);
        ToolCallId = toolCallId;
        ToolName = toolName;
        _reportStatus = reportStatus;
        CancellationToken = cancellationToken;
        Services = services ?? NoServices.Instance;
    }

    /// <summary>Gets the ID of the model's <c>tool_use</c> block.</summary>
    public string ToolCallId { get; }

    /// <summary>Gets the tool's name.</summary>
    public string ToolName { get; }

    /// <summary>Gets the token that is cancelled when the result is no longer wanted.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>
    /// Gets the run's services: with dependency injection, the scope created for the run (one per run, disposed when
    /// it ends, shared by its tool calls), so scoped services such as a <c>DbContext</c> resolve here. It is the run's
    /// own scope, not an HTTP request's (a detached run outlives the request that started it): reach the request's
    /// user through what the run was given, such as its owner. A runner built without dependency injection has none
    /// (every lookup returns null).
    /// </summary>
    public IServiceProvider Services { get; }

    /// <summary>Reports what the tool is doing, for people ("Found 3 orders, checking the carrier…").</summary>
    /// <param name="status">The status text.</param>
    public void ReportStatus(string status)
    {
        ArgumentNullException.ThrowIfNull(status);
        _reportStatus(status);
    }
}

/// <summary>The services of a run without dependency injection: none.</summary>
internal sealed class NoServices : IServiceProvider
{
    public static readonly NoServices Instance = new();

    public object? GetService(Type serviceType) => null;
}
