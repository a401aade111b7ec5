using StackExchange.Redis;

namespace StreamingAgents.Redis;

/// <summary>
/// A run's names in Redis: <c>{prefix}{{runId}}:run</c> (a hash), <c>{prefix}{{runId}}:events</c> (a stream),
/// <c>{prefix}{{runId}}:commands</c> (a list of answers to its tool calls, waiting for the instance running it) and the
/// channel <c>{prefix}{{runId}}</c>. The braces make the keys share a hash slot on Redis Cluster.
/// </summary>
internal sealed class RunKeys
{
    public RunKeys(string prefix, string runId)
    {
        RunId = runId;
        string tag = $"{prefix}{{{runId}}}";
        Keys = [tag + ":run", tag + ":events", tag + ":commands"];
        Channel = RedisChannel.Literal(tag);
    }

    public string RunId { get; }

    /// <summary>Gets the run's hash, stream and command list, in the order the scripts expect.</summary>
    public RedisKey[] Keys { get; }

    public RedisKey Run => Keys[0];

    public RedisChannel Channel { get; }
}
