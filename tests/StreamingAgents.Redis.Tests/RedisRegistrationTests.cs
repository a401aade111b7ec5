using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StreamingAgents.Runs;

namespace StreamingAgents.Redis.Tests;

/// <summary>Registration in one line, the connection from configuration, and settings checked at start with clear messages.</summary>
public sealed class RedisRegistrationTests
{
    [Fact]
    public async Task The_connection_string_comes_from_the_RunStore_Redis_configuration_key()
    {
        await using ServiceProvider services = Build(new Dictionary<string, string?> { ["RunStore:Redis"] = "redis.internal:6380,ssl=true" });
        Assert.Equal("redis.internal:6380,ssl=true", services.GetRequiredService<IOptions<RedisAgentRunStoreOptions>>().Value.Configuration);
        Assert.IsType<RedisAgentRunStore>(services.GetRequiredService<IAgentRunStore>());
        Assert.Same(services.GetRequiredService<RedisAgentRunStore>(), services.GetRequiredService<IAgentRunStore>());
        Assert.NotNull(services.GetRequiredService<AgentRunManager>());
    }

    [Fact]
    public async Task Code_wins_over_configuration_and_the_store_replaces_the_in_memory_one_whatever_the_order()
    {
        var collection = new ServiceCollection();
        collection.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["RunStore:Redis"] = "from-config:6379" }).Build());
        collection.AddStreamingAgents(o => o.ApiKey = "sk-test-key-0000").AddDetachedRuns().AddRedisRunStore(o => o.Configuration = "from-code:6379");
        await using ServiceProvider services = collection.BuildServiceProvider();
        Assert.Equal("from-code:6379", services.GetRequiredService<IOptions<RedisAgentRunStoreOptions>>().Value.Configuration);
        Assert.IsType<RedisAgentRunStore>(services.GetRequiredService<IAgentRunStore>());
    }

    [Theory]
    [InlineData(null, "RedisAgentRunStoreOptions.Configuration is not set: give a StackExchange.Redis connection string such as 127.0.0.1:6379 in the configuration key RunStore:Redis")]
    [InlineData("   ", "RedisAgentRunStoreOptions.Configuration is not set")]
    [InlineData("password=hunter2-secret", "RedisAgentRunStoreOptions.Configuration is not a StackExchange.Redis connection string")]
    [InlineData("localhost:6379,nosuchoption=1", "RedisAgentRunStoreOptions.Configuration is not a StackExchange.Redis connection string")]
    public void A_missing_or_unreadable_connection_string_fails_at_start_naming_the_setting_but_never_its_value(string? configuration, string expected)
    {
        using ServiceProvider services = Build(new Dictionary<string, string?> { ["RunStore:Redis"] = configuration });
        OptionsValidationException invalid = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<RedisAgentRunStoreOptions>>().Value);
        Assert.Contains(expected, invalid.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", invalid.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(nameof(RedisAgentRunStoreOptions.MaxEventsPerRun), "RedisAgentRunStoreOptions.MaxEventsPerRun must be at least 1; it is 0.")]
    [InlineData(nameof(RedisAgentRunStoreOptions.MaxLiveRunsPerInstance), "RedisAgentRunStoreOptions.MaxLiveRunsPerInstance must be at least 1; it is 0.")]
    [InlineData(nameof(RedisAgentRunStoreOptions.CompletedRunTimeToLive), "RedisAgentRunStoreOptions.CompletedRunTimeToLive must be at least 1 ms")]
    [InlineData(nameof(RedisAgentRunStoreOptions.LeaseTime), "RedisAgentRunStoreOptions.LeaseTime must be at least 1 second")]
    [InlineData(nameof(RedisAgentRunStoreOptions.PollInterval), "RedisAgentRunStoreOptions.PollInterval must be positive")]
    [InlineData(nameof(RedisAgentRunStoreOptions.RetryTimeout), "RedisAgentRunStoreOptions.RetryTimeout must be positive and shorter than LeaseTime")]
    [InlineData("RetryTimeoutPastLease", "RedisAgentRunStoreOptions.RetryTimeout must be positive and shorter than LeaseTime (00:00:30)")]
    [InlineData(nameof(RedisAgentRunStoreOptions.KeyPrefix), "RedisAgentRunStoreOptions.KeyPrefix must not be null")]
    public void Each_bad_setting_is_named_at_start_and_by_the_constructor(string setting, string expected)
    {
        Action<RedisAgentRunStoreOptions> breakIt = setting switch
        {
            nameof(RedisAgentRunStoreOptions.MaxEventsPerRun) => o => o.MaxEventsPerRun = 0,
            nameof(RedisAgentRunStoreOptions.MaxLiveRunsPerInstance) => o => o.MaxLiveRunsPerInstance = 0,
            nameof(RedisAgentRunStoreOptions.CompletedRunTimeToLive) => o => o.CompletedRunTimeToLive = TimeSpan.Zero,
            nameof(RedisAgentRunStoreOptions.LeaseTime) => o => o.LeaseTime = TimeSpan.FromMilliseconds(10),
            nameof(RedisAgentRunStoreOptions.PollInterval) => o => o.PollInterval = TimeSpan.Zero,
            nameof(RedisAgentRunStoreOptions.RetryTimeout) => o => o.RetryTimeout = TimeSpan.Zero,
            "RetryTimeoutPastLease" => o => o.RetryTimeout = TimeSpan.FromSeconds(30),
            _ => o => o.KeyPrefix = null!,
        };

        var collection = new ServiceCollection();
        collection.AddStreamingAgents(o => o.ApiKey = "sk-test-key-0000").AddRedisRunStore(o =>
        {
            o.Configuration = "127.0.0.1:6379";
            breakIt(o);
        });
        using ServiceProvider services = collection.BuildServiceProvider();
        Assert.Contains(expected, Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<RedisAgentRunStoreOptions>>().Value).Message, StringComparison.Ordinal);

        var options = new RedisAgentRunStoreOptions { Configuration = "127.0.0.1:6379" };
        breakIt(options);
        Assert.Contains(expected, Assert.Throws<ArgumentException>(() => new RedisAgentRunStore(options)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1:6379,channelPrefix=app:")]
    public void A_channel_prefix_is_refused_because_notices_published_from_Lua_would_not_carry_it(string configuration)
    {
        var options = new RedisAgentRunStoreOptions { Configuration = configuration };
        Assert.Contains("channelPrefix", Assert.Throws<ArgumentException>(() => new RedisAgentRunStore(options)).Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var collection = new ServiceCollection();
        collection.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        collection.AddStreamingAgents(o => o.ApiKey = "sk-test-key-0000").AddRedisRunStore();
        return collection.BuildServiceProvider();
    }
}
