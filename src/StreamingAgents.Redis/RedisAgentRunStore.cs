using System.Runtime.CompilerServices;
using System.Net.Sockets;
using StackExchange.Redis;
using StreamingAgents.Agents;
using StreamingAgents.Runs;

namespace StreamingAgents.Redis;

/// <summary>
/// An <see cref="IAgentRunStore"/> in Redis, so detached runs outlive one server: each run is a Redis Stream capped at
/// <see cref="RedisAgentRunStoreOptions.MaxEventsPerRun"/> events plus a small hash, readers on any instance replay
/// from a sequence and follow live (woken by pub/sub, with polling as the safety net), a cancel from any instance
/// reaches the one running the agent, and completed runs expire by key time to live.
/// </summary>
/// <remarks>
/// <para>
/// Redis being slow or restarting: every operation retries for <see cref="RedisAgentRunStoreOptions.RetryTimeout"/>
/// and then fails with <see cref="AgentRunStoreUnavailableException"/>. Appends are idempotent (a retried append whose
/// reply was lost is not stored twice) and readers resume from the last event they delivered, so a restart that keeps
/// the data (persistence on) loses and repeats nothing. A restart that loses the data ends the run (its next append
/// finds no run) and its readers get <see cref="AgentRunLostException"/>.
/// </para>
/// <para>
/// Lease: a live run's keys expire <see cref="RedisAgentRunStoreOptions.LeaseTime"/> after the last append or renewal.
/// The instance running it renews it while it waits for its cancellation
/// (<see cref="WaitForCancellationAsync"/>, which <see cref="AgentRunManager"/> does for a run's whole life), so a
/// run whose server died expires, and its readers are told, instead of waiting forever.
/// </para>
/// </remarks>
public sealed class RedisAgentRunStore : IAgentRunStore, IAsyncDisposable
{
    private const int ReadBatch = 256;
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(1);

    private readonly RedisAgentRunStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly Lazy<Task<IConnectionMultiplexer>> _connection;
    private readonly RunSignals _signals;
    private readonly string _maxEvents;
    private readonly string _leaseMilliseconds;
    private readonly string _completedMilliseconds;
    private readonly HashSet<string> _liveHere = new(StringComparer.Ordinal);
    private int _disposed;

    /// <summary>Initializes a new store; it connects on first use, and keeps reconnecting while Redis is away.</summary>
    /// <param name="options">The connection and settings.</param>
    /// <param name="timeProvider">The clock for retries and polling; <see langword="null"/> for the system clock.</param>
    /// <exception cref="ArgumentException">A setting is invalid (the message says which and why).</exception>
    public RedisAgentRunStore(RedisAgentRunStoreOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _connection = new(ConnectAsync);
        _signals = new RunSignals(() => _connection.Value, options.PollInterval, _time);
        _maxEvents = Invariant(options.MaxEventsPerRun);
        _leaseMilliseconds = Invariant((long)options.LeaseTime.TotalMilliseconds);
        _completedMilliseconds = Invariant((long)Math.Max(1, options.CompletedRunTimeToLive.TotalMilliseconds));
    }

    /// <inheritdoc/>
    /// <exception cref="AgentRunLimitException">This instance runs <see cref="RedisAgentRunStoreOptions.MaxLiveRunsPerInstance"/> runs already.</exception>
    public async ValueTask CreateAsync(AgentRunRecord run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        RunKeys keys = Keys(run.RunId);
        lock (_liveHere)
        {
            if (!_liveHere.Contains(run.RunId) && _liveHere.Count >= _options.MaxLiveRunsPerInstance)
            {
                throw new AgentRunLimitException(_options.MaxLiveRunsPerInstance);
            }

            _liveHere.Add(run.RunId);
        }

        bool created = false;
        try
        {
            created = (long)await EvaluateAsync(keys, RunScripts.Create, [Invariant(run.CreatedAt.ToUnixTimeMilliseconds()), _leaseMilliseconds, run.Owner ?? "", run.Owner is null ? "0" : "1"], cancellationToken).ConfigureAwait(false) == 1;
        }
        finally
        {
            if (!created)
            {
                EndHere(run.RunId);
            }
        }

        if (!created)
        {
            throw new ArgumentException($"A run '{run.RunId}' already exists.", nameof(run));
        }
    }

