namespace StreamingAgents.Messages;

/// <summary>Extended thinking settings.</summary>
public sealed record ThinkingConfig
{
    /// <summary>Gets the mode: <c>enabled</c> or <c>disabled</c>.</summary>
    public string Type { get => field ?? "enabled"; init; } = "enabled";

    /// <summary>Gets how many tokens the model may spend thinking, when enabled.</summary>
    public int? BudgetTokens { get; init; }

    /// <summary>Creates an enabled configuration.</summary>
    /// <param name="budgetTokens">The thinking budget, in tokens.</param>
    /// <returns>The configuration.</returns>
    public static ThinkingConfig Enabled(int budgetTokens) => new() { Type = "enabled", BudgetTokens = budgetTokens };
}
