using Microsoft.Extensions.Options;
using StreamingAgents.Runs;

namespace StreamingAgents.DependencyInjection;

/// <summary>Reports an out-of-range store bound at startup, naming it.</summary>
internal sealed class InMemoryAgentRunStoreOptionsValidator : IValidateOptions<InMemoryAgentRunStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, InMemoryAgentRunStoreOptions options) =>
        options.TryValidate(out string? problem) ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problem);
}
