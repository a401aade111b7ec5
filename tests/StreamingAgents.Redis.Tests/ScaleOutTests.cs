using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using StreamingAgents.AspNetCore.Tests;
using StreamingAgents.Runs;
using StreamingAgents.Tools;

namespace StreamingAgents.Redis.Tests;

/// <summary>
/// Two hosts behind an imaginary load balancer share one real Redis: whatever host a request lands on, a run is
/// resumed, cancelled and guarded the same.
/// </summary>
public sealed class ScaleOutTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    [RedisFact]
    public async Task A_run_started_on_A_is_resumed_from_the_middle_on_B_with_every_event_exactly_once()
    {
        var release = new TaskCompletionSource();
        await using HostPair hosts = await HostPair.StartAsync(redis.Server, GatedLookup(release));
        string eventsUrl = await StartRunAsync(hosts.A, user: "alice");

        // The browser reads from A until the tool runs, then its connection drops...
        List<SseItem<string>> first = await ReadSseAsync(hosts.A, eventsUrl, "alice", until: static item => item.EventType == "tool_execution_started");
        release.SetResult();

        // ...and its reconnect lands on B, resuming after the last event it has.
        List<SseItem<string>> rest = await ReadSseAsync(hosts.B, eventsUrl, "alice", lastEventId: first[^1].EventId);

        IEnumerable<string?> ids = first.Concat(rest).Select(static item => item.EventId);
        Assert.Equal(Enumerable.Range(1, first.Count + rest.Count).Select(static i => i.ToString(CultureInfo.InvariantCulture)), ids);
        Assert.Equal("run_completed", rest[^1].EventType);
        Assert.Equal("completed", JsonDocument.Parse(rest[^1].Data).RootElement.GetProperty("outcome").GetString());
        Assert.Contains(rest, static item => item.EventType == "tool_call_completed");
    }

    [RedisFact]
    public async Task A_cancel_sent_to_B_stops_the_run_on_A_and_its_tool()
    {
        var toolCancelled = new TaskCompletionSource();
        AgentTool lookup = HangingLookup(toolCancelled);
        await using HostPair hosts = await HostPair.StartAsync(redis.Server, lookup);
        string eventsUrl = await StartRunAsync(hosts.A, user: "alice");
        await ReadSseAsync(hosts.A, eventsUrl, "alice", until: static item => item.EventType == "tool_execution_started");

        using var cancel = new HttpRequestMessage(HttpMethod.Post, eventsUrl.Replace("/events", "/cancel", StringComparison.Ordinal));
        cancel.Headers.Add(AgentTestServer.UserHeader, "alice");
        Assert.Equal(HttpStatusCode.Accepted, (await hosts.B.Client.SendAsync(cancel)).StatusCode);

        await toolCancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
        List<SseItem<string>> all = await ReadSseAsync(hosts.B, eventsUrl, "alice");
        Assert.Equal("cancelled", JsonDocument.Parse(all[^1].Data).RootElement.GetProperty("outcome").GetString());
    }

    [RedisFact]
    public async Task Another_owner_on_B_is_told_the_run_does_not_exist_and_the_owner_is_served()
    {
        await using HostPair hosts = await HostPair.StartAsync(redis.Server, GatedLookup(new TaskCompletionSource()));
        string eventsUrl = await StartRunAsync(hosts.A, user: "alice");

        foreach ((string? user, HttpMethod method, string url) in new[]
        {
            ((string?)"mallory", HttpMethod.Get, eventsUrl),
            (null, HttpMethod.Get, eventsUrl),
            ("mallory", HttpMethod.Post, eventsUrl.Replace("/events", "/cancel", StringComparison.Ordinal)),
        })
        {
            using var request = new HttpRequestMessage(method, url);
            if (user is not null)
            {
                request.Headers.Add(AgentTestServer.UserHeader, user);
            }

            HttpResponseMessage response = await hosts.B.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        List<SseItem<string>> seen = await ReadSseAsync(hosts.B, eventsUrl, "alice", until: static item => item.EventType == "tool_execution_started");
        Assert.Equal("1", seen[0].EventId);
    }

    [RedisFact]
    public async Task The_web_sample_switches_to_Redis_with_the_RunStore_Redis_setting()
    {
        await using Microsoft.AspNetCore.Builder.WebApplication redisApp = OrderAgent.Web.OrderWebApp.Create([$"--RunStore:Redis={redis.Server.ConnectionString}"]);
        Assert.IsType<RedisAgentRunStore>(redisApp.Services.GetRequiredService<IAgentRunStore>());

        await using Microsoft.AspNetCore.Builder.WebApplication memoryApp = OrderAgent.Web.OrderWebApp.Create([]);
        Assert.IsType<InMemoryAgentRunStore>(memoryApp.Services.GetRequiredService<IAgentRunStore>());
    }

    [RedisFact]
    public async Task An_approval_sent_to_B_lets_the_tool_run_on_A()
    {
        var ran = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        AgentTool lookup = AgentTool.Create("lookup", "Looks up.", RedisTestJsonContext.Default.LookupQuery, (_, _) =>
        {
            ran.TrySetResult();
            return ValueTask.FromResult(ToolResult.Text("ORD-1 ships on Friday."));
        }, requiresApproval: true);
        await using HostPair hosts = await HostPair.StartAsync(redis.Server, lookup);
        string eventsUrl = await StartRunAsync(hosts.A, user: "alice");
        List<SseItem<string>> seen = await ReadSseAsync(hosts.B, eventsUrl, "alice", until: static item => item.EventType == "tool_approval_requested");
        string callId = JsonDocument.Parse(seen[^1].Data).RootElement.GetProperty("tool_call_id").GetString()!;
        string approve = eventsUrl.Replace("/events", $"/tool-calls/{callId}/approve", StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(hosts.B, approve, "mallory")).StatusCode);
        Assert.False(ran.Task.IsCompleted);
        Assert.Equal(HttpStatusCode.Accepted, (await PostAsync(hosts.B, approve, "alice")).StatusCode);

        await ran.Task.WaitAsync(TimeSpan.FromSeconds(10)); // on A, where the run executes
        List<SseItem<string>> all = await ReadSseAsync(hosts.B, eventsUrl, "alice");
        Assert.Equal("completed", JsonDocument.Parse(all[^1].Data).RootElement.GetProperty("outcome").GetString());
        Assert.False(JsonDocument.Parse(all.Single(static item => item.EventType == "tool_call_completed").Data).RootElement.GetProperty("is_error").GetBoolean());
        Assert.Equal(HttpStatusCode.Conflict, (await PostAsync(hosts.B, approve, "alice")).StatusCode); // the run has ended
    }

    [RedisFact]
    public async Task Cancelling_one_tool_through_B_stops_it_on_A_and_the_run_goes_on()
    {
        var toolCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        AgentTool lookup = HangingLookup(toolCancelled);
        await using HostPair hosts = await HostPair.StartAsync(redis.Server, lookup);
        string eventsUrl = await StartRunAsync(hosts.A, user: "alice");
        List<SseItem<string>> seen = await ReadSseAsync(hosts.B, eventsUrl, "alice", until: static item => item.EventType == "tool_execution_started");
        string callId = JsonDocument.Parse(seen[^1].Data).RootElement.GetProperty("tool_call_id").GetString()!;

        Assert.Equal(HttpStatusCode.Accepted, (await PostAsync(hosts.B, eventsUrl.Replace("/events", $"/tool-calls/{callId}/cancel", StringComparison.Ordinal), "alice")).StatusCode);

        await toolCancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
        List<SseItem<string>> all = await ReadSseAsync(hosts.B, eventsUrl, "alice");
        Assert.Equal("completed", JsonDocument.Parse(all[^1].Data).RootElement.GetProperty("outcome").GetString());
        JsonElement completed = JsonDocument.Parse(all.Single(static item => item.EventType == "tool_call_completed").Data).RootElement;
        Assert.Equal("The user cancelled this 'lookup' call.", completed.GetProperty("result").GetString());
    }

    private static async Task<HttpResponseMessage> PostAsync(AgentTestServer server, string url, string user)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url);
        request.Headers.Add(AgentTestServer.UserHeader, user);
        return await server.Client.SendAsync(request);
    }

    /// <summary>A tool that runs until cancelled, and says when it was.</summary>
    private static AgentTool HangingLookup(TaskCompletionSource cancelled) =>
        AgentTool.Create("lookup", "Looks up.", RedisTestJsonContext.Default.LookupQuery, async (_, context) =>
        {
            await using (context.CancellationToken.Register(() => cancelled.TrySetResult()))
            {
                await Task.Delay(Timeout.Infinite, context.CancellationToken);
            }

            return ToolResult.Text("never");
        });

    internal static AgentTool GatedLookup(TaskCompletionSource release) =>
        AgentTool.Create("lookup", "Looks up.", RedisTestJsonContext.Default.LookupQuery, async (_, context) =>
        {
            await release.Task.WaitAsync(context.CancellationToken);
            return ToolResult.Text("ORD-1 ships on Friday.");
        });

    internal static async Task<string> StartRunAsync(AgentTestServer server, string? user)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/runs") { Content = JsonContent.Create(new { message = "Where is ORD-1?" }) };
        if (user is not null)
        {
            request.Headers.Add(AgentTestServer.UserHeader, user);
        }

        HttpResponseMessage response = await server.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("events_url").GetString()!;
    }

    /// <summary>Reads a run's SSE events (to the end, or up to and including the first that <paramref name="until"/> matches).</summary>
    internal static async Task<List<SseItem<string>>> ReadSseAsync(AgentTestServer server, string eventsUrl, string? user, string? lastEventId = null, Func<SseItem<string>, bool>? until = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, eventsUrl);
        if (user is not null)
        {
            request.Headers.Add(AgentTestServer.UserHeader, user);
        }

        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using HttpResponseMessage response = await server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var items = new List<SseItem<string>>();
        await foreach (SseItem<string> item in SseParser.Create(await response.Content.ReadAsStreamAsync(timeout.Token)).EnumerateAsync(timeout.Token))
        {
            items.Add(item);
            if (until?.Invoke(item) == true)
            {
                break;
            }
        }

        return items;
    }
}

/// <summary>Two agent hosts (TestHost) whose detached runs live in the same Redis, under a prefix of their own.</summary>
internal sealed class HostPair : IAsyncDisposable
{
    private HostPair(AgentTestServer a, AgentTestServer b)
    {
        A = a;
        B = b;
    }

    public AgentTestServer A { get; }

    public AgentTestServer B { get; }

    public static async Task<HostPair> StartAsync(RedisServer redis, AgentTool tool, Action<RedisAgentRunStoreOptions>? configure = null)
    {
        string prefix = RedisAgentRunStoreTests.Prefix();
        Task<AgentTestServer> Start() => AgentTestServer.StartAsync(tools: [tool], agentsSetup: agents => agents.AddRedisRunStore(o =>
        {
            o.Configuration = redis.ConnectionString;
            o.KeyPrefix = prefix;
            configure?.Invoke(o);
        }));
        return new HostPair(await Start(), await Start());
    }

    public async ValueTask DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
    }
}

/// <summary>Input of the test tool.</summary>
public sealed record LookupQuery(string Query);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower)]
[System.Text.Json.Serialization.JsonSerializable(typeof(LookupQuery))]
internal sealed partial class RedisTestJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
