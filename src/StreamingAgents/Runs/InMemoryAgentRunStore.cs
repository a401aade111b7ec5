using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using StreamingAgents.Agents;

namespace StreamingAgents.Runs;

/// <summary>
/// The default <see cref="IAgentRunStore"/>: runs in this process's memory, each log bounded by events and bytes,
/// completed runs freed after their time to live. Readers share one log per run (a slow reader holds no copy), so
/// memory never grows past the bounds whatever the readers do.
/// </summary>
public sealed partial class InMemoryAgentRunStore : IAgentRunStore, IDisposable
{
    private readonly ConcurrentDictionary<string, RunLog> _runs = new(StringComparer.Ordinal);
    private readonly InMemoryAgentRunStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _createLock = new();
    private int _liveRuns;

    /// <summary>Initializes a new store.</summary>
    /// <param name="options">The bounds; <see langword="null"/> for the defaults.</param>
    /// <param name="timeProvider">The clock for expiry; <see langword="null"/> for the system clock.</param>
    /// <exception cref="ArgumentOutOfRangeException">A bound is out of range.</exception>
    public InMemoryAgentRunStore(InMemoryAgentRunStoreOptions? options = null, TimeProvider? timeProvider = null)
    {
        _options = options ?? new InMemoryAgentRunStoreOptions();
        _options.Validate();
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets how many runs the store holds (running or completed and not yet expired).</summary>
    public int Count => _runs.Count;

    /// <inheritdoc/>
    public ValueTask CreateAsync(AgentRunRecord run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        lock (_createLock)
        {
            if (_liveRuns >= _options.MaxLiveRuns)
            {
                throw new AgentRunLimitException(_options.MaxLiveRuns);
            }

            if (!_runs.TryAdd(run.RunId, new RunLog(run, _options)))
            {
                throw new ArgumentException($"A run '{run.RunId}' already exists.", nameof(run));
            }

            _liveRuns++;
        }

        return default;
    }

    /// <inheritdoc/>
    public ValueTask<AgentRunRecord?> GetAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        return new(_runs.TryGetValue(runId, out RunLog? log) ? log.Record : null);
    }

    /// <inheritdoc/>
    public ValueTask AppendAsync(string runId, SerializedAgentEvent agentEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(agentEvent);
        Find(runId).Append(agentEvent);
        return default;
    }

    /// <inheritdoc/>
    public ValueTask CompleteAsync(string runId, CancellationToken cancellationToken = default)
    {
        RunLog log = Find(runId);
        if (log.Complete())
        {
            Interlocked.Decrement(ref _liveRuns);
            log.ExpiryTimer = _time.CreateTimer(
                static state =>
                {
                    (InMemoryAgentRunStore store, RunLog expired) = ((InMemoryAgentRunStore, RunLog))state!;
                    store.Expire(expired);
                },
                (this, log),
                _options.CompletedRunTimeToLive,
                Timeout.InfiniteTimeSpan);
        }

        return default;
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<SerializedAgentEvent> ReadAsync(string runId, long afterSequence, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterSequence);
        return ReadCoreAsync(Find(runId), afterSequence, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask RequestCancellationAsync(string runId, CancellationToken cancellationToken = default)
    {
        Find(runId).CancellationRequested.TrySetResult();
        return default;
    }

    /// <inheritdoc/>
    public ValueTask<bool> SendToolCallCommandAsync(string runId, ToolCallCommand command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        RunLog log = Find(runId);
        return new ValueTask<bool>(!log.Record.IsCompleted && log.Commands.Writer.TryWrite(command));
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<ToolCallCommand> ReadToolCallCommandsAsync(string runId, CancellationToken cancellationToken = default) =>
        Find(runId).Commands.Reader.ReadAllAsync(cancellationToken);

    /// <inheritdoc/>
    public Task WaitForCancellationAsync(string runId, CancellationToken cancellationToken = default) =>
        Find(runId).CancellationRequested.Task.WaitAsync(cancellationToken);

    /// <summary>Stops the expiry timers; the runs are dropped.</summary>
    public void Dispose()
    {
        foreach (RunLog log in _runs.Values)
        {
            log.ExpiryTimer?.Dispose();
        }

        _runs.Clear();
    }

    private static async IAsyncEnumerable<SerializedAgentEvent> ReadCoreAsync(RunLog log, long afterSequence, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long next = afterSequence + 1;
        var batch = new List<SerializedAgentEvent>();
        while (true)
        {
            Task? changed = log.ReadFrom(next, batch);
            foreach (SerializedAgentEvent agentEvent in batch)
            {
                yield return agentEvent;
            }

            if (batch.Count > 0)
            {
                next = batch[^1].Sequence + 1;
                batch.Clear();
                continue;
            }

            if (changed is null)
            {
                yield break; // completed, and everything was read
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private RunLog Find(string runId)
    {
        ArgumentNullException.ThrowIfNull(runId);
        return _runs.TryGetValue(runId, out RunLog? log) ? log : throw new AgentRunNotFoundException(runId);
    }

    private void Expire(RunLog log)
    {
        _runs.TryRemove(KeyValuePair.Create(log.Record.RunId, log));
        log.ExpiryTimer?.Dispose();
    }
}
