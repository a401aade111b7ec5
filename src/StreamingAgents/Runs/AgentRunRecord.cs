namespace StreamingAgents.Runs;

/// <summary>What a store knows about a detached run besides its events.</summary>
/// <param name="RunId">The run's ID: unguessable (128 random bits).</param>
/// <param name="Owner">Who may read and cancel it (a user or tenant ID), or <see langword="null"/> for anyone.</param>
/// <param name="CreatedAt">When it started.</param>
public sealed record AgentRunRecord(string RunId, string? Owner, DateTimeOffset CreatedAt)
{
    /// <summary>Gets whether the run has completed (its last event is stored).</summary>
    public bool IsCompleted { get; init; }

    /// <summary>Gets whether <paramref name="owner"/> may see the run: the same owner, or a run that has none.</summary>
    /// <param name="owner">The caller's owner key.</param>
    /// <returns>Whether the caller may see it.</returns>
    public bool IsVisibleTo(string? owner) => Owner is null || string.Equals(Owner, owner, StringComparison.Ordinal);
}
