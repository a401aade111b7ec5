using Microsoft.Extensions.Options;
using StreamingAgents.Agents;

namespace StreamingAgents.DependencyInjection;

/// <summary>Reports an out-of-range runner setting at startup, naming it.</summary>
internal sealed class AgentRunnerOptionsValidator : IValidateOptions<AgentRunnerOptions>
{
    public ValidateOptionsResult Validate(string? name, AgentRunnerOptions options)
    {
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentOutOfRangeException exception)
        {
            return ValidateOptionsResult.Fail($"AgentRunnerOptions.{exception.ParamName}: {exception.Message}");
        }
    }
}
