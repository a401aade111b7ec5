using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using StreamingAgents.Runs;

namespace StreamingAgents.AspNetCore.Endpoints;

/// <summary>Writes <c>application/problem+json</c> answers (RFC 9457).</summary>
internal static class Problems
{
    public static Task WriteAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/problem+json";
        var problem = new ProblemDocument("about:blank", title, status, detail);
        return JsonSerializer.SerializeAsync(context.Response.Body, problem, AgentHttpJsonContext.Default.ProblemDocument, context.RequestAborted);
    }

    /// <summary>503 with <c>Retry-After</c>: the run store (Redis) is away; the request may work again soon.</summary>
    public static Task WriteStoreUnavailableAsync(HttpContext context, AgentEndpointOptions options, AgentRunStoreException unavailable)
    {
        context.Response.Headers.RetryAfter = ((int)Math.Ceiling(options.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Run store unavailable", unavailable.Message);
    }
}
