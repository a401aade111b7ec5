using System.Net;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using StreamingAgents.AspNetCore.Endpoints;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Transcripts;
using StreamingAgents.Tools;

namespace StreamingAgents.AspNetCore.Tests;

/// <summary>A page's Approve, Deny and Stop buttons: answering a detached run's tool calls over HTTP.</summary>
public sealed class ToolCallEndpointTests
{
    private static readonly List<string> s_refunded = [];

    private static AgentTool Refund() => AgentTool.Create("refund", "Refunds an order.", TestJsonContext.Default.LookupInput, (input, _) =>
    {
        lock (s_refunded)
        {
            s_refunded.Add(input.Query);
        }

        return ValueTask.FromResult(ToolResult.Text($"refunded {input.Query}"));
    }, requiresApproval: true);

    private static AgentTool Hanging() => AgentTool.Create("lookup", "Never ends.", TestJsonContext.Default.LookupInput, async (_, context) =>
    {
        await Task.Delay(Timeout.Infinite, context.CancellationToken);
        return ToolResult.Text("never");
    }, isReadOnly: true);

    /// <summary>Calls the one tool offered until a result is in the conversation, then answers with the result's text.</summary>
    private static TranscriptBuilder CallsTheTool(MessageRequest request) =>
        request.Messages[^1].Content.OfType<ToolResultBlock>().FirstOrDefault() is { } result
            ? new TranscriptBuilder().Text($"Result: {((TextBlock)result.Content[0]).Text}").Stop(StopReason.EndTurn)
            : new TranscriptBuilder().ToolUse(request.Tools![0].Name, """{"query":"ORD-7"}""", id: "toolu_1").Stop(StopReason.ToolUse);

    /// <summary>Reads the run's events until one of <paramref name="type"/> (then leaves; the run goes on).</summary>
    private static async Task WaitForAsync(AgentTestServer server, string eventsUrl, string type, string? user = null)
    {
        using HttpRequestMessage request = Request(HttpMethod.Get, eventsUrl, user);
        using HttpResponseMessage response = await server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await foreach (SseItem<string> item in SseParser.Create(await response.Content.ReadAsStreamAsync()).EnumerateAsync().WithCancellation(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token))
        {
            if (item.EventType == type)
            {
                return;
            }
        }

        Assert.Fail($"The run ended without {type}.");
    }

    private static Task<HttpResponseMessage> PostAsync(AgentTestServer server, string eventsUrl, string answer, string? body = null, string? user = null)
    {
        HttpRequestMessage request = Request(HttpMethod.Post, eventsUrl.Replace("/events", $"/tool-calls/toolu_1/{answer}", StringComparison.Ordinal), user);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        return server.Client.SendAsync(request);
    }