    /// <inheritdoc/>
    public async ValueTask<AgentRunRecord?> GetAsync(string runId, CancellationToken cancellationToken = default)
    {
        RunKeys keys = Keys(runId);
        RedisValue[] fields = await RetryAsync(runId, static (database, keys) => database.HashGetAsync(keys.Run, [(RedisValue)"created", "owner", "done"]), keys, cancellationToken).ConfigureAwait(false);
        if (fields[0].IsNull || !long.TryParse((string?)fields[0], out long created))
        {
            return null;
        }

        return new AgentRunRecord(runId, fields[1].IsNull ? null : (string?)fields[1], DateTimeOffset.FromUnixTimeMilliseconds(created))
        {
            IsCompleted = !fields[2].IsNull,
        };
    }

    /// <inheritdoc/>
    public async ValueTask AppendAsync(string runId, SerializedAgentEvent agentEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(agentEvent);
        RunKeys keys = Keys(runId);
        RedisResult result = await EvaluateAsync(
            keys,
            RunScripts.Append,
            [Invariant(agentEvent.Sequence), agentEvent.Utf8Json, agentEvent.EventType, _maxEvents, _leaseMilliseconds, keys.Channel.ToString()],
            cancellationToken).ConfigureAwait(false);
        switch ((long)result[0])
        {
            case -1:
                throw new AgentRunNotFoundException(runId);
            case -2:
                throw new InvalidOperationException($"Agent run '{runId}' has completed; nothing can be appended.");
            case -3:
                throw new ArgumentException($"Agent run '{runId}' expects event {(long)result[1] + 1}, not {agentEvent.Sequence}.", nameof(agentEvent));
        }
    }

    /// <inheritdoc/>
    public async ValueTask CompleteAsync(string runId, CancellationToken cancellationToken = default)
    {
        RunKeys keys = Keys(runId);
        EndHere(runId); // counted as running here no more, even if Redis cannot be told
        RedisResult result = await EvaluateAsync(keys, RunScripts.Complete, [_completedMilliseconds, keys.Channel.ToString()], cancellationToken).ConfigureAwait(false);
        if ((long)result == -1)
        {
            throw new AgentRunNotFoundException(runId);
        }
    }

