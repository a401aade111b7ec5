namespace StreamingAgents.Redis.Tests;

/// <summary>One Redis server for a test class (started only when it has a redis-server to start); each test uses its own key prefix.</summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    private RedisServer? _server;

    internal RedisServer Server => _server ?? throw new InvalidOperationException(RedisServer.MissingReason);

    public async Task InitializeAsync()
    {
        if (RedisServer.ExecutablePath is not null || RedisServer.IsRequired)
        {
            _server = await RedisServer.StartAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>A store on its own connection, under a prefix no other test uses.</summary>
    internal RedisAgentRunStore NewStore(string prefix, Action<RedisAgentRunStoreOptions>? configure = null) =>
        NewStore(Server, prefix, configure);

    internal static RedisAgentRunStore NewStore(RedisServer server, string prefix, Action<RedisAgentRunStoreOptions>? configure = null)
    {
        var options = new RedisAgentRunStoreOptions { Configuration = server.ConnectionString, KeyPrefix = prefix };
        configure?.Invoke(options);
        return new RedisAgentRunStore(options);
    }
}