    private static async Task<string> FinalTextAsync(AgentTestServer server, string eventsUrl, string? user = null)
    {
        using HttpRequestMessage request = Request(HttpMethod.Get, eventsUrl, user);
        List<SseItem<string>> items = await AgentEndpointTests.ReadSseAsync(await server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead));
        return JsonDocument.Parse(items[^1].Data).RootElement.GetProperty("final_text").GetString()!;
    }

    /// <summary>A request as <paramref name="user"/> (anonymous when null).</summary>
    private static HttpRequestMessage Request(HttpMethod method, string url, string? user)
    {
        var request = new HttpRequestMessage(method, url);
        if (user is not null)
        {
            request.Headers.Add(AgentTestServer.UserHeader, user);
        }

        return request;
    }

    [Fact]
    public async Task Approve_Is202_AndTheToolRuns_ThenASecondAnswerIs409()
    {
        await using AgentTestServer server = await AgentTestServer.StartAsync(CallsTheTool, [Refund()]);
        string eventsUrl = await AgentEndpointTests.StartRunAsync(server, "Refund ORD-7", user: "alice");
        await WaitForAsync(server, eventsUrl, "tool_approval_requested", "alice");

        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(server, eventsUrl, "approve", user: "mallory")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await PostAsync(server, eventsUrl, "approve", user: "alice")).StatusCode);
        await AgentEndpointTests.AssertProblemAsync(await PostAsync(server, eventsUrl, "deny", user: "alice"), HttpStatusCode.Conflict, "Tool call not waiting");

        Assert.Equal("Result: refunded ORD-7", await FinalTextAsync(server, eventsUrl, "alice"));
        Assert.Contains("ORD-7", s_refunded);
    }

    [Fact]
    public async Task Deny_WithAReason_TheModelIsToldAndTheToolDoesNotRun()
    {
        await using AgentTestServer server = await AgentTestServer.StartAsync(CallsTheTool, [Refund()]);
        string eventsUrl = await AgentEndpointTests.StartRunAsync(server, "Refund ORD-7");
        await WaitForAsync(server, eventsUrl, "tool_approval_requested");

        await AgentEndpointTests.AssertProblemAsync(await PostAsync(server, eventsUrl, "deny", "not json"), HttpStatusCode.BadRequest, "Invalid request");
        await AgentEndpointTests.AssertProblemAsync(await PostAsync(server, eventsUrl, "deny", $$"""{"reason":"{{new string('x', 101)}}"}"""), HttpStatusCode.BadRequest, "Reason too long");
        Assert.Equal(HttpStatusCode.Accepted, (await PostAsync(server, eventsUrl, "deny", """{"reason":"needs a receipt"}""")).StatusCode);

        Assert.Equal("Result: The user declined this 'refund' call, so it was not run: needs a receipt", await FinalTextAsync(server, eventsUrl));
    }

    [Fact]
    public async Task Deny_WithoutABody_IsAccepted()
    {
        await using AgentTestServer server = await AgentTestServer.StartAsync(CallsTheTool, [Refund()]);
        string eventsUrl = await AgentEndpointTests.StartRunAsync(server, "Refund ORD-7");
        await WaitForAsync(server, eventsUrl, "tool_approval_requested");

        Assert.Equal(HttpStatusCode.Accepted, (await PostAsync(server, eventsUrl, "deny")).StatusCode);

        Assert.Equal("Result: The user declined this 'refund' call, so it was not run.", await FinalTextAsync(server, eventsUrl));
    }

    [Fact]
    public async Task Cancel_ARunningTool_Is202_AndTheRunGoesOn()
    {
        await using AgentTestServer server = await AgentTestServer.StartAsync(CallsTheTool, [Hanging()]);
        string eventsUrl = await AgentEndpointTests.StartRunAsync(server, "Look it up");
        await WaitForAsync(server, eventsUrl, "tool_execution_started");

        await AgentEndpointTests.AssertProblemAsync(await PostAsync(server, eventsUrl, "approve"), HttpStatusCode.Conflict, "Tool call not waiting");
        Assert.Equal(HttpStatusCode.Accepted, (await PostAsync(server, eventsUrl, "cancel")).StatusCode);

        Assert.Equal("Result: The user cancelled this 'lookup' call.", await FinalTextAsync(server, eventsUrl));
        await AgentEndpointTests.AssertProblemAsync(await PostAsync(server, eventsUrl, "cancel"), HttpStatusCode.Conflict, "Tool call not waiting");
    }

    [Fact]
    public async Task CreateRunOptions_AppliesToRunsStartedByRequests()
    {
        await using AgentTestServer server = await AgentTestServer.StartAsync(
            tools: [AgentTool.Create("lookup", "Looks up.", TestJsonContext.Default.LookupInput, (_, _) => ValueTask.FromResult(ToolResult.Text("found")))],
            agentsSetup: agents => agents.Services.Configure<AgentEndpointOptions>(o => o.CreateRunOptions = context =>
                context.Request.Headers[AgentTestServer.UserHeader] == "guest" ? new Agents.AgentRunOptions { Tools = [] } : null));

        List<SseItem<string>> member = await AgentEndpointTests.ReadSseAsync(await server.Client.GetAsync(await AgentEndpointTests.StartRunAsync(server), HttpCompletionOption.ResponseHeadersRead));
        string guestEvents = await AgentEndpointTests.StartRunAsync(server, user: "guest");
        using HttpRequestMessage asGuest = Request(HttpMethod.Get, guestEvents, "guest");
        List<SseItem<string>> guest = await AgentEndpointTests.ReadSseAsync(await server.Client.SendAsync(asGuest, HttpCompletionOption.ResponseHeadersRead));

        Assert.Contains(member, item => item.EventType == "tool_call_completed"); // offered lookup, and it was called
        Assert.DoesNotContain(guest, item => item.EventType == "tool_call_started"); // offered no tool
        Assert.Equal("completed", JsonDocument.Parse(guest[^1].Data).RootElement.GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task NamedAgent_MappedUnderItsOwnPrefix_ServesItsRuns()
    {
        var systemPrompts = new System.Collections.Concurrent.ConcurrentQueue<string?>();
        await using AgentTestServer server = await AgentTestServer.StartAsync(
            script: request =>
            {
                systemPrompts.Enqueue(request.System?.Text);
                return new TranscriptBuilder().Text($"Offered: {string.Join(",", request.Tools?.Select(tool => tool.Name) ?? [])}").Stop(StopReason.EndTurn);
            },
            tools: [Hanging()],
            agentsSetup: agents => agents.Services.AddStreamingAgents("billing", o => o.SystemPrompt = "You handle refunds.").AddTool(Refund()).AddDetachedRuns(),
            endpoints: api => api.MapAgentRuns("/billing", "billing"));

        string billingRun = await StartAsync(server, "/api/billing/runs");
        Assert.StartsWith("/api/billing/runs/", billingRun, StringComparison.Ordinal);
        string billingAnswer = await FinalTextAsync(server, billingRun);
        string defaultAnswer = await FinalTextAsync(server, await StartAsync(server, "/api/runs"));

        Assert.Equal("Offered: refund", billingAnswer);
        Assert.Equal("Offered: lookup", defaultAnswer);
        Assert.Equal(["You handle refunds.", null], systemPrompts);
        using HttpResponseMessage stream = await server.Client.PostAsync("/api/billing/stream", JsonContent.Create(new { message = "Hi" }));
        Assert.Contains("Offered: refund", await stream.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static async Task<string> StartAsync(AgentTestServer server, string url)
    {
        HttpResponseMessage response = await server.Client.PostAsJsonAsync(url, new { message = "Hi" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("events_url").GetString()!;
    }

    [Fact]
    public async Task UnknownRun_Is404()
    {
        await using AgentTestServer server = await AgentTestServer.StartAsync(CallsTheTool, [Refund()]);

        await AgentEndpointTests.AssertProblemAsync(await PostAsync(server, "/api/runs/run_nope/events", "approve"), HttpStatusCode.NotFound, "No such run");
    }
}
