using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.TestHost;
using StreamingAgents.Tools;

namespace StreamingAgents.AspNetCore.Tests;

/// <summary>The same detached runs over a WebSocket (our protocol) and SignalR, with the same event contract.</summary>
public sealed class WebSocketAndSignalRTests
{
    private static readonly TimeSpan s_guard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task WebSocket_Start_StreamsTheRunThenResumesAfterAReconnect()
    {
        await using AgentTestServer server = await AgentTestServer.StartAsync();
        WebSocketClient client = server.Server.CreateWebSocketClient();

        string runId;
        var firstPart = new List<JsonElement>();
        using (WebSocket socket = await client.ConnectAsync(new Uri("ws://localhost/api/ws"), CancellationToken.None))
        {
            await SendAsync(socket, """{"type":"start","message":"Where is ORD-1?"}""");
            JsonElement started = await ReceiveAsync(socket);
            Assert.Equal("run_started", started.GetProperty("type").GetString());
            runId = started.GetProperty("run_id").GetString()!;
            firstPart.Add(await ReceiveAsync(socket));
            firstPart.Add(await ReceiveAsync(socket));
            socket.Abort(); // the connection drops
        }

        using WebSocket again = await client.ConnectAsync(new Uri("ws://localhost/api/ws"), CancellationToken.None);
        await SendAsync(again, $$"""{"type":"subscribe","run_id":"{{runId}}","after":{{firstPart[^1].GetProperty("seq").GetInt64()}}}""");
        var rest = new List<JsonElement>();
        do
        {
            rest.Add(await ReceiveAsync(again));
        }
        while (rest[^1].GetProperty("type").GetString() != "run_completed");

        long[] sequences = [.. firstPart.Concat(rest).Select(e => e.GetProperty("seq").GetInt64())];
        Assert.Equal(Enumerable.Range(1, sequences.Length).Select(i => (long)i), sequences);
        Assert.Equal("It ships on Friday. 😀 中文 é", rest[^1].GetProperty("final_text").GetString());
    }

