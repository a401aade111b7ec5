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
    public static AgentTool AsAgentTool(this AIFunction function)
    {
        ArgumentNullException.ThrowIfNull(function);
        return new AIFunctionTool(function);
    }

    /// <summary>
    /// Makes an agent runner tool a Microsoft.Extensions.AI function, for <c>ChatOptions.Tools</c> of any chat client
    /// (an error result is thrown as <see cref="InvalidOperationException"/>, which function invocation reports to the model).
    /// </summary>
    /// <param name="tool">The tool.</param>
    /// <returns>The function.</returns>
    public static AIFunction AsAIFunction(this AgentTool tool)
    {
        ArgumentNullException.ThrowIfNull(tool);
        return new AgentToolFunction(tool);
    }
}
