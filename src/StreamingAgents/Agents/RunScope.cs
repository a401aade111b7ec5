using Microsoft.Extensions.DependencyInjection;
using StreamingAgents.Tools;

namespace StreamingAgents.Agents;

/// <summary>
/// What one run works with: its tools and, under dependency injection, the service scope they were resolved from
/// (disposed with the run, once no tool is running).
/// </summary>
internal sealed class RunScope(IToolRegistry tools, AsyncServiceScope? scope) : IAsyncDisposable
{
    public IToolRegistry Tools { get; } = tools;

    public IServiceProvider? Services => scope?.ServiceProvider;

    /// <summary>Opens a run's scope: the agent's tools (keyed by its name; unkeyed for the default agent) resolved in a new service scope.</summary>
    public static RunScope Open(IServiceScopeFactory scopes, string? agentName)
    {
        AsyncServiceScope scope = scopes.CreateAsyncScope();
        try
        {
            IToolRegistry tools = agentName is null
                ? scope.ServiceProvider.GetRequiredService<IToolRegistry>()
                : scope.ServiceProvider.GetRequiredKeyedService<IToolRegistry>(agentName);
            return new RunScope(tools, scope);
        }
        catch
        {
            DisposeNow(scope);
            throw;
        }
    }

    public ValueTask DisposeAsync() => scope?.DisposeAsync() ?? default;

    /// <summary>Disposes a scope no tool has run in (only the tools were resolved), from synchronous code.</summary>
    public void DisposeNow()
    {
        if (scope is { } resolved)
        {
            DisposeNow(resolved);
        }
    }

    private static void DisposeNow(AsyncServiceScope scope) => scope.DisposeAsync().AsTask().GetAwaiter().GetResult();
}
