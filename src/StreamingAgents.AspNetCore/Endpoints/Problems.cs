using System.Text.Json;
using Microsoft.AspNetCore.Http;

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
}
