namespace StreamingAgents.Redis.Tests;

/// <summary>
/// A test that needs a real <c>redis-server</c>. Without one it is skipped, saying why, unless
/// <c>STREAMINGAGENTS_REQUIRE_REDIS=1</c> (set by .ci/run), which makes it run, and fail, instead.
/// </summary>
public sealed class RedisFactAttribute : FactAttribute
{
    public RedisFactAttribute()
    {
        if (RedisServer.ExecutablePath is null && !RedisServer.IsRequired)
        {
            Skip = RedisServer.MissingReason;
        }
    }
}
