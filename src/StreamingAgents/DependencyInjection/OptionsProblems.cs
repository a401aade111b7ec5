using Microsoft.Extensions.Options;

namespace StreamingAgents.DependencyInjection;

/// <summary>Turns a list of problems, each a sentence naming its setting, into one startup validation result.</summary>
internal static class OptionsProblems
{
    /// <summary>
    /// One failure holding every sentence: <see cref="OptionsValidationException"/> joins separate failures with
    /// "; ", which after a full stop reads as ".;".
    /// </summary>
    public static ValidateOptionsResult ToResult(IReadOnlyList<string> problems) =>
        problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(string.Join(" ", problems));
}
