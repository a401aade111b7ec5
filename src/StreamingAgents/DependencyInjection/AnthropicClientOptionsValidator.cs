using Microsoft.Extensions.Options;
using StreamingAgents.Http;

namespace StreamingAgents.DependencyInjection;

/// <summary>Reports every invalid setting at startup, each naming the setting.</summary>
internal sealed class AnthropicClientOptionsValidator : IValidateOptions<AnthropicClientOptions>
{
    public ValidateOptionsResult Validate(string? name, AnthropicClientOptions options) => OptionsProblems.ToResult(options.Validate());
}