    [Fact]
    public async Task WebSocket_CancelAndBadMessages_AreAnswered()
    {
        var toolStarted = new TaskCompletionSource();
        await using AgentTestServer server = await AgentTestServer.StartAsync(tools: [AgentTool.Create("lookup", "Looks up.", TestJsonContext.Default.LookupInput, async (_, context) =>
        {
            toolStarted.TrySetResult();
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
            return ToolResult.Text("never");
        }, isReadOnly: true)]);
        using WebSocket socket = await server.Server.CreateWebSocketClient().ConnectAsync(new Uri("ws://localhost/api/ws"), CancellationToken.None);

        await SendAsync(socket, """{"type":"start","message":""}""");
        Assert.Equal(400, (await ReceiveAsync(socket)).GetProperty("status").GetInt32());
        await SendAsync(socket, """{"type":"dance"}""");
        Assert.Equal(400, (await ReceiveAsync(socket)).GetProperty("status").GetInt32());
        await SendAsync(socket, """{"type":"start","message":"Where is ORD-1?"}""");
        string runId = (await ReceiveAsync(socket)).GetProperty("run_id").GetString()!;
        await toolStarted.Task.WaitAsync(s_guard);
        await SendAsync(socket, $$"""{"type":"cancel","run_id":"{{runId}}"}""");

        JsonElement message;
        do
        {
            message = await ReceiveAsync(socket); // events, and the cancel_accepted acknowledgement among them
        }
        while (message.GetProperty("type").GetString() != "run_completed");

        Assert.Equal("cancelled", message.GetProperty("outcome").GetString());
        await SendAsync(socket, """{"type":"subscribe","run_id":"run_unknown","after":0}""");
        Assert.Equal(404, (await ReceiveAsync(socket)).GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task WebSocket_ToolCallAnswers_ApproveThenAnswersThatNoLongerCount()
    {
        var refunded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using AgentTestServer server = await AgentTestServer.StartAsync(tools: [AgentTool.Create("lookup", "Refunds.", TestJsonContext.Default.LookupInput, (_, _) =>
        {
            refunded.TrySetResult();
            return ValueTask.FromResult(ToolResult.Text("refunded"));
        }, requiresApproval: true)]);
        using WebSocket socket = await server.Server.CreateWebSocketClient().ConnectAsync(new Uri("ws://localhost/api/ws"), CancellationToken.None);
        await SendAsync(socket, """{"type":"start","message":"Refund ORD-1"}""");
        string runId = (await ReceiveAsync(socket)).GetProperty("run_id").GetString()!;
        JsonElement message;
        do
        {
            message = await ReceiveAsync(socket);
        }
        while (message.GetProperty("type").GetString() != "tool_approval_requested");

        string callId = message.GetProperty("tool_call_id").GetString()!;
        await SendAsync(socket, $$"""{"type":"approve","run_id":"{{runId}}","tool_call_id":"{{callId}}"}""");
        await refunded.Task.WaitAsync(s_guard);
        var replies = new List<JsonElement>();
        do
        {
            message = await ReceiveAsync(socket);
            replies.Add(message);
        }
        while (message.GetProperty("type").GetString() != "run_completed");

        Assert.Contains(replies, reply => reply.GetProperty("type").GetString() == "answer_accepted" && reply.GetProperty("tool_call_id").GetString() == callId);
        await SendAsync(socket, $$"""{"type":"deny","run_id":"{{runId}}","tool_call_id":"{{callId}}","reason":"late"}""");
        Assert.Equal(409, (await ReceiveAsync(socket)).GetProperty("status").GetInt32());
        await SendAsync(socket, $$"""{"type":"cancel_tool","run_id":"run_unknown","tool_call_id":"{{callId}}"}""");
        Assert.Equal(404, (await ReceiveAsync(socket)).GetProperty("status").GetInt32());
        await SendAsync(socket, $$"""{"type":"approve","run_id":"{{runId}}"}""");
        Assert.Equal(400, (await ReceiveAsync(socket)).GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task SignalR_StartSubscribeCancel_StreamsTheSameEventJson()
    {
        await using AgentTestServer server = await AgentTestServer.StartAsync();
        await using HubConnection hub = await ConnectHubAsync(server);

        string runId = await hub.InvokeAsync<string>("StartRun", "Where is ORD-1?");
        var events = new List<JsonElement>();
        await foreach (JsonElement agentEvent in hub.StreamAsync<JsonElement>("Subscribe", runId, 0L).WithCancellation(new CancellationTokenSource(s_guard).Token))
        {
            events.Add(agentEvent);
        }

        Assert.Equal("turn_started", events[0].GetProperty("type").GetString());
        Assert.Equal("run_completed", events[^1].GetProperty("type").GetString());
        Assert.Equal("completed", events[^1].GetProperty("outcome").GetString());
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.GetProperty("seq").GetInt64()));
        Assert.False(await hub.InvokeAsync<bool>("CancelRun", runId)); // it has ended
        HubException unknown = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<bool>("CancelRun", "run_unknown"));
        Assert.Contains("run_unknown", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignalR_DenyToolCall_TheModelIsToldAndLaterAnswersDoNotCount()
    {
        await using AgentTestServer server = await AgentTestServer.StartAsync(tools: [AgentTool.Create("lookup", "Refunds.", TestJsonContext.Default.LookupInput,
            (_, _) => ValueTask.FromResult(ToolResult.Text("refunded")), requiresApproval: true)]);
        await using HubConnection hub = await ConnectHubAsync(server);
        string runId = await hub.InvokeAsync<string>("StartRun", "Refund ORD-1");
        var events = new List<JsonElement>();

        await foreach (JsonElement agentEvent in hub.StreamAsync<JsonElement>("Subscribe", runId, 0L).WithCancellation(new CancellationTokenSource(s_guard).Token))
        {
            events.Add(agentEvent);
            if (agentEvent.GetProperty("type").GetString() == "tool_approval_requested")
            {
                Assert.True(await hub.InvokeAsync<bool>("DenyToolCall", runId, agentEvent.GetProperty("tool_call_id").GetString(), "no receipt"));
            }
        }

        JsonElement completed = events.Single(e => e.GetProperty("type").GetString() == "tool_call_completed");
        Assert.Equal("The user declined this 'lookup' call, so it was not run: no receipt", completed.GetProperty("result").GetString());
        string callId = completed.GetProperty("tool_call_id").GetString()!;
        Assert.False(await hub.InvokeAsync<bool>("ApproveToolCall", runId, callId));
        Assert.False(await hub.InvokeAsync<bool>("CancelToolCall", runId, callId));
        await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<bool>("ApproveToolCall", "run_unknown", callId));
    }

    /// <summary>A SignalR client of the test server's hub (long polling through the in-memory handler).</summary>
    private static async Task<HubConnection> ConnectHubAsync(AgentTestServer server)
    {
        HubConnection hub = new HubConnectionBuilder()
            .WithUrl("http://localhost/hubs/agent", options =>
            {
                options.HttpMessageHandlerFactory = _ => server.Server.CreateHandler();
                options.Transports = HttpTransportType.LongPolling;
            })
            .Build();
        await hub.StartAsync();
        return hub;
    }

    private static Task SendAsync(WebSocket socket, string json) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    private static async Task<JsonElement> ReceiveAsync(WebSocket socket)
    {
        using var message = new MemoryStream();
        byte[] buffer = new byte[4096];
        using var guard = new CancellationTokenSource(s_guard);
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, guard.Token);
            message.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);

        return JsonDocument.Parse(message.ToArray()).RootElement.Clone();
    }
}
