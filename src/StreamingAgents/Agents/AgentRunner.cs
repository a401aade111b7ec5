using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StreamingAgents.Diagnostics;
using StreamingAgents.Http;
using StreamingAgents.Messages;
using StreamingAgents.Tools;

namespace StreamingAgents.Agents;

/// <summary>
/// The streaming agent loop: streams each model response as events, runs the tools it calls (read-only ones as soon
/// as their input is complete), sends the results back and continues until the model is done.
/// </summary>
/// <remarks>
/// <para>One run is one enumeration; each enumeration starts a new run. The consumer drives the model stream: each
/// <c>MoveNextAsync</c> reads as far as the next event, on the consumer's own continuation (no thread hop), so a slow
/// consumer slows the reading instead of filling memory. Tools run concurrently and their events are merged in the
/// order they happen. Breaking out of the loop or cancelling stops the stream and cancels every running tool, and the
/// enumeration ends only once they have all finished: no task outlives it.</para>
/// <para>Tools run without the caller's synchronization context, concurrently up to
/// <see cref="AgentRunnerOptions.MaxConcurrentTools"/>.</para>
/// <para>Built by dependency injection, each run opens a service scope: the agent's tools are resolved in it (so
/// they may take scoped services), <see cref="ToolContext.Services"/> exposes it, and it is disposed when the run
/// ends.</para>
/// <para>Failures do not throw: the run ends with <see cref="RunCompleted"/> whose outcome says what happened
/// (cancellation throws <see cref="OperationCanceledException"/> as usual).</para>
/// </remarks>
public sealed class AgentRunner : IAgentRunner
{
    private readonly IAnthropicClient _client;
    private readonly Func<RunScope> _openScope;
    private readonly AgentRunnerOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    /// <summary>Initializes a new runner.</summary>
    /// <param name="client">The model client.</param>
    /// <param name="tools">The tools the model may call.</param>
    /// <param name="options">Limits and behaviour; <see langword="null"/> uses the defaults.</param>
    /// <param name="timeProvider">The clock for timestamps, durations, timeouts and retry delays.</param>
    /// <param name="logger">The logger.</param>
    /// <exception cref="ArgumentException">The options are invalid; the message names every wrong setting.</exception>
    public AgentRunner(IAnthropicClient client, IToolRegistry tools, AgentRunnerOptions? options = null, TimeProvider? timeProvider = null, ILogger<AgentRunner>? logger = null)
        : this(client, NoScope(tools), options, timeProvider, logger)
    {
    }

    /// <summary>Initializes a runner whose runs each open a scope (dependency injection's, with its tools).</summary>
    internal AgentRunner(IAnthropicClient client, Func<RunScope> openScope, AgentRunnerOptions? options, TimeProvider? timeProvider, ILogger<AgentRunner>? logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _openScope = openScope;
        _options = options ?? new AgentRunnerOptions();
        IReadOnlyList<string> problems = _options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(options));
        }

        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger is null ? NullLogger<AgentRunner>.Instance : new NonThrowingLogger(logger);
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<AgentEvent> RunAsync(MessageRequest request, CancellationToken cancellationToken = default) =>
        RunAsync(request, runOptions: null, cancellationToken);

    /// <inheritdoc/>
    public IAsyncEnumerable<AgentEvent> RunAsync(MessageRequest request, AgentRunOptions? runOptions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Messages.Count == 0)
        {
            throw new ArgumentException("The request has no messages; an agent run starts from at least one user turn.", nameof(request));
        }

        runOptions?.Validate();
        if (runOptions?.Tools is { } names)
        {
            // Checked now, against the tools a run would have, so a wrong name throws here and not once the run started.
            RunScope scope = _openScope();
            try
            {
                _ = scope.Tools.Only(names);
            }
            finally
            {
                scope.DisposeNow();
            }
        }

        return new AgentRunEvents(token => StartRun(request, runOptions, token), cancellationToken);
    }

    private AgentRun StartRun(MessageRequest request, AgentRunOptions? runOptions, CancellationToken cancellationToken)
    {
        RunScope scope = _openScope();
        try
        {
            return new AgentRun(_client, scope, _options, _timeProvider, _logger, request, runOptions, cancellationToken);
        }
        catch
        {
            scope.DisposeNow();
            throw;
        }
    }

    private static Func<RunScope> NoScope(IToolRegistry tools)
    {
        ArgumentNullException.ThrowIfNull(tools);
        var scope = new RunScope(tools, scope: null);
        return () => scope;
    }
}
