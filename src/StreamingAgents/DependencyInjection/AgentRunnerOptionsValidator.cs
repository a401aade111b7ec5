using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StreamingAgents.Agents;
using StreamingAgents.Tools;

namespace StreamingAgents.DependencyInjection;

/// <summary>
/// Reports every out-of-range runner setting at startup, each naming the setting, and a tool registry that cannot be
/// built (two tools with one name), so neither waits for the first run to surface.
/// </summary>
internal sealed class AgentRunnerOptionsValidator(IServiceProvider services) : IValidateOptions<AgentRunnerOptions>
{
    public ValidateOptionsResult Validate(string? name, AgentRunnerOptions options)
    {
        var problems = new List<string>(options.Validate());
        try
        {
            _ = services.GetService<IToolRegistry>();
        }
        catch (ArgumentException invalidTools)
        {
            problems.Add(invalidTools.Message);
        }

        return OptionsProblems.ToResult(problems);
    }
}
