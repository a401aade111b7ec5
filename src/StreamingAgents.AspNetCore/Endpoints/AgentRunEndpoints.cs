using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using StreamingAgents.Agents;
using StreamingAgents.Runs;
using StreamingAgents.Transport;

namespace StreamingAgents.AspNetCore.Endpoints;

/// <summary>The HTTP endpoints: start a detached run, follow it as SSE (resuming after <c>Last-Event-ID</c>), cancel it, or stream one directly.</summary>
internal static class AgentRunEndpoints
{
    /// <summary>The most bytes a request body may have: a message at its longest, escaped, with room for the JSON around it.</summary>
    private static int MaxBodyBytes(AgentEndpointOptions options) => (options.MaxMessageLength * 6) + 1024;

    /// <summary><c>POST {prefix}/runs</c>: <c>{"message": "..."}</c> → 201 with the run's ID and events URL.</summary>
    public static async Task StartAsync(HttpContext context)
    {
        AgentEndpointOptions options = AgentServices.Options(context);
        if (await ReadMessageAsync(context, options).ConfigureAwait(false) is not { } message)
        {
            return;
        }

        AgentRunManager runs = AgentServices.Runs(context);
        AgentRunHandle run;
        try
        {
            run = await runs.StartAsync(options.BuildRequest(context, message), options.BuildRunOptions(context), options.GetOwner(context), context.RequestAborted).ConfigureAwait(false);
        }
        catch (AgentRunLimitException full)
        {
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(options.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            await Problems.WriteAsync(context, StatusCodes.Status429TooManyRequests, "Too many runs", full.Message).ConfigureAwait(false);
            return;
        }
        catch (AgentRunStoreException unavailable)
        {
            await Problems.WriteStoreUnavailableAsync(context, options, unavailable).ConfigureAwait(false);
            return;
        }

        string eventsUrl = $"{context.Request.PathBase}{context.Request.Path}/{run.RunId}/events";
        context.Response.StatusCode = StatusCodes.Status201Created;
        context.Response.Headers.Location = eventsUrl;
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, new StartRunResponse(run.RunId, eventsUrl), AgentHttpJsonContext.Default.StartRunResponse, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>GET {prefix}/runs/{runId}/events</c> → <c>text/event-stream</c> from the start, or after the <c>Last-Event-ID</c>
    /// header (what EventSource sends on reconnect) or the <c>last_event_id</c> query parameter (for fetch clients).
    /// </summary>
    public static async Task EventsAsync(HttpContext context)
    {
        AgentEndpointOptions options = AgentServices.Options(context);
        string runId = (string)context.Request.RouteValues["runId"]!;
        string? lastEventId = context.Request.Headers["Last-Event-ID"].FirstOrDefault() ?? context.Request.Query["last_event_id"].FirstOrDefault();
        long after = 0;
        if (!string.IsNullOrEmpty(lastEventId) && (!long.TryParse(lastEventId, NumberStyles.None, CultureInfo.InvariantCulture, out after)))
        {
            await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, "Invalid Last-Event-ID", $"'{lastEventId}' is not an event sequence number.").ConfigureAwait(false);
            return;
        }

        AgentRunManager runs = AgentServices.Runs(context);
        string? owner = options.GetOwner(context);
        try
        {
            await runs.GetRunAsync(runId, owner, context.RequestAborted).ConfigureAwait(false);
            PrepareEventStream(context);
            await runs.SubscribeAsync(runId, after, owner, context.RequestAborted).WriteAsSseAsync(context.Response.Body, options.Sse, context.RequestAborted).ConfigureAwait(false);
        }
        catch (AgentRunNotFoundException notFound) when (!context.Response.HasStarted)
        {
            await Problems.WriteAsync(context, StatusCodes.Status404NotFound, "No such run", notFound.Message).ConfigureAwait(false);
        }
        catch (AgentRunGapException gap) when (!context.Response.HasStarted)
        {
            await Problems.WriteAsync(context, StatusCodes.Status410Gone, "Events no longer held", gap.Message).ConfigureAwait(false);
        }
        catch (AgentRunLostException lost) when (!context.Response.HasStarted)
        {
            await Problems.WriteAsync(context, StatusCodes.Status404NotFound, "No such run", lost.Message).ConfigureAwait(false);
        }
        catch (AgentRunStoreException unavailable) when (!context.Response.HasStarted)
        {
            await Problems.WriteStoreUnavailableAsync(context, options, unavailable).ConfigureAwait(false);
        }
        catch (AgentRunException)
        {
            // Mid-stream (a gap, a lost run, the store away): end the response; the browser reconnects from its last
            // event and is told what is wrong then (410, 404 or 503).
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException && context.RequestAborted.IsCancellationRequested)
        {
            // The client went away: the run goes on.
        }
    }

    /// <summary><c>POST {prefix}/runs/{runId}/cancel</c> → 202.</summary>
    public static async Task CancelAsync(HttpContext context)
    {
        AgentEndpointOptions options = AgentServices.Options(context);
        string runId = (string)context.Request.RouteValues["runId"]!;
        try
        {
            await AgentServices.Runs(context).CancelAsync(runId, options.GetOwner(context), context.RequestAborted).ConfigureAwait(false);
            context.Response.StatusCode = StatusCodes.Status202Accepted;
        }
        catch (AgentRunNotFoundException notFound)
        {
            await Problems.WriteAsync(context, StatusCodes.Status404NotFound, "No such run", notFound.Message).ConfigureAwait(false);
        }
        catch (AgentRunStoreException unavailable)
        {
            await Problems.WriteStoreUnavailableAsync(context, options, unavailable).ConfigureAwait(false);
        }
    }

    /// <summary><c>POST {prefix}/stream</c>: <c>{"message": "..."}</c> → the run's events as <c>text/event-stream</c>, tied to this request.</summary>
    public static async Task StreamAsync(HttpContext context)
    {
        AgentEndpointOptions options = AgentServices.Options(context);
        if (await ReadMessageAsync(context, options).ConfigureAwait(false) is not { } message)
        {
            return;
        }

        IAgentRunner runner = AgentServices.Runner(context);
        IAsyncEnumerable<AgentEvent> events = runner.RunAsync(options.BuildRequest(context, message), options.BuildRunOptions(context), context.RequestAborted);
        PrepareEventStream(context);
        try
        {
            await events.WriteAsSseAsync(context.Response.Body, options.Sse, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException && context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; the run was cancelled with the request.
        }
    }

    /// <summary>Reads and checks <c>{"message": "..."}</c>; on a bad request writes the 400 and returns null.</summary>
    internal static async Task<string?> ReadMessageAsync(HttpContext context, AgentEndpointOptions options)
    {
        (bool isValid, StartRunRequest? request) = await ReadJsonBodyAsync(context, options, AgentHttpJsonContext.Default.StartRunRequest, """{"message": "..."}""", "Message too long").ConfigureAwait(false);
        if (!isValid)
        {
            return null;
        }

        string? problem = CheckMessage(request?.Message, options);
        if (problem is not null)
        {
            await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, "Invalid message", problem).ConfigureAwait(false);
            return null;
        }

        return request!.Message;
    }

    /// <summary>
    /// Reads a JSON body of at most <see cref="MaxBodyBytes"/> (an empty one as <see langword="default"/> when
    /// <paramref name="allowEmpty"/>); on a body too long (<paramref name="tooLongTitle"/>) or not like
    /// <paramref name="example"/>, writes the 400 and returns false.
    /// </summary>
    internal static async Task<(bool IsValid, T? Value)> ReadJsonBodyAsync<T>(
        HttpContext context, AgentEndpointOptions options, JsonTypeInfo<T> type, string example, string tooLongTitle, bool allowEmpty = false)
    {
        int limit = MaxBodyBytes(options);
        if (context.Request.ContentLength > limit)
        {
            await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, tooLongTitle, $"The request body is {context.Request.ContentLength} bytes; the most is {limit}.").ConfigureAwait(false);
            return (false, default);
        }

        byte[]? body = await ReadBoundedAsync(context.Request.Body, limit, context.RequestAborted).ConfigureAwait(false);
        if (body is null)
        {
            await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, tooLongTitle, $"The request body is longer than {limit} bytes.").ConfigureAwait(false);
            return (false, default);
        }

        if (body.Length == 0 && allowEmpty)
        {
            return (true, default);
        }

        try
        {
            return (true, JsonSerializer.Deserialize(body, type));
        }
        catch (JsonException invalid)
        {
            await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, "Invalid request", $"Send {(allowEmpty ? "no body, or " : string.Empty)}JSON like {example}: {invalid.Message}").ConfigureAwait(false);
            return (false, default);
        }
    }

    /// <summary>What is wrong with a message, or null.</summary>
    internal static string? CheckMessage(string? message, AgentEndpointOptions options) =>
        string.IsNullOrWhiteSpace(message) ? "The message is empty: send {\"message\": \"your question\"}."
            : message.Length > options.MaxMessageLength ? $"The message is {message.Length} characters long; the most is {options.MaxMessageLength}."
            : null;

    /// <summary>Headers for a stream that proxies and servers must pass through at once, never buffered or compressed.</summary>
    internal static void PrepareEventStream(HttpContext context)
    {
        HttpResponse response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        response.Headers.ContentEncoding = "identity"; // response compression leaves an encoded response alone
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
    }

    private static async Task<byte[]?> ReadBoundedAsync(Stream body, int limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        byte[] chunk = new byte[8192];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
