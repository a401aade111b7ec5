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
/// <para>Failures do not throw: the run ends with <see cref="RunCompleted"/> whose outcome says what happened
/// (cancellation throws <see cref="OperationCanceledException"/> as usual).</para>
/// </remarks>
public sealed class AgentRunner : IAgentRunner
{
    private readonly IAnthropicClient _client;
    private readonly IToolRegistry _tools;
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
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(tools);
        _client = client;
        _tools = tools;
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
    public IAsyncEnumerable<AgentEvent> RunAsync(MessageRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Messages.Count == 0)
        {
            throw new ArgumentException("The request has no messages; an agent run starts from at least one user turn.", nameof(request));
        }

        return new AgentRunEvents(token => new AgentRun(_client, _tools, _options, _timeProvider, _logger, request, token), cancellationToken);
    }
}
