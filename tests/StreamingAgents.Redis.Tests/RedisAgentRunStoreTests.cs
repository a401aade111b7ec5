using System.Text;
using StreamingAgents.Agents;
using StreamingAgents.Runs;

namespace StreamingAgents.Redis.Tests;

/// <summary>The store's contract against a real Redis: each operation, each error, the bounds and expiry.</summary>
public sealed class RedisAgentRunStoreTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [RedisFact]
    public async Task Stores_a_run_and_reads_it_back_from_any_sequence()
    {
        await using RedisAgentRunStore store = redis.NewStore(Prefix());
        var created = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123);
        await store.CreateAsync(new AgentRunRecord("run_a", "alice", created));
        for (long sequence = 1; sequence <= 5; sequence++)
        {
            await store.AppendAsync("run_a", Event(sequence));
        }

        await store.CompleteAsync("run_a");

        AgentRunRecord? record = await store.GetAsync("run_a");
        Assert.Equal(new AgentRunRecord("run_a", "alice", created) { IsCompleted = true }, record);
        Assert.Equal(new long[] { 1L, 2, 3, 4, 5 }, await Sequences(store.ReadAsync("run_a", 0)));
        Assert.Equal(new long[] { 4L, 5 }, await Sequences(store.ReadAsync("run_a", 3)));
        Assert.Empty(await Sequences(store.ReadAsync("run_a", 5)));
        SerializedAgentEvent first = await store.ReadAsync("run_a", 0).FirstAsync();
        Assert.Equal(Event(1).Utf8Json.ToArray(), first.Utf8Json.ToArray());
        Assert.Equal("text", first.EventType);
    }

    [RedisFact]
    public async Task A_run_without_owner_stays_without_one_and_an_empty_owner_is_kept()
    {
        await using RedisAgentRunStore store = redis.NewStore(Prefix());
        await store.CreateAsync(new AgentRunRecord("anyone", null, DateTimeOffset.UnixEpoch));
        await store.CreateAsync(new AgentRunRecord("empty", "", DateTimeOffset.UnixEpoch));
        Assert.Null((await store.GetAsync("anyone"))!.Owner);
        Assert.Equal("", (await store.GetAsync("empty"))!.Owner);
        Assert.Null(await store.GetAsync("never"));
    }

    [RedisFact]
    public async Task Every_misuse_is_a_typed_error_naming_the_run()
    {
        await using RedisAgentRunStore store = redis.NewStore(Prefix());
        await store.CreateAsync(new AgentRunRecord("run_b", null, DateTimeOffset.UnixEpoch));
        await Assert.ThrowsAsync<ArgumentException>(() => store.CreateAsync(new AgentRunRecord("run_b", "someone", DateTimeOffset.UnixEpoch)).AsTask());
        ArgumentException outOfOrder = await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync("run_b", Event(2)).AsTask());
        Assert.Contains("expects event 1, not 2", outOfOrder.Message, StringComparison.Ordinal);
        await store.AppendAsync("run_b", Event(1));
        await store.CompleteAsync("run_b");
        await store.CompleteAsync("run_b"); // twice is fine
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.AppendAsync("run_b", Event(2)).AsTask());

        Assert.Equal("nope", (await Assert.ThrowsAsync<AgentRunNotFoundException>(() => store.AppendAsync("nope", Event(1)).AsTask())).RunId);
        await Assert.ThrowsAsync<AgentRunNotFoundException>(() => store.CompleteAsync("nope").AsTask());
        await Assert.ThrowsAsync<AgentRunNotFoundException>(() => store.RequestCancellationAsync("nope").AsTask());
        await Assert.ThrowsAsync<AgentRunNotFoundException>(() => store.WaitForCancellationAsync("nope"));
        await Assert.ThrowsAsync<AgentRunNotFoundException>(() => Sequences(store.ReadAsync("nope", 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => store.ReadAsync("run_b", -1));
    }

    [RedisFact]
    public async Task A_retried_append_is_stored_once_but_a_different_event_with_the_same_sequence_is_refused()
    {
        await using RedisAgentRunStore store = redis.NewStore(Prefix());
        await store.CreateAsync(new AgentRunRecord("run_c", null, DateTimeOffset.UnixEpoch));
        await store.AppendAsync("run_c", Event(1));
        await store.AppendAsync("run_c", Event(1)); // the reply to the first was lost; the retry must not duplicate it
        await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync("run_c", Event(1, "other")).AsTask());
        await store.AppendAsync("run_c", Event(2));
        await store.CompleteAsync("run_c");
        Assert.Equal(new long[] { 1L, 2 }, await Sequences(store.ReadAsync("run_c", 0)));
    }

    [RedisFact]
    public async Task A_reader_on_another_connection_follows_appends_live_until_completion()
    {
        string prefix = Prefix();
        await using RedisAgentRunStore a = redis.NewStore(prefix);
        await using RedisAgentRunStore b = redis.NewStore(prefix, o => o.PollInterval = TimeSpan.FromMinutes(5)); // only pub/sub can wake it
        await a.CreateAsync(new AgentRunRecord("run_d", null, DateTimeOffset.UnixEpoch));
        await a.AppendAsync("run_d", Event(1));

        await using IAsyncEnumerator<SerializedAgentEvent> reader = b.ReadAsync("run_d", 0).GetAsyncEnumerator();
        Assert.True(await reader.MoveNextAsync());
        Assert.Equal(1, reader.Current.Sequence);
        Task<bool> next = reader.MoveNextAsync().AsTask();
        await Task.Delay(100);
        Assert.False(next.IsCompleted); // waiting, not spinning to an end
        await a.AppendAsync("run_d", Event(2));
        Assert.True(await next.WaitAsync(Patience));
        Assert.Equal(2, reader.Current.Sequence);
        next = reader.MoveNextAsync().AsTask();
        await a.CompleteAsync("run_d");
        Assert.False(await next.WaitAsync(Patience));
    }

    [RedisFact]
    public async Task A_reader_that_misses_every_notice_still_gets_each_event_by_polling()
    {
        string prefix = Prefix();
        await using RedisAgentRunStore a = redis.NewStore(prefix);
        await using RedisAgentRunStore b = redis.NewStore(prefix, o => o.PollInterval = TimeSpan.FromMilliseconds(50));
        await a.CreateAsync(new AgentRunRecord("run_e", null, DateTimeOffset.UnixEpoch));
        Task<long[]> read = Sequences(b.ReadAsync("run_e", 0));

        // Append behind the notices' back: straight into Redis, as a lost pub/sub message would leave it.
        await using var raw = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.Server.ConnectionString);
        StackExchange.Redis.IDatabase database = raw.GetDatabase();
        await database.StreamAddAsync($"{prefix}{{run_e}}:events", [new("e", Event(1).Utf8Json.ToArray()), new("t", "text")], "1-0");
        await database.HashSetAsync($"{prefix}{{run_e}}:run", [new("last", 1), new("done", 1)]);
        Assert.Equal(new long[] { 1L }, await read.WaitAsync(Patience));
    }

    [RedisFact]
    public async Task The_length_cap_trims_old_events_and_a_reader_needing_them_gets_a_gap_error()
    {
        await using RedisAgentRunStore store = redis.NewStore(Prefix(), o => o.MaxEventsPerRun = 5);
        await store.CreateAsync(new AgentRunRecord("run_f", null, DateTimeOffset.UnixEpoch));
        for (long sequence = 1; sequence <= 12; sequence++)
        {
            await store.AppendAsync("run_f", Event(sequence));
        }

        await store.CompleteAsync("run_f");
        AgentRunGapException gap = await Assert.ThrowsAsync<AgentRunGapException>(() => Sequences(store.ReadAsync("run_f", 3)));
        Assert.Equal((4, 8), (gap.RequestedSequence, gap.OldestAvailable));
        Assert.Equal(new long[] { 8L, 9, 10, 11, 12 }, await Sequences(store.ReadAsync("run_f", 7)));
    }

    [RedisFact]
    public async Task A_completed_run_expires_after_its_time_to_live()
    {
        await using RedisAgentRunStore store = redis.NewStore(Prefix(), o => o.CompletedRunTimeToLive = TimeSpan.FromSeconds(2));
        await store.CreateAsync(new AgentRunRecord("run_g", null, DateTimeOffset.UnixEpoch));
        await store.AppendAsync("run_g", Event(1));
        await store.CompleteAsync("run_g");
        Assert.NotNull(await store.GetAsync("run_g"));
        await Eventually(async () => await store.GetAsync("run_g") is null);
        await Assert.ThrowsAsync<AgentRunNotFoundException>(() => Sequences(store.ReadAsync("run_g", 0)));
    }

    [RedisFact]
    public async Task A_live_run_whose_instance_stopped_renewing_expires_and_its_readers_are_told_it_is_lost()
    {
        string prefix = Prefix();
        await using RedisAgentRunStore owner = redis.NewStore(prefix, o => (o.LeaseTime, o.RetryTimeout) = (TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)));
        await using RedisAgentRunStore other = redis.NewStore(prefix, o => o.PollInterval = TimeSpan.FromMilliseconds(100));
        await owner.CreateAsync(new AgentRunRecord("run_h", null, DateTimeOffset.UnixEpoch));
        await owner.AppendAsync("run_h", Event(1));
        await using IAsyncEnumerator<SerializedAgentEvent> reader = other.ReadAsync("run_h", 0).GetAsyncEnumerator();
        Assert.True(await reader.MoveNextAsync());

        // The owner renews while it waits for cancellation: the run outlives several leases.
        using (var running = new CancellationTokenSource())
        {
            Task waiting = owner.WaitForCancellationAsync("run_h", running.Token);
            await Task.Delay(TimeSpan.FromSeconds(5));
            Assert.NotNull(await other.GetAsync("run_h"));
            await running.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        }

        // Then it "dies": nobody renews, and the reader waiting for the next event hears that it never comes.
        AgentRunLostException lost = await Assert.ThrowsAsync<AgentRunLostException>(() => reader.MoveNextAsync().AsTask().WaitAsync(Patience));
        Assert.Equal("run_h", lost.RunId);
    }

    [RedisFact]
    public async Task Creating_the_same_run_again_is_a_harmless_retry_but_another_run_with_its_ID_is_refused()
    {
        await using RedisAgentRunStore store = redis.NewStore(Prefix());
        var record = new AgentRunRecord("run_k", "alice", DateTimeOffset.FromUnixTimeMilliseconds(1_000));
        await store.CreateAsync(record);
        await store.CreateAsync(record); // the first reply was lost

        await Assert.ThrowsAsync<ArgumentException>(() => store.CreateAsync(record with { Owner = "mallory" }).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => store.CreateAsync(record with { Owner = null }).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => store.CreateAsync(record with { CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(2_000) }).AsTask());
        await store.AppendAsync("run_k", Event(1));
        await Assert.ThrowsAsync<ArgumentException>(() => store.CreateAsync(record).AsTask()); // it has started: not a retry
    }

    [RedisFact]
    public async Task Readers_that_come_and_go_on_one_run_keep_getting_notices()
    {
        string prefix = Prefix();
        await using RedisAgentRunStore a = redis.NewStore(prefix);
        await using RedisAgentRunStore b = redis.NewStore(prefix, o => o.PollInterval = TimeSpan.FromMinutes(5)); // only notices wake it
        await a.CreateAsync(new AgentRunRecord("run_l", null, DateTimeOffset.UnixEpoch));
        for (long sequence = 1; sequence <= 30; sequence++)
        {
            // Each reader subscribes as the previous one unsubscribes: a new SUBSCRIBE must not be undone by an old UNSUBSCRIBE.
            await using IAsyncEnumerator<SerializedAgentEvent> reader = b.ReadAsync("run_l", sequence - 1).GetAsyncEnumerator();
            Task<bool> next = reader.MoveNextAsync().AsTask();
            await a.AppendAsync("run_l", Event(sequence));
            Assert.True(await next.WaitAsync(Patience));
            Assert.Equal(sequence, reader.Current.Sequence);
        }
    }

    [RedisFact]
    public async Task A_refusal_by_Redis_is_a_typed_store_error_naming_the_run_and_the_error_code_only()
    {
        string prefix = Prefix();
        await using RedisAgentRunStore store = redis.NewStore(prefix);
        await store.CreateAsync(new AgentRunRecord("run_m", null, DateTimeOffset.UnixEpoch));
        await using var raw = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.Server.ConnectionString);
        await raw.GetDatabase().StringSetAsync($"{prefix}{{run_m}}:events", "not a stream"); // someone else wrote the key

        AgentRunStoreException refused = await Assert.ThrowsAsync<AgentRunStoreException>(() => store.AppendAsync("run_m", Event(1)).AsTask());
        Assert.Equal("run_m", refused.RunId);
        Assert.Contains("refused an operation on run 'run_m' (", refused.Message, StringComparison.Ordinal);
        Assert.IsNotType<AgentRunStoreUnavailableException>(refused);
    }

    [RedisFact]
    public async Task An_instance_runs_at_most_its_limit_of_live_runs_and_a_completed_one_frees_a_place()
    {
        string prefix = Prefix();
        await using RedisAgentRunStore here = redis.NewStore(prefix, o => o.MaxLiveRunsPerInstance = 2);
        await using RedisAgentRunStore elsewhere = redis.NewStore(prefix, o => o.MaxLiveRunsPerInstance = 2);
        await here.CreateAsync(new AgentRunRecord("run_o1", null, DateTimeOffset.UnixEpoch));
        await here.CreateAsync(new AgentRunRecord("run_o2", null, DateTimeOffset.UnixEpoch));

        Assert.Equal(2, (await Assert.ThrowsAsync<AgentRunLimitException>(() => here.CreateAsync(new AgentRunRecord("run_o3", null, DateTimeOffset.UnixEpoch)).AsTask())).Limit);
        await elsewhere.CreateAsync(new AgentRunRecord("run_o3", null, DateTimeOffset.UnixEpoch)); // the limit is per instance
        await here.CompleteAsync("run_o1");
        await here.CreateAsync(new AgentRunRecord("run_o4", null, DateTimeOffset.UnixEpoch));
    }

    [RedisFact]
    public async Task A_connection_the_host_already_has_is_used_and_left_open()
    {
        await using var shared = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.Server.ConnectionString);
        await using (var store = new RedisAgentRunStore(new RedisAgentRunStoreOptions { ConnectionMultiplexer = shared, KeyPrefix = Prefix() }))
        {
            await store.CreateAsync(new AgentRunRecord("run_n", null, DateTimeOffset.UnixEpoch));
            Assert.NotNull(await store.GetAsync("run_n"));
        }

        Assert.True(shared.IsConnected);
        await shared.GetDatabase().PingAsync(); // still usable
    }

    [RedisFact]
    public async Task A_cancel_requested_through_one_instance_reaches_the_one_waiting_on_another()
    {
        string prefix = Prefix();
        await using RedisAgentRunStore a = redis.NewStore(prefix);
        await using RedisAgentRunStore b = redis.NewStore(prefix);
        await a.CreateAsync(new AgentRunRecord("run_i", null, DateTimeOffset.UnixEpoch));
        Task waiting = a.WaitForCancellationAsync("run_i");
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted);
        await b.RequestCancellationAsync("run_i");
        await waiting.WaitAsync(Patience);

        // A waiter that starts after the request sees it at once.
        await a.WaitForCancellationAsync("run_i").WaitAsync(Patience);
    }

    [RedisFact]
    public async Task Many_readers_of_one_run_on_one_instance_each_get_every_event()
    {
        string prefix = Prefix();
        await using RedisAgentRunStore a = redis.NewStore(prefix);
        await using RedisAgentRunStore b = redis.NewStore(prefix);
        await a.CreateAsync(new AgentRunRecord("run_j", null, DateTimeOffset.UnixEpoch));
        Task<long[]>[] readers = [.. Enumerable.Range(0, 8).Select(_ => Sequences(b.ReadAsync("run_j", 0)))];
        for (long sequence = 1; sequence <= 50; sequence++)
        {
            await a.AppendAsync("run_j", Event(sequence));
        }

        await a.CompleteAsync("run_j");
        foreach (long[] read in await Task.WhenAll(readers).WaitAsync(Patience))
        {
            Assert.Equal(Enumerable.Range(1, 50).Select(static i => (long)i), read);
        }
    }

    internal static SerializedAgentEvent Event(long sequence, string text = "hello") =>
        new(sequence, "text", Encoding.UTF8.GetBytes($$"""{"type":"text","seq":{{sequence}},"text":"{{text}}"}"""));

    internal static async Task<long[]> Sequences(IAsyncEnumerable<SerializedAgentEvent> events)
    {
        var sequences = new List<long>();
        await foreach (SerializedAgentEvent agentEvent in events)
        {
            sequences.Add(agentEvent.Sequence);
        }

        return [.. sequences];
    }

    internal static async Task Eventually(Func<Task<bool>> condition)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(waited.Elapsed < Patience, "The condition did not become true in time.");
            await Task.Delay(50);
        }
    }

    [RedisFact]
    public async Task Tool_call_commands_reach_the_reader_in_order_whether_sent_before_or_after_it_started()
    {
        string prefix = Prefix();
        await using RedisAgentRunStore runner = redis.NewStore(prefix);
        await using RedisAgentRunStore other = redis.NewStore(prefix);
        await runner.CreateAsync(new AgentRunRecord("run_cmd", null, DateTimeOffset.UnixEpoch));
        Assert.True(await other.SendToolCallCommandAsync("run_cmd", new ToolCallCommand("toolu_1", ToolCallCommandKind.Approve)));

        using var stop = new CancellationTokenSource(Patience);
        await using IAsyncEnumerator<ToolCallCommand> commands = runner.ReadToolCallCommandsAsync("run_cmd", stop.Token).GetAsyncEnumerator(stop.Token);
        Assert.True(await commands.MoveNextAsync());
        Assert.Equal(new ToolCallCommand("toolu_1", ToolCallCommandKind.Approve), commands.Current);

        Task<bool> next = commands.MoveNextAsync().AsTask();
        Assert.True(await other.SendToolCallCommandAsync("run_cmd", new ToolCallCommand("toolu_2", ToolCallCommandKind.Deny, "no receipt 😀")));
        Assert.True(await other.SendToolCallCommandAsync("run_cmd", new ToolCallCommand("toolu_3", ToolCallCommandKind.Cancel)));
        Assert.True(await next);
        Assert.Equal(new ToolCallCommand("toolu_2", ToolCallCommandKind.Deny, "no receipt 😀"), commands.Current);
        Assert.True(await commands.MoveNextAsync());
        Assert.Equal(new ToolCallCommand("toolu_3", ToolCallCommandKind.Cancel), commands.Current);

        await runner.CompleteAsync("run_cmd");
        Assert.False(await other.SendToolCallCommandAsync("run_cmd", new ToolCallCommand("toolu_4", ToolCallCommandKind.Approve)));
        await Assert.ThrowsAsync<AgentRunNotFoundException>(() => other.SendToolCallCommandAsync("nope", new ToolCallCommand("toolu_1", ToolCallCommandKind.Approve)).AsTask());
    }

    [RedisFact]
    public async Task A_tool_call_command_this_store_did_not_write_is_a_typed_error()
    {
        string prefix = Prefix();
        await using RedisAgentRunStore store = redis.NewStore(prefix);
        await store.CreateAsync(new AgentRunRecord("run_bad", null, DateTimeOffset.UnixEpoch));
        await using StackExchange.Redis.ConnectionMultiplexer connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.Server.ConnectionString);
        await connection.GetDatabase().ListRightPushAsync($"{prefix}{{run_bad}}:commands", "not json");

        var error = await Assert.ThrowsAsync<AgentRunStoreException>(async () => await store.ReadToolCallCommandsAsync("run_bad").FirstAsync());

        Assert.Equal("run_bad", error.RunId);
    }

    [RedisFact]
    public async Task A_tool_call_command_mutated_in_Redis_reads_as_a_command_or_a_typed_error()
    {
        string prefix = Prefix();
        await using RedisAgentRunStore store = redis.NewStore(prefix);
        await store.CreateAsync(new AgentRunRecord("run_fuzz", null, DateTimeOffset.UnixEpoch));
        await using StackExchange.Redis.ConnectionMultiplexer connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.Server.ConnectionString);
        const string valid = """{"ToolCallId":"toolu_1","Kind":"Deny","Reason":"no"}""";
        var payloads = new List<string>();
        for (int cut = 0; cut < valid.Length; cut++)
        {
            payloads.Add(valid[..cut]);
        }

        foreach (string field in new[] { "ToolCallId", "Kind", "Reason" })
        {
            foreach (string value in new[] { "null", "7", "true", "[]", "{}", "\"\"", "\"Nope\"", $"\"{new string('x', 100_000)}\"" })
            {
                payloads.Add(valid.Replace($"\"{field}\":", $"\"{field}\":{value},\"_{field}\":", StringComparison.Ordinal));
            }
        }

        int commands = 0, errors = 0;
        foreach (string payload in payloads)
        {
            await connection.GetDatabase().ListRightPushAsync($"{prefix}{{run_fuzz}}:commands", payload);
            try
            {
                ToolCallCommand command = await store.ReadToolCallCommandsAsync("run_fuzz").FirstAsync();
                Assert.False(string.IsNullOrEmpty(command.ToolCallId), payload);
                Assert.True(Enum.IsDefined(command.Kind), payload);
                commands++;
            }
            catch (AgentRunStoreException error)
            {
                Assert.Equal("run_fuzz", error.RunId);
                errors++;
            }
        }

        Assert.True(commands > 0 && errors > 0, $"{commands} read, {errors} refused");
    }

    internal static string Prefix() => $"test:{Guid.NewGuid():N}:";
}
