using StackExchange.Redis;

namespace StreamingAgents.Redis;

/// <summary>The settings of <see cref="RedisAgentRunStore"/>.</summary>
public sealed class RedisAgentRunStoreOptions
{
    /// <summary>The configuration key the connection string is read from when <see cref="Configuration"/> is not set.</summary>
    public const string ConfigurationKey = "RunStore:Redis";

    /// <summary>
    /// Gets or sets the StackExchange.Redis connection string, for example <c>127.0.0.1:6379</c> or
    /// <c>redis.internal:6380,ssl=true,password=...</c>. Registered through dependency injection, it defaults to the
    /// configuration key <c>RunStore:Redis</c> (<c>--RunStore:Redis=...</c> on the command line, <c>RunStore__Redis</c>
    /// in the environment). Not needed when <see cref="ConnectionMultiplexer"/> is set.
    /// </summary>
    public string? Configuration { get; set; }

    /// <summary>
    /// Gets or sets a connection the host already has, to share it instead of opening one (the store does not dispose
    /// it). Takes precedence over <see cref="Configuration"/>.
    /// </summary>
    public IConnectionMultiplexer? ConnectionMultiplexer { get; set; }

    /// <summary>Gets or sets the prefix of every key and channel the store uses. Defaults to <c>streamingagents:</c>.</summary>
    public string KeyPrefix { get; set; } = "streamingagents:";

    /// <summary>
    /// Gets or sets how many events a run's stream holds (<c>XADD MAXLEN</c>); older ones are trimmed, and a reader that
    /// still needs them gets <see cref="Runs.AgentRunGapException"/>. Defaults to 10,000.
    /// </summary>
    public int MaxEventsPerRun { get; set; } = 10_000;

    /// <summary>
    /// Gets or sets how many runs this instance may be running at once (runs created here and not yet completed); more
    /// throw <see cref="Runs.AgentRunLimitException"/> (HTTP 429). Defaults to 1,000.
    /// </summary>
    public int MaxLiveRunsPerInstance { get; set; } = 1000;

    /// <summary>Gets or sets how long a completed run stays readable (its keys' time to live). Defaults to 5 minutes.</summary>
    public TimeSpan CompletedRunTimeToLive { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Gets or sets how long a live run's keys outlive the last sign of the instance running it (an appended event or
    /// its periodic renewal, every third of this). When that instance stops, the run expires after this and its
    /// subscribers get <see cref="Runs.AgentRunLostException"/>. Defaults to 30 seconds.
    /// </summary>
    public TimeSpan LeaseTime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets how often a waiting reader looks for new events without being told (a missed pub/sub notice only
    /// delays it by this). Defaults to 1 second.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets or sets how long an operation keeps retrying while Redis is unreachable (a restart, a failover) before it
    /// fails with <see cref="Runs.AgentRunStoreUnavailableException"/>. Shorter than <see cref="LeaseTime"/>. Defaults
    /// to 15 seconds.
    /// </summary>
    public TimeSpan RetryTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Checks the settings.</summary>
    /// <param name="problem">What is wrong, as a sentence.</param>
    /// <returns>Whether the settings are usable.</returns>
    internal bool TryValidate([System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? problem)
    {
        problem = ConnectionMultiplexer is null && string.IsNullOrWhiteSpace(Configuration)
                ? $"RedisAgentRunStoreOptions.Configuration is not set: give a StackExchange.Redis connection string such as 127.0.0.1:6379 in the configuration key {ConfigurationKey} (--{ConfigurationKey}=127.0.0.1:6379 on the command line, RunStore__Redis in the environment) or in code."
            : ConnectionMultiplexer is null && !TryParse(Configuration!, out _)
                ? $"RedisAgentRunStoreOptions.Configuration is not a StackExchange.Redis connection string (host:port, then comma-separated options such as password=... or ssl=true); it is not shown here because it may hold a password."
            : HasChannelPrefix()
                ? "The Redis connection has a channelPrefix, which the run store's notices (published from Lua) would not carry; remove it and use RedisAgentRunStoreOptions.KeyPrefix to keep apart several users of one Redis."
            : KeyPrefix is null ? "RedisAgentRunStoreOptions.KeyPrefix must not be null; use an empty string for no prefix."
            : MaxEventsPerRun < 1 ? $"RedisAgentRunStoreOptions.MaxEventsPerRun must be at least 1; it is {MaxEventsPerRun}."
            : MaxLiveRunsPerInstance < 1 ? $"RedisAgentRunStoreOptions.MaxLiveRunsPerInstance must be at least 1; it is {MaxLiveRunsPerInstance}."
            : CompletedRunTimeToLive < TimeSpan.FromMilliseconds(1) ? $"RedisAgentRunStoreOptions.CompletedRunTimeToLive must be at least 1 ms; it is {CompletedRunTimeToLive}."
            : LeaseTime < TimeSpan.FromSeconds(1) ? $"RedisAgentRunStoreOptions.LeaseTime must be at least 1 second; it is {LeaseTime}."
            : PollInterval <= TimeSpan.Zero ? $"RedisAgentRunStoreOptions.PollInterval must be positive; it is {PollInterval}."
            : RetryTimeout <= TimeSpan.Zero || RetryTimeout >= LeaseTime ? $"RedisAgentRunStoreOptions.RetryTimeout must be positive and shorter than LeaseTime ({LeaseTime}), so a run's lease cannot lapse while its appends are retried; it is {RetryTimeout}."
            : null;
        return problem is null;
    }

    private bool HasChannelPrefix()
    {
        string? configuration = ConnectionMultiplexer?.Configuration ?? Configuration;
        return configuration is not null && TryParse(configuration, out ConfigurationOptions? parsed) && !parsed.ChannelPrefix.IsNullOrEmpty;
    }

    internal void Validate()
    {
        if (!TryValidate(out string? problem))
        {
            throw new ArgumentException(problem);
        }
    }

    internal static bool TryParse(string configuration, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ConfigurationOptions? parsed)
    {
        try
        {
            parsed = ConfigurationOptions.Parse(configuration);
            return parsed.EndPoints.Count > 0;
        }
        catch (ArgumentException)
        {
            parsed = null;
            return false;
        }
    }
}
