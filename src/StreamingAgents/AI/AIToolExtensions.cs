using Microsoft.Extensions.AI;
using StreamingAgents.Tools;

namespace StreamingAgents.AI;

/// <summary>Converts tools between the agent runner and Microsoft.Extensions.AI.</summary>
public static class AIToolExtensions
{
    /// <summary>
    /// Makes a Microsoft.Extensions.AI function a tool of the agent runner: its JSON schema is the tool's input schema
    /// (the runner validates each call against it), its return value the result's text.
    /// </summary>
    /// <param name="function">The function, for example from <c>AIFunctionFactory.Create(delegate)</c>.</param>
    /// <returns>The tool.</returns>
    /// <exception cref="NotSupportedException">The function requires approval (<see cref="ApprovalRequiredAIFunction"/>), which the agent runner does not ask for yet.</exception>
    public static AgentTool AsAgentTool(this AIFunction function)
    {
        ArgumentNullException.ThrowIfNull(function);
        if (function.GetService<ApprovalRequiredAIFunction>() is not null)
        {
            throw new NotSupportedException($"Function '{function.Name}' requires approval, which the agent runner does not ask for yet; it would run unapproved.");
        }

        return new AIFunctionTool(function);
    }

    /// <summary>
    /// Makes an agent runner tool a Microsoft.Extensions.AI function, for <c>ChatOptions.Tools</c> of any chat client:
    /// its input is checked against its schema and it runs within its time limit; an error comes back as text starting
    /// "Error:", for the model to read.
    /// </summary>
    /// <param name="tool">The tool.</param>
    /// <returns>The function.</returns>
    public static AIFunction AsAIFunction(this AgentTool tool)
    {
        ArgumentNullException.ThrowIfNull(tool);
        return new AgentToolFunction(tool);
    }
}
