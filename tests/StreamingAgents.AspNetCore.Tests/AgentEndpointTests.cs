using System.Net;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using StreamingAgents.Agents;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Transcripts;
using StreamingAgents.Tools;

namespace StreamingAgents.AspNetCore.Tests;

public sealed class AgentEndpointTests
{
    [Fact]
    public async Task PostRuns_Message_Returns201WithTheRunAndItsEventsUrl()
    {
        await using AgentTestServer server = await AgentTestServer.StartAsync();

        HttpResponseMessage response = await server.Client.PostAsJsonAsync("/api/runs", new { message = "Where is ORD-1?" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        JsonElement body = await response.Content.ReadFromJsonAsync<JsonElement>();
        string runId = body.GetProperty("run_id").GetString()!;
        Assert.StartsWith("run_", runId, StringComparison.Ordinal);
        Assert.Equal($"/api/runs/{runId}/events", body.GetProperty("events_url").GetString());
        Assert.Equal($"/api/runs/{runId}/events", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task GetEvents_ProxySafeEventStreamOfTheWholeRun()
    {
        await using AgentTestServer server = await AgentTestServer.StartAsync();
        string eventsUrl = await StartRunAsync(server);

        HttpResponseMessage response = await server.Client.GetAsync(eventsUrl, HttpCompletionOption.ResponseHeadersRead);
        List<SseItem<string>> items = await ReadSseAsync(response);

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("no-cache", response.Headers.CacheControl!.ToString());
        Assert.Equal("no", response.Headers.GetValues("X-Accel-Buffering").Single());
        Assert.Equal(Enumerable.Range(1, items.Count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), items.Select(i => i.EventId!));
        Assert.Equal("run_completed", items[^1].EventType);
        Assert.Equal("It ships on Friday. 😀 中文 é", JsonDocument.Parse(items[^1].Data).RootElement.GetProperty("final_text").GetString());
    }

    [Theory]
    [InlineData("header")]
    [InlineData("query")]
    public async Task GetEvents_AfterLastEventId_ResumesWithExactlyTheRest(string how)
    {
        await using AgentTestServer server = await AgentTestServer.StartAsync();
        string eventsUrl = await StartRunAsync(server);
        List<SseItem<string>> all = await ReadSseAsync(await server.Client.GetAsync(eventsUrl, HttpCompletionOption.ResponseHeadersRead));

        using var request = new HttpRequestMessage(HttpMethod.Get, how == "query" ? $"{eventsUrl}?last_event_id=3" : eventsUrl);
        if (how == "header")
        {
            request.Headers.Add("Last-Event-ID", "3");
        }

        List<SseItem<string>> rest = await ReadSseAsync(await server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead));

        Assert.Equal(all.Skip(3).Select(i => i.EventId), rest.Select(i => i.EventId));
    }

    [Theory]
    [InlineData("""{"message":""}""", "Invalid message")]
    [InlineData("""{"message":"   "}""", "Invalid message")]
    [InlineData("""{"text":"hi"}""", "Invalid message")]
    [InlineData("""not json""", "Invalid request")]
    [InlineData("""{"message":"0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789X"}""", "Invalid message")]
    public async Task PostRuns_BadMessage_Is400ProblemJson(string body, string title)
    {
        await using AgentTestServer server = await AgentTestServer.StartAsync();

        HttpResponseMessage response = await server.Client.PostAsync("/api/runs", new StringContent(body, Encoding.UTF8, "application/json"));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, title);
    }

    [Fact]
    public async Task PostRuns_HugeBody_Is400WithoutReadingItAll()
    {
        await using AgentTestServer server = await AgentTestServer.StartAsync();

        HttpResponseMessage response = await server.Client.PostAsync("/api/runs", new StringContent($$"""{"message":"{{new string('x', 1_000_000)}}"}""", Encoding.UTF8, "application/json"));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "Message too long");
    }

    [Fact]
    public async Task GetEvents_UnknownRunOrAnotherUsersRun_Is404AndLooksTheSame()
    {
        await using AgentTestServer server = await AgentTestServer.StartAsync();
        string eventsUrl = await StartRunAsync(server, user: "alice");

        using var asBob = new HttpRequestMessage(HttpMethod.Get, eventsUrl);
        asBob.Headers.Add(AgentTestServer.UserHeader, "bob");
        HttpResponseMessage bob = await server.Client.SendAsync(asBob);
        HttpResponseMessage anonymous = await server.Client.GetAsync(eventsUrl);
        HttpResponseMessage unknown = await server.Client.GetAsync("/api/runs/run_doesnotexist/events");

        await AssertProblemAsync(bob, HttpStatusCode.NotFound, "No such run");
        await AssertProblemAsync(anonymous, HttpStatusCode.NotFound, "No such run");
        await AssertProblemAsync(unknown, HttpStatusCode.NotFound, "No such run");
        using var asAlice = new HttpRequestMessage(HttpMethod.Get, eventsUrl);
        asAlice.Headers.Add(AgentTestServer.UserHeader, "alice");
        Assert.Equal(HttpStatusCode.OK, (await server.Client.SendAsync(asAlice, HttpCompletionOption.ResponseHeadersRead)).StatusCode);
    }

    [Fact]
    public async Task GetEvents_InvalidLastEventId_Is400()
    {
        await using AgentTestServer server = await AgentTestServer.StartAsync();
        string eventsUrl = await StartRunAsync(server);

        HttpResponseMessage response = await server.Client.GetAsync($"{eventsUrl}?last_event_id=-1");

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "Invalid Last-Event-ID");
    }

