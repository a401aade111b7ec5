namespace StreamingAgents.Tools;

/// <summary>The tools an agent may call, by name.</summary>
public interface IToolRegistry
{
    /// <summary>Gets every tool, in registration order.</summary>
    IReadOnlyCollection<AgentTool> Tools { get; }

    /// <summary>Finds a tool by name.</summary>
    /// <param name="name">The name the model used.</param>
    /// <param name="tool">The tool, when found.</param>
    /// <returns>Whether a tool has that name.</returns>
    bool TryGetTool(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out AgentTool? tool);
}