    /// <inheritdoc/>
    /// <exception cref="AgentRunLostException">The run vanished from Redis before it completed.</exception>
    /// <exception cref="AgentRunStoreUnavailableException">Redis did not answer within the retry timeout.</exception>
    public IAsyncEnumerable<SerializedAgentEvent> ReadAsync(string runId, long afterSequence, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterSequence);
        return ReadCoreAsync(Keys(runId), afterSequence, cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask RequestCancellationAsync(string runId, CancellationToken cancellationToken = default)
    {
        RunKeys keys = Keys(runId);
        RedisResult result = await EvaluateAsync(keys, RunScripts.Cancel, [keys.Channel.ToString()], cancellationToken).ConfigureAwait(false);
        if ((long)result == -1)
        {
            throw new AgentRunNotFoundException(runId);
        }
    }

    /// <inheritdoc/>
    /// <remarks>While it waits it renews the run's lease: call it from the instance running the agent.</remarks>
    /// <exception cref="AgentRunLostException">The run vanished from Redis before it completed.</exception>
    /// <exception cref="AgentRunStoreUnavailableException">Redis did not answer within the retry timeout.</exception>
    public async Task WaitForCancellationAsync(string runId, CancellationToken cancellationToken = default)
    {
        RunKeys keys = Keys(runId);
        RunSignal signal = await _signals.AcquireAsync(keys, cancellationToken).ConfigureAwait(false);
        try
        {
            TimeSpan renewEvery = _options.LeaseTime / 3;
            bool seen = false;
            while (true)
            {
                switch ((long)await EvaluateAsync(keys, RunScripts.Renew, [_leaseMilliseconds], cancellationToken).ConfigureAwait(false))
                {
                    case -1:
                        throw seen ? new AgentRunLostException(runId) : new AgentRunNotFoundException(runId);
                    case 0:
                        await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false); // completed: never cancelled
                        break;
                    case 2:
                        return;
                }

                seen = true;
                if (await WaitOrTimeOutAsync(signal.CancelRequested.Task, renewEvery, cancellationToken).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
        finally
        {
            _signals.Release(signal);
        }
    }

    /// <inheritdoc/>
    /// <exception cref="AgentRunStoreUnavailableException">Redis did not answer within the retry timeout.</exception>
    public async ValueTask<bool> SendToolCallCommandAsync(string runId, ToolCallCommand command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        RunKeys keys = Keys(runId);
        string json = System.Text.Json.JsonSerializer.Serialize(command, RedisJsonContext.Default.ToolCallCommand);
        return (long)await EvaluateAsync(keys, RunScripts.SendCommand, [keys.Channel.ToString(), json, _leaseMilliseconds], cancellationToken).ConfigureAwait(false) switch
        {
            -1 => throw new AgentRunNotFoundException(runId),
            0 => false,
            _ => true,
        };
    }

    /// <inheritdoc/>
    /// <remarks>Woken by a pub/sub notice, and polling every <see cref="RedisAgentRunStoreOptions.PollInterval"/> as the safety net.</remarks>
    /// <exception cref="AgentRunStoreUnavailableException">Redis did not answer within the retry timeout.</exception>
    public IAsyncEnumerable<ToolCallCommand> ReadToolCallCommandsAsync(string runId, CancellationToken cancellationToken = default) =>
        ReadCommandsCoreAsync(Keys(runId), cancellationToken);

    /// <summary>Closes the connection the store opened (not one it was given).</summary>
    /// <returns>A task that completes when it is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0 || _options.ConnectionMultiplexer is not null || !_connection.IsValueCreated)
        {
            return;
        }

        try
        {
            await (await _connection.Value.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is RedisException or SocketException)
        {
            // It never connected: nothing to close.
        }
    }

    private async IAsyncEnumerable<SerializedAgentEvent> ReadCoreAsync(RunKeys keys, long afterSequence, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long next = afterSequence + 1;
        bool seen = false;
        RunSignal signal = await _signals.AcquireAsync(keys, cancellationToken).ConfigureAwait(false);
        try
        {
            while (true)
            {
                Task changed = signal.Changed; // taken before reading, so a notice in between is not missed
                RedisResult result = await EvaluateAsync(keys, RunScripts.Read, [Invariant(next), Invariant(ReadBatch)], cancellationToken).ConfigureAwait(false);
                long done = (long)result[0];
                if (done == -1)
                {
                    throw seen ? new AgentRunLostException(keys.RunId) : new AgentRunNotFoundException(keys.RunId);
                }

                seen = true;
                long last = (long)result[1];
                RedisResult entries = result[2];
                if (entries.Length > 0)
                {
                    for (int i = 0; i < entries.Length; i++)
                    {
                        SerializedAgentEvent agentEvent = ToEvent(keys.RunId, entries[i]);
                        if (agentEvent.Sequence != next)
                        {
                            throw new AgentRunGapException(keys.RunId, next, agentEvent.Sequence);
                        }

                        next++;
                        yield return agentEvent;
                    }

                    continue;
                }

                if (last >= next)
                {
                    throw new AgentRunLostException(keys.RunId); // the hash says they exist, the stream is gone
                }

                if (done == 1)
                {
                    yield break;
                }

                await WaitOrTimeOutAsync(changed, _options.PollInterval, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _signals.Release(signal);
        }
    }

    private async IAsyncEnumerable<ToolCallCommand> ReadCommandsCoreAsync(RunKeys keys, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        RunSignal signal = await _signals.AcquireAsync(keys, cancellationToken).ConfigureAwait(false);
        try
        {
            while (true)
            {
                Task sent = signal.CommandSent; // taken before taking, so a notice in between is not missed
                RedisResult commands = await EvaluateAsync(keys, RunScripts.TakeCommands, [], cancellationToken).ConfigureAwait(false);
                for (int i = 0; i < commands.Length; i++)
                {
                    yield return ToCommand(keys.RunId, commands[i]);
                }

                await WaitOrTimeOutAsync(sent, _options.PollInterval, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _signals.Release(signal);
        }
    }

    private static ToolCallCommand ToCommand(string runId, RedisResult entry)
    {
        try
        {
            if ((byte[]?)entry is { } json
                && System.Text.Json.JsonSerializer.Deserialize(json, RedisJsonContext.Default.ToolCallCommand) is { ToolCallId.Length: > 0 } command
                && Enum.IsDefined(command.Kind))
            {
                return command;
            }
        }
        catch (System.Text.Json.JsonException)
        {
        }

        throw new AgentRunStoreException($"Agent run '{runId}' has a tool call command this store did not write.", runId, innerException: null);
    }

    /// <summary>Waits for a signal or the time; true when the signal came. No timer outlives the wait.</summary>
    private async Task<bool> WaitOrTimeOutAsync(Task signal, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await signal.WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private static SerializedAgentEvent ToEvent(string runId, RedisResult entry)
    {
        // [id, [e, json, t, type]]
        string id = (string)entry[0]!;
        RedisResult fields = entry[1];
        return fields.Length == 4
            && long.TryParse(id.AsSpan(0, Math.Max(0, id.IndexOf('-'))), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long sequence)
            && (byte[]?)fields[1] is { } json
            && (string?)fields[3] is { } type
            ? new SerializedAgentEvent(sequence, type, json)
            : throw new AgentRunStoreException($"Agent run '{runId}' has a stream entry '{id}' this store did not write.", runId, innerException: null);
    }

    private Task<RedisResult> EvaluateAsync(RunKeys keys, string script, RedisValue[] arguments, CancellationToken cancellationToken) =>
        RetryAsync(keys.RunId, static (database, state) => database.ScriptEvaluateAsync(state.script, state.keys.Keys, state.arguments), (keys, script, arguments), cancellationToken);

    /// <summary>
    /// Runs an operation, retrying while Redis is unreachable; it fails with <see cref="AgentRunStoreUnavailableException"/>
    /// once the retry timeout has passed since it started (an attempt still queued then is abandoned, its outcome observed).
    /// </summary>
    private async Task<TResult> RetryAsync<TState, TResult>(string runId, Func<IDatabase, TState, Task<TResult>> operation, TState state, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        long started = _time.GetTimestamp();
        TimeSpan delay = FirstRetryDelay;
        while (true)
        {
            Task<TResult>? attempt = null;
            try
            {
                IConnectionMultiplexer connection = await _connection.Value.WaitAsync(Left(started), _time, cancellationToken).ConfigureAwait(false);
                attempt = operation(connection.GetDatabase(), state);
                return await attempt.WaitAsync(Left(started), _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                Abandon(attempt);
                throw;
            }
            catch (Exception failure) when (failure is TimeoutException || IsTransient(failure))
            {
                // Out of time (an attempt may still be queued), or a failure that may pass.
                Abandon(attempt);
                if (failure is TimeoutException and not RedisTimeoutException || Left(started) <= delay)
                {
                    throw new AgentRunStoreUnavailableException(runId, _time.GetElapsedTime(started), failure);
                }

                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
            }
            catch (Exception failure) when (failure is RedisException or InvalidCastException or ObjectDisposedException)
            {
                // Refused (out of memory, no permission, wrong type): trying again will not help. Only the error's
                // code is shown: the rest may name servers.
                string code = failure is RedisServerException server ? server.Message.Split(' ', 2)[0] : failure.GetType().Name;
                throw new AgentRunStoreException($"The agent run store refused an operation on run '{runId}' ({code}).", runId, failure);
            }
        }
    }

    private TimeSpan Left(long started) => TimeSpan.FromTicks(Math.Max(0, (_options.RetryTimeout - _time.GetElapsedTime(started)).Ticks));

    /// <summary>Lets an attempt that is still queued finish on its own, observing its failure.</summary>
    private static void Abandon(Task? attempt)
    {
        if (attempt is { IsCompleted: false })
        {
            _ = attempt.ContinueWith(static task => _ = task.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        else
        {
            _ = attempt?.Exception;
        }
    }

    /// <summary>Failures that pass: no connection, a timeout, a server loading its data or failing over.</summary>
    private static bool IsTransient(Exception failure) => failure switch
    {
        RedisConnectionException or RedisTimeoutException => true,
        RedisServerException server => server.Message.StartsWith("LOADING", StringComparison.Ordinal)
            || server.Message.StartsWith("READONLY", StringComparison.Ordinal)
            || server.Message.StartsWith("MASTERDOWN", StringComparison.Ordinal)
            || server.Message.StartsWith("TRYAGAIN", StringComparison.Ordinal)
            || server.Message.StartsWith("BUSY", StringComparison.Ordinal)
            || server.Message.StartsWith("CLUSTERDOWN", StringComparison.Ordinal)
            || server.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal),
        _ => false,
    };

    private async Task<IConnectionMultiplexer> ConnectAsync()
    {
        if (_options.ConnectionMultiplexer is { } shared)
        {
            return shared;
        }

        ConfigurationOptions configuration = ConfigurationOptions.Parse(_options.Configuration!);
        configuration.AbortOnConnectFail = false; // start even while Redis is away, and keep trying
        return await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
    }

    private void EndHere(string runId)
    {
        lock (_liveHere)
        {
            _liveHere.Remove(runId);
        }
    }

    private RunKeys Keys(string runId)
    {
        ArgumentNullException.ThrowIfNull(runId);
        return new RunKeys(_options.KeyPrefix, runId);
    }

    private static string Invariant(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