    [Fact]
    public async Task GetEvents_EvictedEvents_Is410()
    {
        await using AgentTestServer server = await AgentTestServer.StartAsync(store: o => o.MaxEventsPerRun = 3);
        string eventsUrl = await StartRunAsync(server);
        await Task.Delay(100);
        await ReadSseAsync(await server.Client.GetAsync($"{eventsUrl}?last_event_id=999", HttpCompletionOption.ResponseHeadersRead)); // waits for the end

        HttpResponseMessage response = await server.Client.GetAsync(eventsUrl);

        await AssertProblemAsync(response, HttpStatusCode.Gone, "Events no longer held");
    }

    [Fact]
    public async Task PostRuns_TooManyLiveRuns_Is429WithRetryAfter()
    {
        var release = new TaskCompletionSource();
        await using AgentTestServer server = await AgentTestServer.StartAsync(
            tools: [AgentTool.Create("lookup", "Looks up.", TestJsonContext.Default.LookupInput, async (_, context) => { await release.Task.WaitAsync(context.CancellationToken); return ToolResult.Text("x"); })],
            store: o => o.MaxLiveRuns = 1);
        await StartRunAsync(server);

        HttpResponseMessage response = await server.Client.PostAsJsonAsync("/api/runs", new { message = "Another" });

        await AssertProblemAsync(response, HttpStatusCode.TooManyRequests, "Too many runs");
        Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter!.Delta);
        release.SetResult();
    }

    [Fact]
    public async Task PostCancel_StopsTheToolAndEndsTheStreamAsCancelled()
    {
        var toolCancelled = new TaskCompletionSource();
        await using AgentTestServer server = await AgentTestServer.StartAsync(tools: [AgentTool.Create("lookup", "Looks up.", TestJsonContext.Default.LookupInput, async (_, context) =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, context.CancellationToken);
            }
            finally
            {
                toolCancelled.TrySetResult();
            }

            return ToolResult.Text("never");
        }, isReadOnly: true)]);
        string eventsUrl = await StartRunAsync(server);
        string runId = eventsUrl.Split('/')[3];
        HttpResponseMessage stream = await server.Client.GetAsync(eventsUrl, HttpCompletionOption.ResponseHeadersRead);
        var reader = SseParser.Create(await stream.Content.ReadAsStreamAsync()).EnumerateAsync().GetAsyncEnumerator();
        while (await reader.MoveNextAsync() && reader.Current.EventType != "tool_execution_started")
        {
        }

        HttpResponseMessage cancel = await server.Client.PostAsync($"/api/runs/{runId}/cancel", null);
        string? lastType = null;
        string? lastData = null;
        while (await reader.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)))
        {
            (lastType, lastData) = (reader.Current.EventType, reader.Current.Data);
        }

        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        Assert.Equal("run_completed", lastType);
        Assert.Equal("cancelled", JsonDocument.Parse(lastData!).RootElement.GetProperty("outcome").GetString());
        Assert.True(toolCancelled.Task.IsCompleted);
        await AssertProblemAsync(await server.Client.PostAsync("/api/runs/run_nope/cancel", null), HttpStatusCode.NotFound, "No such run");
    }

    [Fact]
    public async Task PostStream_AnswersWithTheEventStreamDirectly()
    {
        await using AgentTestServer server = await AgentTestServer.StartAsync();

        HttpResponseMessage response = await server.Client.PostAsJsonAsync("/api/stream", new { message = "Hi" });
        List<SseItem<string>> items = await ReadSseAsync(response);

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("turn_started", items[0].EventType);
        Assert.Equal("run_completed", items[^1].EventType);
    }

    [Fact]
    public async Task MapAgentRuns_ReturnsAGroupThatComposesWithAuthorization()
    {
        await using AgentTestServer server = await AgentTestServer.StartAsync(endpoints: group => group.RequireAuthorization());

        HttpResponseMessage anonymous = await server.Client.PostAsJsonAsync("/api/runs", new { message = "Hi" });
        using var asAlice = new HttpRequestMessage(HttpMethod.Post, "/api/runs") { Content = JsonContent.Create(new { message = "Hi" }) };
        asAlice.Headers.Add(AgentTestServer.UserHeader, "alice");
        HttpResponseMessage alice = await server.Client.SendAsync(asAlice);

        Assert.NotEqual(HttpStatusCode.Created, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Created, alice.StatusCode);
    }

    internal static async Task<string> StartRunAsync(AgentTestServer server, string message = "Where is ORD-1?", string? user = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/runs") { Content = JsonContent.Create(new { message }) };
        if (user is not null)
        {
            request.Headers.Add(AgentTestServer.UserHeader, user);
        }

        HttpResponseMessage response = await server.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("events_url").GetString()!;
    }

    internal static async Task<List<SseItem<string>>> ReadSseAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var items = new List<SseItem<string>>();
        await foreach (SseItem<string> item in SseParser.Create(await response.Content.ReadAsStreamAsync()).EnumerateAsync().WithCancellation(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token))
        {
            items.Add(item);
        }

        return items;
    }

    internal static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string title)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        JsonElement problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.Equal(title, problem.GetProperty("title").GetString());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
    }
}

/// <summary>Input of the test tools.</summary>
public sealed record LookupInput(string Query);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower)]
[System.Text.Json.Serialization.JsonSerializable(typeof(LookupInput))]
internal sealed partial class TestJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
