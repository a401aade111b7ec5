using StackExchange.Redis;

namespace StreamingAgents.Redis;

/// <summary>
/// This instance's pub/sub subscriptions to runs' channels, one per run however many readers it has here, dropped with
/// its last reader. A notice only wakes readers early: they poll too, so a notice lost in a reconnect costs a delay,
/// never an event.
/// </summary>
/// <remarks>
/// A run's next subscription waits for its previous unsubscription to finish: interleaved, the server could see
/// SUBSCRIBE before the older UNSUBSCRIBE and leave the new readers deaf.
/// </remarks>
internal sealed class RunSignals(Func<Task<IConnectionMultiplexer>> connection, TimeSpan subscribeWait, TimeProvider time)
{
    private readonly Dictionary<string, RunSignal> _signals = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task> _closing = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>
    /// Gets the run's signal, subscribing to its channel if this is its first reader here, and waits a little for the
    /// subscription (past <c>subscribeWait</c>, polling does as well while it completes in the background).
    /// </summary>
    public async Task<RunSignal> AcquireAsync(RunKeys keys, CancellationToken cancellationToken)
    {
        RunSignal signal;
        lock (_lock)
        {
            if (!_signals.TryGetValue(keys.RunId, out signal!))
            {
                Task previous = _closing.GetValueOrDefault(keys.RunId) ?? Task.CompletedTask;
                signal = new RunSignal(keys);
                signal.Subscribed = signal.SubscribeAsync(connection, previous);
                _signals.Add(keys.RunId, signal);
            }

            signal.References++;
        }

        try
        {
            await signal.Subscribed.WaitAsync(subscribeWait, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
        catch (OperationCanceledException)
        {
            Release(signal);
            throw;
        }

        return signal;
    }

    /// <summary>Lets go of a signal; the last reader here unsubscribes (in the background).</summary>
    public void Release(RunSignal signal)
    {
        lock (_lock)
        {
            if (--signal.References > 0)
            {
                return;
            }

            _signals.Remove(signal.Keys.RunId);
            Task closing = signal.UnsubscribeAsync();
            _closing[signal.Keys.RunId] = closing;
            _ = closing.ContinueWith(
                _ =>
                {
                    lock (_lock)
                    {
                        if (_closing.TryGetValue(signal.Keys.RunId, out Task? current) && current == closing)
                        {
                            _closing.Remove(signal.Keys.RunId);
                        }
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }
}

/// <summary>One run's notices on this instance: "appended or completed", "cancellation requested", and "a tool call was answered".</summary>
internal sealed class RunSignal
{
    private readonly Action<RedisChannel, RedisValue> _handler;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _commandSent = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ISubscriber? _subscriber;

    public RunSignal(RunKeys keys)
    {
        Keys = keys;
        _handler = (_, message) => OnMessage(message);
    }

    public RunKeys Keys { get; }

    /// <summary>Gets or sets how many readers use the signal (guarded by <see cref="RunSignals"/>' lock).</summary>
    public int References { get; set; }

    /// <summary>Gets or sets the subscription under way; it never faults.</summary>
    public Task Subscribed { get; set; } = Task.CompletedTask;

    /// <summary>Gets a task that completes on the next notice of an append or completion.</summary>
    public Task Changed => Volatile.Read(ref _changed).Task;

    /// <summary>Gets a task that completes on the next notice of a tool call command.</summary>
    public Task CommandSent => Volatile.Read(ref _commandSent).Task;

    /// <summary>Gets a task that completes when a cancellation notice arrives.</summary>
    public TaskCompletionSource CancelRequested { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Subscribes once <paramref name="previous"/> (the run's last unsubscription here) is done; never faults.</summary>
    public async Task SubscribeAsync(Func<Task<IConnectionMultiplexer>> connection, Task previous)
    {
        await previous.ConfigureAwait(false); // never faults either
        try
        {
            ISubscriber subscriber = (await connection().ConfigureAwait(false)).GetSubscriber();
            _subscriber = subscriber;

            // The multiplexer registers the handler before it asks the server, and restores it after a reconnect: a
            // failure here leaves a subscription that will come back with Redis, and readers poll meanwhile.
            await subscriber.SubscribeAsync(Keys.Channel, _handler).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
        }
    }

    /// <summary>Unsubscribes after the subscription has settled, whatever it came to; never faults.</summary>
    public async Task UnsubscribeAsync()
    {
        await Subscribed.ConfigureAwait(false);
        try
        {
            if (_subscriber is { } subscriber)
            {
                await subscriber.UnsubscribeAsync(Keys.Channel, _handler).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // Redis is away: the server side of the subscription is gone with the connection, and the handler is
            // already removed locally, so a reconnect does not bring it back.
        }
    }

    private void OnMessage(RedisValue message)
    {
        if (message == "c")
        {
            CancelRequested.TrySetResult();
            return;
        }

        if (message == "t")
        {
            Interlocked.Exchange(ref _commandSent, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            return;
        }

        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }
}
