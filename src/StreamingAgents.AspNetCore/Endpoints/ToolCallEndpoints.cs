using Microsoft.AspNetCore.Http;
using StreamingAgents.Runs;

namespace StreamingAgents.AspNetCore.Endpoints;

/// <summary>
/// Answers to a detached run's tool calls, for a page's Approve, Deny and Stop buttons:
/// <c>POST {prefix}/runs/{runId}/tool-calls/{toolCallId}/approve</c>, <c>.../deny</c> (body <c>{"reason": "..."}</c>,
/// optional) and <c>.../cancel</c>. 202 when the answer counts, 409 when the call is not waiting for it.
/// </summary>
internal static class ToolCallEndpoints
{
    public static Task ApproveAsync(HttpContext context) =>
        AnswerAsync(context, AgentServices.Options(context), "waiting for approval", static (runs, call, ct) => runs.ApproveToolCallAsync(call.RunId, call.ToolCallId, call.Owner, ct));

    public static async Task DenyAsync(HttpContext context)
    {
        AgentEndpointOptions options = AgentServices.Options(context);
        if (await ReadReasonAsync(context, options).ConfigureAwait(false) is { } reason)
        {
            await AnswerAsync(context, options, "waiting for approval", (runs, call, ct) => runs.DenyToolCallAsync(call.RunId, call.ToolCallId, call.Owner, reason.Text, ct)).ConfigureAwait(false);
        }
    }

    public static Task CancelAsync(HttpContext context) =>
        AnswerAsync(context, AgentServices.Options(context), "running or about to run", static (runs, call, ct) => runs.CancelToolCallAsync(call.RunId, call.ToolCallId, call.Owner, ct));

    private static async Task AnswerAsync(HttpContext context, AgentEndpointOptions options, string waitingFor, Func<AgentRunManager, CallAddress, CancellationToken, Task<bool>> answer)
    {
        var call = new CallAddress((string)context.Request.RouteValues["runId"]!, (string)context.Request.RouteValues["toolCallId"]!, options.GetOwner(context));
        try
        {
            if (await answer(AgentServices.Runs(context), call, context.RequestAborted).ConfigureAwait(false))
            {
                context.Response.StatusCode = StatusCodes.Status202Accepted;
                return;
            }

            await Problems.WriteAsync(context, StatusCodes.Status409Conflict, "Tool call not waiting",
                $"Tool call '{call.ToolCallId}' of run '{call.RunId}' is not {waitingFor}: it is unknown, was already answered, or has finished.").ConfigureAwait(false);
        }
        catch (AgentRunNotFoundException notFound)
        {
            await Problems.WriteAsync(context, StatusCodes.Status404NotFound, "No such run", notFound.Message).ConfigureAwait(false);
        }
        catch (AgentRunElsewhereException elsewhere)
        {
            await Problems.WriteAsync(context, StatusCodes.Status409Conflict, "Run is on another instance", elsewhere.Message).ConfigureAwait(false);
        }
        catch (AgentRunStoreException unavailable)
        {
            await Problems.WriteStoreUnavailableAsync(context, options, unavailable).ConfigureAwait(false);
        }
    }

    /// <summary>Reads the optional <c>{"reason": "..."}</c>; on a bad body writes the 400 and returns null.</summary>
    private static async Task<DenyReason?> ReadReasonAsync(HttpContext context, AgentEndpointOptions options)
    {
        (bool isValid, DenyToolCallRequest? request) = await AgentRunEndpoints.ReadJsonBodyAsync(
            context, options, AgentHttpJsonContext.Default.DenyToolCallRequest, """{"reason": "..."}""", "Reason too long", allowEmpty: true).ConfigureAwait(false);
        if (!isValid)
        {
            return null;
        }

        if (request?.Reason is { Length: var length } && length > options.MaxMessageLength)
        {
            await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, "Reason too long", $"The reason is {length} characters long; the most is {options.MaxMessageLength}.").ConfigureAwait(false);
            return null;
        }

        return new DenyReason(request?.Reason); // a blank one counts as none, where the call is denied
    }

    private sealed record CallAddress(string RunId, string ToolCallId, string? Owner);

    private sealed record DenyReason(string? Text);
}
