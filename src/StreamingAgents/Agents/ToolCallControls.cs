using System.Runtime.CompilerServices;

namespace StreamingAgents.Agents;

/// <summary>What a consumer can do to one tool call of a live run.</summary>
internal interface IToolCallControl
{
    /// <summary>Gets the call's ID.</summary>
    string ToolCallId { get; }

    bool Approve();

    bool Deny(string? reason);

    bool Cancel();
}

/// <summary>
/// Ties events to the live tool call they are about, outside the events themselves: they stay plain records (equal
/// to themselves read back from JSON), and a copy made with <c>with</c> or read from JSON has no control.
/// </summary>
internal static class ToolCallControls
{
    private static readonly ConditionalWeakTable<AgentEvent, IToolCallControl> s_controls = new();

    public static T Attach<T>(T agentEvent, IToolCallControl control)
        where T : AgentEvent
    {
        s_controls.AddOrUpdate(agentEvent, control);
        return agentEvent;
    }

    public static IToolCallControl? Find(AgentEvent agentEvent) => s_controls.TryGetValue(agentEvent, out IToolCallControl? control) ? control : null;

    public static IToolCallControl Of(AgentEvent agentEvent) => Find(agentEvent) ?? throw new InvalidOperationException(
        $"This {agentEvent.EventType} event is not from a live run here (it was copied or read back from JSON): answer through AgentRunManager with the run's ID and the tool call's ID.");
}
