using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using StreamingAgents.Agents;
using StreamingAgents.Messages;
using StreamingAgents.Runs;

namespace StreamingAgents.Redis.Tests;

/// <summary>
/// What happens when Redis goes away mid-run, each case with a Redis of its own: a restart that keeps the data is
/// ridden out (nothing lost, nothing twice), one that loses it ends the run with a typed error for its readers, and a
/// Redis that stays away is reported as unavailable, never a hang.
/// </summary>
public sealed class RedisRestartTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [RedisFact]
    public async Task A_restart_that_keeps_the_data_is_ridden_out_and_a_reader_on_B_gets_every_event_exactly_once()
    {
        await using RedisServer redis = await RedisServer.StartAsync(persistent: true);
        var release = new TaskCompletionSource();
        await using HostPair hosts = await HostPair.StartAsync(redis, ScaleOutTests.GatedLookup(release));
        string eventsUrl = await ScaleOutTests.StartRunAsync(hosts.A, user: "alice");
        Task<List<SseItem<string>>> readerOnB = ScaleOutTests.ReadSseAsync(hosts.B, eventsUrl, "alice");
        await ScaleOutTests.ReadSseAsync(hosts.A, eventsUrl, "alice", until: static item => item.EventType == "tool_execution_started");

        await redis.RestartAsync(downtime: TimeSpan.FromMilliseconds(500));
        release.SetResult(); // the run goes on: its next events are appended once Redis is back

        List<SseItem<string>> all = await readerOnB.WaitAsync(Patience);
        Assert.Equal(Enumerable.Range(1, all.Count).Select(static i => i.ToString(CultureInfo.InvariantCulture)), all.Select(static item => item.EventId));
        Assert.Equal("completed", JsonDocument.Parse(all[^1].Data).RootElement.GetProperty("outcome").GetString());
        Assert.Contains(all, static item => item.EventType == "tool_call_completed");
    }

    [RedisFact]
    public async Task A_restart_that_loses_the_data_ends_the_run_and_its_readers_get_a_typed_error()
    {
        await using RedisServer redis = await RedisServer.StartAsync(persistent: false);
        var release = new TaskCompletionSource();
        await using HostPair hosts = await HostPair.StartAsync(redis, ScaleOutTests.GatedLookup(release), o =>
        {
            o.LeaseTime = TimeSpan.FromSeconds(10); // renewed every 3.3 s: the owner notices soon
            o.RetryTimeout = TimeSpan.FromSeconds(8); // long enough to reconnect after the restart
            o.PollInterval = TimeSpan.FromMilliseconds(200);
        });
        AgentRunManager onA = hosts.A.App.Services.GetRequiredService<AgentRunManager>();
        AgentRunManager onB = hosts.B.App.Services.GetRequiredService<AgentRunManager>();
        AgentRunHandle run = await onA.StartAsync(new MessageRequest { Model = "claude-test", MaxTokens = 100, Messages = [MessageParam.User("Where is ORD-1?")] }, owner: "alice");
        string runId = run.RunId;
        await foreach (SerializedAgentEvent agentEvent in onA.SubscribeAsync(runId, 0, "alice"))
        {
            if (agentEvent.EventType == "tool_execution_started")
            {
                break;
            }
        }

        IAsyncEnumerator<SerializedAgentEvent> readerOnB = onB.SubscribeAsync(runId, 0, "alice").GetAsyncEnumerator();
        Assert.True(await readerOnB.MoveNextAsync()); // B has seen the run before Redis forgets it

        await redis.RestartAsync();

        AgentRunLostException lost = await Assert.ThrowsAsync<AgentRunLostException>(async () =>
        {
            while (await readerOnB.MoveNextAsync().AsTask().WaitAsync(Patience))
            {
            }
        });
        await readerOnB.DisposeAsync();
        Assert.Equal(runId, lost.RunId);
        // The run on A stops too (its tool is cancelled) instead of working for nobody...
        await run.Completion.WaitAsync(Patience);
        // ...and the run is gone for everyone.
        await Assert.ThrowsAsync<AgentRunNotFoundException>(() => onB.GetRunAsync(runId, "alice"));
    }

    [RedisFact]
    public async Task A_Redis_that_stays_away_is_reported_as_unavailable_in_time_without_its_password()
    {
        await using RedisServer redis = await RedisServer.StartAsync();
        await using RedisAgentRunStore store = RedisServerFixture.NewStore(redis, RedisAgentRunStoreTests.Prefix(), o =>
        {
            o.Configuration = $"{redis.ConnectionString},password=not-a-real-secret-1234,asyncTimeout=500,connectTimeout=500";
            o.RetryTimeout = TimeSpan.FromSeconds(1);
        });
        await redis.StopAsync();

        var elapsed = System.Diagnostics.Stopwatch.StartNew();
        AgentRunStoreUnavailableException unavailable = await Assert.ThrowsAsync<AgentRunStoreUnavailableException>(() => store.GetAsync("run_x").AsTask());
        Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(10), $"It took {elapsed.Elapsed} to give up after a 1 s retry timeout.");
        Assert.Equal("run_x", unavailable.RunId);
        Assert.Contains("did not answer within 1 s for run 'run_x'", unavailable.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-a-real-secret", unavailable.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<AgentRunStoreUnavailableException>(() => RedisAgentRunStoreTests.Sequences(store.ReadAsync("run_x", 0)));
    }

    [RedisFact]
    public async Task While_Redis_is_away_the_endpoints_answer_503_with_Retry_After()
    {
        await using RedisServer redis = await RedisServer.StartAsync();
        await using HostPair hosts = await HostPair.StartAsync(redis, ScaleOutTests.GatedLookup(new TaskCompletionSource()), o =>
        {
            o.Configuration += ",asyncTimeout=500,connectTimeout=500";
            o.RetryTimeout = TimeSpan.FromMilliseconds(500);
        });
        await redis.StopAsync();

        HttpResponseMessage events = await hosts.B.Client.GetAsync("/api/runs/run_x/events");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, events.StatusCode);
        Assert.NotNull(events.Headers.RetryAfter);
        Assert.Equal("Run store unavailable", (await events.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());

        HttpResponseMessage start = await hosts.A.Client.PostAsync("/api/runs", JsonContent.Create(new { message = "Where is ORD-1?" }));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, start.StatusCode);
    }
}
