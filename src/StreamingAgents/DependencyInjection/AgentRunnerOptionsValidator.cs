using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StreamingAgents.Agents;
using StreamingAgents.Tools;

namespace StreamingAgents.DependencyInjection;

/// <summary>
/// Reports every out-of-range setting of an agent at startup, each naming the setting (and the agent, when it has a
/// name), and a tool set that cannot be built (two tools with one name, a tool whose services are missing), resolved
/// in a scope as a run would: neither waits for the first run to surface.
/// </summary>
internal sealed class AgentRunnerOptionsValidator(IServiceScopeFactory scopes) : IValidateOptions<AgentRunnerOptions>
{
    public ValidateOptionsResult Validate(string? name, AgentRunnerOptions options)
    {
        var problems = new List<string>(options.Validate());
        string? agent = string.IsNullOrEmpty(name) ? null : name;
        try
        {
            AsyncServiceScope scope = scopes.CreateAsyncScope();
            try
            {
                _ = agent is null ? scope.ServiceProvider.GetService<IToolRegistry>() : scope.ServiceProvider.GetKeyedService<IToolRegistry>(agent);
            }
            finally
            {
                // Validation is synchronous; services that only dispose asynchronously (a DbContext, say) are disposed so.
                scope.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }
        catch (Exception invalidTools)
        {
            // Whatever a tool's construction throws (two tools with one name, a missing service, a constructor that
            // needs a request) is reported here, naming the agent, rather than escaping the host's start.
            problems.Add($"Its tools cannot be created: {invalidTools.GetType().Name}: {invalidTools.Message}");
        }

        return OptionsProblems.ToResult(agent is null ? problems : [.. problems.Select(problem => $"Agent '{agent}': {problem}")]);
    }
}
