using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using StreamingAgents.Agents;
using StreamingAgents.AspNetCore.Endpoints;
using StreamingAgents.Runs;

namespace StreamingAgents.AspNetCore.WebSockets;

/// <summary>
/// One browser's WebSocket: it starts runs, subscribes to one after a sequence (to resume after a reconnect), and
/// cancels; the server sends the run's agent events, each as its own JSON text message, with the same contract as SSE.
/// One subscription at a time: a new <c>start</c> or <c>subscribe</c> replaces the last. Closing the socket never
/// cancels a run.
/// </summary>
internal sealed class AgentRunWebSocketSession(WebSocket socket, HttpContext context, AgentRunManager runs, AgentEndpointOptions options) : IDisposable
{
    private const int MaxIncomingBytes = 256 * 1024;

    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private CancellationTokenSource? _subscription;
    private Task _pump = Task.CompletedTask;

    /// <summary><c>GET {prefix}/ws</c>: accepts the upgrade and serves the session until the browser closes it.</summary>
    public static async Task HandleAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, "WebSocket expected", "Connect with a WebSocket (and call app.UseWebSockets()).").ConfigureAwait(false);
            return;
        }

        AgentEndpointOptions options = AgentServices.Options(context);
        using WebSocket socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        using var session = new AgentRunWebSocketSession(socket, context, AgentServices.Runs(context), options);
        await session.RunAsync().ConfigureAwait(false);
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        _sendLock.Dispose();
    }

    private async Task RunAsync()
    {
        CancellationToken closed = context.RequestAborted;
        try
        {
            while (socket.State == WebSocketState.Open && await ReceiveAsync(closed).ConfigureAwait(false) is { } message)
            {
                await HandleAsync(message, closed).ConfigureAwait(false);
            }

            if (socket.State is WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "Bye", CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or IOException)
        {
            // The browser went away: its run goes on, for the next connection to resume.
        }
        finally
        {
            await StopSubscriptionAsync().ConfigureAwait(false);
        }
    }

    private async Task HandleAsync(ClientMessage message, CancellationToken closed)
    {
        string? owner = options.GetOwner(context);
        switch (message.Type)
        {
            case "start":
                if (AgentRunEndpoints.CheckMessage(message.Message, options) is { } problem)
                {
                    await SendAsync(new ServerMessage("error", Status: 400, Title: "Invalid message", Detail: problem), closed).ConfigureAwait(false);
                    return;
                }

                try
                {
                    AgentRunHandle run = await runs.StartAsync(options.BuildRequest(context, message.Message!), options.BuildRunOptions(context), owner, closed).ConfigureAwait(false);
                    await SendAsync(new ServerMessage("run_started", run.RunId), closed).ConfigureAwait(false);
                    await SubscribeAsync(run.RunId, 0, owner).ConfigureAwait(false);
                }
                catch (AgentRunLimitException full)
                {
                    await SendAsync(new ServerMessage("error", Status: 429, Title: "Too many runs", Detail: full.Message), closed).ConfigureAwait(false);
                }
                catch (AgentRunStoreException unavailable)
                {
                    await SendAsync(StoreUnavailable(null, unavailable), closed).ConfigureAwait(false);
                }

                break;
            case "subscribe" when message.RunId is { } runId && message.After is null or >= 0:
                await SubscribeAsync(runId, message.After ?? 0, owner).ConfigureAwait(false);
                break;
            case "cancel" when message.RunId is { } runId:
                try
                {
                    await runs.CancelAsync(runId, owner, closed).ConfigureAwait(false);
                    await SendAsync(new ServerMessage("cancel_accepted", runId), closed).ConfigureAwait(false);
                }
                catch (AgentRunNotFoundException notFound)
                {
                    await SendAsync(new ServerMessage("error", runId, 404, "No such run", notFound.Message), closed).ConfigureAwait(false);
                }
                catch (AgentRunStoreException unavailable)
                {
                    await SendAsync(StoreUnavailable(runId, unavailable), closed).ConfigureAwait(false);
                }

                break;
            case "approve" or "deny" or "cancel_tool" when message.RunId is { } runId && message.ToolCallId is { } toolCallId:
                await AnswerToolCallAsync(message.Type, runId, toolCallId, message.Reason, owner, closed).ConfigureAwait(false);
                break;
            default:
                await SendAsync(new ServerMessage("error", Status: 400, Title: "Invalid message", Detail: "Send start (message), subscribe (run_id, after), cancel (run_id), or approve, deny (reason) or cancel_tool (run_id, tool_call_id)."), closed).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>Approves, denies or cancels one tool call of a run, as the HTTP endpoints do.</summary>
    private async Task AnswerToolCallAsync(string type, string runId, string toolCallId, string? reason, string? owner, CancellationToken closed)
    {
        if (reason?.Length > options.MaxMessageLength)
        {
            await SendAsync(new ServerMessage("error", runId, 400, "Reason too long", $"The reason is {reason.Length} characters long; the most is {options.MaxMessageLength}.", toolCallId), closed).ConfigureAwait(false);
            return;
        }

        try
        {
            bool counted = type switch
            {
                "approve" => await runs.ApproveToolCallAsync(runId, toolCallId, owner, closed).ConfigureAwait(false),
                "deny" => await runs.DenyToolCallAsync(runId, toolCallId, owner, reason, closed).ConfigureAwait(false),
                _ => await runs.CancelToolCallAsync(runId, toolCallId, owner, closed).ConfigureAwait(false),
            };
            await SendAsync(counted
                ? new ServerMessage("answer_accepted", runId, ToolCallId: toolCallId)
                : new ServerMessage("error", runId, 409, "Tool call not waiting", $"Tool call '{toolCallId}' of run '{runId}' is not waiting for that answer: it is unknown, was already answered, or has finished.", toolCallId), closed).ConfigureAwait(false);
        }
        catch (AgentRunNotFoundException notFound)
        {
            await SendAsync(new ServerMessage("error", runId, 404, "No such run", notFound.Message, toolCallId), closed).ConfigureAwait(false);
        }
        catch (AgentRunElsewhereException elsewhere)
        {
            await SendAsync(new ServerMessage("error", runId, 409, "Run is on another instance", elsewhere.Message, toolCallId), closed).ConfigureAwait(false);
        }
        catch (AgentRunStoreException unavailable)
        {
            await SendAsync(StoreUnavailable(runId, unavailable), closed).ConfigureAwait(false);
        }
    }

    /// <summary>Replaces the subscription: the run's events after <paramref name="after"/> go to the browser as they come.</summary>
    private async Task SubscribeAsync(string runId, long after, string? owner)
    {
        await StopSubscriptionAsync().ConfigureAwait(false);
        var subscription = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        _subscription = subscription;
        _pump = Task.Run(() => PumpAsync(runId, after, owner, subscription.Token), CancellationToken.None);
    }

    private async Task PumpAsync(string runId, long after, string? owner, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (SerializedAgentEvent agentEvent in runs.SubscribeAsync(runId, after, owner, cancellationToken).ConfigureAwait(false))
            {
                await SendRawAsync(agentEvent.Utf8Json, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (AgentRunNotFoundException notFound)
        {
            await TrySendAsync(new ServerMessage("error", runId, 404, "No such run", notFound.Message), cancellationToken).ConfigureAwait(false);
        }
        catch (AgentRunGapException gap)
        {
            await TrySendAsync(new ServerMessage("error", runId, 410, "Events no longer held", gap.Message), cancellationToken).ConfigureAwait(false);
        }
        catch (AgentRunLostException lost)
        {
            await TrySendAsync(new ServerMessage("error", runId, 404, "No such run", lost.Message), cancellationToken).ConfigureAwait(false);
        }
        catch (AgentRunStoreException unavailable)
        {
            await TrySendAsync(StoreUnavailable(runId, unavailable), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException or IOException)
        {
            // Replaced, or the socket closed.
        }
    }

    private static ServerMessage StoreUnavailable(string? runId, AgentRunStoreException unavailable) =>
        new("error", runId, 503, "Run store unavailable", unavailable.Message);

    private async Task StopSubscriptionAsync()
    {
        if (_subscription is { } subscription)
        {
            await subscription.CancelAsync().ConfigureAwait(false);
            await _pump.ConfigureAwait(false);
            subscription.Dispose();
            _subscription = null;
        }
    }

    private async Task<ClientMessage?> ReceiveAsync(CancellationToken cancellationToken)
    {
        using var message = new MemoryStream();
        byte[] buffer = new byte[4096];
        while (true)
        {
            WebSocketReceiveResult result = await socket.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            message.Write(buffer, 0, result.Count);
            if (message.Length > MaxIncomingBytes)
            {
                await socket.CloseAsync(WebSocketCloseStatus.MessageTooBig, "A message may have at most 256 KiB.", cancellationToken).ConfigureAwait(false);
                return null;
            }

            if (result.EndOfMessage)
            {
                break;
            }
        }

        try
        {
            return JsonSerializer.Deserialize(message.GetBuffer().AsSpan(0, (int)message.Length), AgentHttpJsonContext.Default.ClientMessage)
                ?? new ClientMessage(null, null, null, null);
        }
        catch (JsonException)
        {
            return new ClientMessage(null, null, null, null); // answered as an invalid message
        }
    }

    private Task SendAsync(ServerMessage message, CancellationToken cancellationToken) =>
        SendRawAsync(JsonSerializer.SerializeToUtf8Bytes(message, AgentHttpJsonContext.Default.ServerMessage), cancellationToken);

    private async Task TrySendAsync(ServerMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException or IOException)
        {
            // Nobody to tell.
        }
    }

    private async Task SendRawAsync(ReadOnlyMemory<byte> json, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await socket.SendAsync(json, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }
}
