namespace StreamingAgents.Redis;

/// <summary>
/// The store's Lua scripts: each operation is one atomic round trip on a run's keys (KEYS[1] the run's hash, KEYS[2]
/// its event stream, KEYS[3] its tool call commands), which share a hash slot, so they also work on Redis Cluster.
/// </summary>
/// <remarks>
/// The hash holds <c>created</c> (Unix ms), <c>last</c> (the last stored sequence), <c>owner</c> when the run has one,
/// and <c>done</c> / <c>cancel</c> once set. Stream entries have the ID <c>{sequence}-0</c> and the fields <c>e</c>
/// (the event's JSON) and <c>t</c> (its type), so a read from a sequence is a plain <c>XRANGE</c>.
/// </remarks>
internal static class RunScripts
{
    /// <summary>
    /// ARGV: created, lease ms, owner, has-owner ("1"). Returns 1, or 0 when another run has the ID. The same create
    /// again (a retry whose first reply was lost) finds its own run, unchanged, and returns 1.
    /// </summary>
    public const string Create = """
        local existing = redis.call('HMGET', KEYS[1], 'created', 'owner', 'last')
        if existing[1] then
          local owner = existing[2] or ''
          local mine = existing[1] == ARGV[1] and existing[3] == '0' and owner == ARGV[3] and ((existing[2] ~= false) == (ARGV[4] == '1'))
          if mine then return 1 end
          return 0
        end
        redis.call('DEL', KEYS[2])
        redis.call('HSET', KEYS[1], 'created', ARGV[1], 'last', 0)
        if ARGV[4] == '1' then redis.call('HSET', KEYS[1], 'owner', ARGV[3]) end
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        return 1
        """;

    /// <summary>
    /// ARGV: sequence, JSON, type, max length, lease ms, channel. Returns {1, seq} when stored, {0, seq} when this very
    /// event is already the last one (a retried append whose reply was lost), {-1} no run, {-2} completed,
    /// {-3, last} out of order.
    /// </summary>
    public const string Append = """
        local state = redis.call('HMGET', KEYS[1], 'last', 'done')
        if not state[1] then return {-1} end
        if state[2] then return {-2} end
        local last = tonumber(state[1])
        local seq = tonumber(ARGV[1])
        if seq == last and last > 0 then
          local top = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
          if top[1] and top[1][2][2] == ARGV[2] then return {0, seq} end
        end
        if seq ~= last + 1 then return {-3, last} end
        redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[4], ARGV[1] .. '-0', 'e', ARGV[2], 't', ARGV[3])
        redis.call('HSET', KEYS[1], 'last', seq)
        redis.call('PEXPIRE', KEYS[1], ARGV[5])
        redis.call('PEXPIRE', KEYS[2], ARGV[5])
        redis.call('PUBLISH', ARGV[6], 'a')
        return {1, seq}
        """;

    /// <summary>ARGV: time to live ms, channel. Returns 1, 0 when already completed, -1 no run.</summary>
    public const string Complete = """
        if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
        if redis.call('HEXISTS', KEYS[1], 'done') == 1 then return 0 end
        redis.call('HSET', KEYS[1], 'done', 1)
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        redis.call('PEXPIRE', KEYS[2], ARGV[1])
        redis.call('PUBLISH', ARGV[2], 'd')
        return 1
        """;

    /// <summary>ARGV: channel. Returns 1, 0 when already completed, -1 no run.</summary>
    public const string Cancel = """
        if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
        if redis.call('HEXISTS', KEYS[1], 'done') == 1 then return 0 end
        redis.call('HSET', KEYS[1], 'cancel', 1)
        redis.call('PUBLISH', ARGV[1], 'c')
        return 1
        """;

    /// <summary>
    /// Renews a live run's lease. ARGV: lease ms. Returns 1 renewed, 2 renewed and cancellation requested, 0 completed
    /// (its time to live is left alone), -1 no run.
    /// </summary>
    public const string Renew = """
        local state = redis.call('HMGET', KEYS[1], 'created', 'done', 'cancel')
        if not state[1] then return -1 end
        if state[2] then return 0 end
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        redis.call('PEXPIRE', KEYS[2], ARGV[1])
        if state[3] then return 2 end
        return 1
        """;

    /// <summary>
    /// ARGV: first sequence, count. Returns {done (0/1), last, entries} where entries is XRANGE's reply, or {-1} no run.
    /// Atomic, so "done" with no entries means every event was read.
    /// </summary>
    public const string Read = """
        local state = redis.call('HMGET', KEYS[1], 'last', 'done')
        if not state[1] then return {-1} end
        local entries = redis.call('XRANGE', KEYS[2], ARGV[1] .. '-0', '+', 'COUNT', ARGV[2])
        local done = 0
        if state[2] then done = 1 end
        return {done, tonumber(state[1]), entries}
        """;

    /// <summary>
    /// Queues an answer to a tool call for the instance running the run. ARGV: channel, command JSON, lease ms. Returns
    /// 1, 0 when the run has completed, -1 no run. The list lives no longer than the run's lease.
    /// </summary>
    public const string SendCommand = """
        if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
        if redis.call('HEXISTS', KEYS[1], 'done') == 1 then return 0 end
        redis.call('RPUSH', KEYS[3], ARGV[2])
        redis.call('PEXPIRE', KEYS[3], ARGV[3])
        redis.call('PUBLISH', ARGV[1], 't')
        return 1
        """;

    /// <summary>Takes every queued command, oldest first (empty when there are none).</summary>
    public const string TakeCommands = """
        local commands = redis.call('LRANGE', KEYS[3], 0, -1)
        if #commands > 0 then redis.call('DEL', KEYS[3]) end
        return commands
        """;
}
