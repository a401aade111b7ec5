namespace StreamingAgents.Runs;

/// <summary>A detached run just started: its ID for subscribers, and a task that completes when it has ended.</summary>
public sealed class AgentRunHandle
{
    internal AgentRunHandle(string runId, string? owner, Task completion)
    {
        RunId = runId;
        Owner = owner;
        Completion = completion;
    }

    /// <summary>Gets the run's ID: unguessable, for the URL a browser subscribes to.</summary>
    public string RunId { get; }

    /// <summary>Gets the owner the run was started for, if any.</summary>
    public string? Owner { get; }

    /// <summary>Gets a task that completes (never faults) when the run has ended and its last event is stored.</summary>
    public Task Completion { get; }
}
