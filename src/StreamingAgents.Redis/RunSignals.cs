using StackExchange.Redis;

namespace StreamingAgents.Redis;

/// <summary>
/// This instance's pub/sub subscriptions to runs' channels, one per run however many readers it has here, dropped with
/// its last reader. A notice only wakes readers early: they poll too, so a notice lost in a reconnect costs a delay,
/// never an event.
/// </summary>
internal sealed class RunSignals(Func<Task<IConnectionMultiplexer>> connection, TimeSpan subscribeWait, TimeProvider time)
{
    private readonly Dictionary<string, RunSignal> _signals = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Gets the run's signal, subscribing to its channel if this is its first reader here.</summary>
    public async Task<RunSignal> AcquireAsync(RunKeys keys)
    {
        RunSignal signal;
        lock (_lock)
        {
            if (!_signals.TryGetValue(keys.RunId, out signal!))
            {
                signal = new RunSignal(keys);
                _signals.Add(keys.RunId, signal);
            }

            signal.References++;
        }

        await signal.SubscribeAsync(connection, subscribeWait, time).ConfigureAwait(false);
        return signal;
    }

    /// <summary>Lets go of a signal; the last reader here unsubscribes.</summary>
    public void Release(RunSignal signal)
    {
        lock (_lock)
        {
            if (--signal.References > 0)
            {
                return;
            }

            _signals.Remove(signal.Keys.RunId);
        }

        signal.Unsubscribe();
    }
}

/// <summary>One run's notices on this instance: "appended or completed", and "cancellation requested".</summary>
internal sealed class RunSignal
{
    private readonly Action<RedisChannel, RedisValue> _handler;
    private readonly Lock _subscribeLock = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _subscribed;
    private ISubscriber? _subscriber;

    public RunSignal(RunKeys keys)
    {
        Keys = keys;
        _handler = (_, message) => OnMessage(message);
    }

    public RunKeys Keys { get; }

    /// <summary>Gets or sets how many readers use the signal (guarded by <see cref="RunSignals"/>' lock).</summary>
    public int References { get; set; }

    /// <summary>Gets a task that completes on the next notice of an append or completion.</summary>
    public Task Changed => Volatile.Read(ref _changed).Task;

    /// <summary>Gets a task that completes when a cancellation notice arrives.</summary>
    public TaskCompletionSource CancelRequested { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Subscribes, if not yet done (or if an earlier try failed), and waits at most <paramref name="wait"/> for it:
    /// past that, readers are no worse off polling while the subscription completes in the background.
    /// </summary>
    public async Task SubscribeAsync(Func<Task<IConnectionMultiplexer>> connection, TimeSpan wait, TimeProvider time)
    {
        Task subscribed;
        lock (_subscribeLock)
        {
            if (_subscribed is null || _subscribed.IsFaulted)
            {
                _subscribed = SubscribeCoreAsync(connection);
                _ = _subscribed.ContinueWith(static task => _ = task.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }

            subscribed = _subscribed;
        }

        try
        {
            await subscribed.WaitAsync(wait, time).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is TimeoutException or RedisException or ObjectDisposedException)
        {
            // Redis is slow or unreachable: readers poll until it is back (the multiplexer restores subscriptions it knows of).
        }
    }

    /// <summary>Unsubscribes in the background (after subscribing, if that is still under way); failures are observed.</summary>
    public void Unsubscribe()
    {
        Task? subscribed;
        lock (_subscribeLock)
        {
            subscribed = _subscribed;
        }

        if (subscribed is not null)
        {
            _ = UnsubscribeAsync(subscribed);
        }
    }

    private async Task UnsubscribeAsync(Task subscribed)
    {
        try
        {
            await subscribed.ConfigureAwait(false);
            if (_subscriber is { } subscriber)
            {
                await subscriber.UnsubscribeAsync(Keys.Channel, _handler).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (exception is RedisException or ObjectDisposedException)
        {
            // Redis is gone, and the subscription with it.
        }
    }

    private async Task SubscribeCoreAsync(Func<Task<IConnectionMultiplexer>> connection)
    {
        ISubscriber subscriber = (await connection().ConfigureAwait(false)).GetSubscriber();
        _subscriber = subscriber;
        await subscriber.SubscribeAsync(Keys.Channel, _handler).ConfigureAwait(false);
    }

    private void OnMessage(RedisValue message)
    {
        if (message == "c")
        {
            CancelRequested.TrySetResult();
            return;
        }

        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }
}
