namespace StreamingAgents.Agents;

/// <summary>
/// What <see cref="AgentRunner.RunAsync(Messages.MessageRequest, AgentRunOptions?, CancellationToken)"/> returns: each enumeration is a new run. It passes the run's events through
/// untouched (no extra state machine on the synchronous path) and keeps its promise that only cancellation throws:
/// a defect ends the run with a failed <see cref="RunCompleted"/> instead.
/// </summary>
internal sealed class AgentRunEvents(Func<CancellationToken, AgentRun> startRun, CancellationToken cancellationToken) : IAsyncEnumerable<AgentEvent>
{
    public IAsyncEnumerator<AgentEvent> GetAsyncEnumerator(CancellationToken cancellationToken2 = default)
    {
        CancellationTokenSource? linked = cancellationToken2.CanBeCanceled && cancellationToken2 != cancellationToken
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, cancellationToken2)
            : null;
        CancellationToken token = linked?.Token ?? cancellationToken;
        try
        {
            return new Enumerator(startRun(token), linked, token);
        }
        catch
        {
            linked?.Dispose();
            throw;
        }
    }

    private sealed class Enumerator(AgentRun run, CancellationTokenSource? linked, CancellationToken cancellationToken) : IAsyncEnumerator<AgentEvent>
    {
        private readonly IAsyncEnumerator<AgentEvent> _events = run.EventsAsync().GetAsyncEnumerator();
        private AgentEvent? _current;
        private bool _isFinished;

        public AgentEvent Current => _current ?? throw new InvalidOperationException("MoveNextAsync has not returned true.");

        public ValueTask<bool> MoveNextAsync()
        {
            if (!_isFinished && run.TryNextStreamed(out AgentEvent? streamed))
            {
                _current = streamed;
                return new ValueTask<bool>(true);
            }

            return MoveNextSlow(); // apart, so the common step above has no exception handling to set up
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private ValueTask<bool> MoveNextSlow()
        {
            if (_isFinished)
            {
                return new ValueTask<bool>(false);
            }

            ValueTask<bool> move;
            try
            {
                move = _events.MoveNextAsync();
            }
            catch (Exception exception)
            {
                return new ValueTask<bool>(Fail(exception));
            }

            return move.IsCompletedSuccessfully ? new ValueTask<bool>(Moved(move.Result)) : AwaitAsync(move);
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await _events.DisposeAsync().ConfigureAwait(false); // stops the run if it is still going, and waits for it
                await run.DisposeAsync().ConfigureAwait(false);
            }
            finally
            {
                linked?.Dispose();
            }
        }

        [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
        private async ValueTask<bool> AwaitAsync(ValueTask<bool> move)
        {
            try
            {
                return Moved(await move.ConfigureAwait(false));
            }
            catch (Exception exception)
            {
                return Fail(exception);
            }
        }

        private bool Moved(bool hasNext)
        {
            _current = hasNext ? _events.Current : null;
            _isFinished = !hasNext;
            return hasNext;
        }

        /// <summary>
    /// Cancellation propagates (whatever was thrown while stopping); the run's deadline ends it with its own outcome;
    /// anything else is a defect, reported as the run's ending.
    /// </summary>
        private bool Fail(Exception exception)
        {
            _isFinished = true;
            // The caller cancelled: whatever was thrown while stopping, that is what the caller sees. (The run's own
            // token is cancelled by its cleanup after any exception, so it tells nothing.)
            cancellationToken.ThrowIfCancellationRequested();
            _current = run.IsPastDeadline ? run.DeadlineEnding() : run.DefectEnding(exception);
            return true;
        }
    }
}
