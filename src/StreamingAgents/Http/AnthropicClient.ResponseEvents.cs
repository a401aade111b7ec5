using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using StreamingAgents.Diagnostics;
using StreamingAgents.Events;
using StreamingAgents.Sse;

namespace StreamingAgents.Http;

public sealed partial class AnthropicClient
{
    /// <summary>What <see cref="StreamAsync"/> returns: each enumeration sends the request.</summary>
    private sealed class ResponseEvents(AnthropicClient client, byte[] body, string model, int? maxTokens, CancellationToken cancellationToken) : IAsyncEnumerable<StreamEvent>
    {
        public IAsyncEnumerator<StreamEvent> GetAsyncEnumerator(CancellationToken enumerationToken = default)
        {
            CancellationTokenSource? linked = enumerationToken.CanBeCanceled && enumerationToken != cancellationToken
                ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, enumerationToken)
                : null;
            return new Enumerator(client, body, model, maxTokens, linked, linked?.Token ?? cancellationToken);
        }
    }

    /// <summary>
    /// One response: the first <see cref="MoveNextAsync"/> sends the request (with retries, before any event reached the
    /// caller); every later one reads the next event straight from the SSE reader, synchronously when it is buffered,
    /// with only the wait for the server counted against the liveness timeouts.
    /// </summary>
    private sealed class Enumerator(AnthropicClient client, byte[] body, string model, int? maxTokens, CancellationTokenSource? linked, CancellationToken cancellationToken)
        : IAsyncEnumerator<StreamEvent>, ITextDeltaSource, IBodyReadCounter
    {
        private StreamLiveness? _liveness;
        private HttpResponseMessage? _response;
        private LivenessStream? _body;
        private SseEventStream? _sse;
        private StreamEventCursor? _cursor;
        private SecretScrubber _scrubber = client._scrubber;
        private ModelCallTelemetry? _telemetry;

        public StreamEvent Current => _cursor?.Current ?? throw new InvalidOperationException("MoveNextAsync has not returned true.");

        public long BodyReads => _body?.BodyReads ?? -1;

        public bool TryGetCurrentText(out int blockIndex, [NotNullWhen(true)] out string? text)
        {
            text = null;
            blockIndex = 0;
            return _cursor is { } cursor && cursor.TryGetText(out blockIndex, out text);
        }

        public ValueTask<bool> MoveNextAsync()
        {
            if (_cursor is null)
            {
                return StartAsync();
            }

            StreamLiveness liveness = _liveness!; // its wait begins only if the body must be read (LivenessStream)
            ValueTask<bool> move;
            try
            {
                move = _cursor.MoveNextAsync();
            }
            catch (Exception exception)
            {
                liveness.EndWait(contentArrived: false);
                throw Ended(Translate(exception));
            }

            if (!move.IsCompletedSuccessfully)
            {
                return AwaitAsync(move);
            }

            bool hasNext = move.Result;
            liveness.EndWait(hasNext && !_cursor.IsPing);
            if (_telemetry is not null)
            {
                Observe(hasNext);
            }

            return new ValueTask<bool>(hasNext);
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await ReleaseAsync().ConfigureAwait(false);
                linked?.Dispose();
            }
            finally
            {
                _telemetry?.End(failure: null); // completed if message_stop came; else left by its reader
            }
        }

        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        private async ValueTask<bool> AwaitAsync(ValueTask<bool> move)
        {
            bool hasNext = false;
            try
            {
                hasNext = await move.ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                Exception failure = Translate(exception);
                _liveness!.EndWait(contentArrived: false);
                throw Ended(failure);
            }

            _liveness!.EndWait(hasNext && !_cursor!.IsPing);
            if (_telemetry is not null)
            {
                Observe(hasNext);
            }

            return hasNext;
        }

        /// <summary>Hands an event to the telemetry, or ends it with the stream.</summary>
        private void Observe(bool hasNext)
        {
            if (hasNext)
            {
                _telemetry!.OnEvent(_cursor!.Current);
            }
            else
            {
                _telemetry!.End(failure: null);
            }
        }

        private Exception Ended(Exception failure)
        {
            _telemetry?.End(failure);
            return failure;
        }

        /// <summary>Sends the request and reads the first event; failures up to there are retried (<see cref="AnthropicClientOptions.MaxRetries"/>).</summary>
        private async ValueTask<bool> StartAsync()
        {
            AnthropicClientOptions options = client._options;
            _telemetry = ModelCallTelemetry.Start(client._timeProvider, model, maxTokens); // current while sending: HttpClient's span nests under it
            for (int attempt = 0; ; attempt++)
            {
                _liveness = new StreamLiveness(client._timeProvider, options.IdleTimeout, options.StallTimeout, cancellationToken);
                try
                {
                    Log.Sending(client._logger, model, attempt + 1);
                    _liveness.BeginWait(); // the idle timeout bounds the wait for headers too
                    _response = await client.SendAsync(body, _liveness).ConfigureAwait(false);
                    _liveness.OnBytesReceived(); // the headers: the idle clock restarts for the body
                    _scrubber = client._scrubber.With(_response.RequestMessage);
                    Stream content = await _response.Content.ReadAsStreamAsync(_liveness.Token).WaitOrAbandonAsync(_liveness.Token).ConfigureAwait(false);
                    _body = new LivenessStream(content, _liveness);
                    _sse = new SseEventStream(_body, client.SseOptions, _liveness.Token);
                    string? requestId = _response.Headers.TryGetValues("request-id", out IEnumerable<string>? ids) ? ids.FirstOrDefault() : null;
                    var cursor = new StreamEventCursor(_sse, requestId);
                    bool hasFirst = await cursor.MoveNextAsync().ConfigureAwait(false); // false never: an early end throws
                    _liveness.EndWait(!cursor.IsPing);
                    _cursor = cursor; // from here on the caller has output: failures propagate, never retried
                    _telemetry?.OnEvent(cursor.Current);
                    return hasFirst;
                }
                catch (Exception exception)
                {
                    Exception failure = Translate(exception);
                    await ReleaseAsync().ConfigureAwait(false);
                    if (attempt >= options.MaxRetries || !RetryPolicy.IsRetryable(failure, cancellationToken))
                    {
                        _telemetry?.End(failure);
                        if (ReferenceEquals(failure, exception))
                        {
                            ExceptionDispatchInfo.Throw(exception);
                        }

                        throw failure;
                    }

                    _telemetry?.OnRetry(failure);
                    TimeSpan delay = RetryPolicy.GetDelay(attempt, failure, options);
                    Log.Retrying(client._logger, attempt + 1, options.MaxRetries, delay.TotalMilliseconds, failure.GetType().Name, (failure as AnthropicApiException)?.ErrorType);
                    try
                    {
                        await Task.Delay(delay, client._timeProvider, cancellationToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException cancelled)
                    {
                        _telemetry?.End(cancelled);
                        throw;
                    }
                }
            }
        }

        /// <summary>A liveness timeout is reported as such rather than as a cancellation; no secret leaves in an error.</summary>
        private Exception Translate(Exception exception) =>
            exception is OperationCanceledException && _liveness is { HasTimedOut: true } liveness
                ? liveness.CreateTimeoutException(exception)
                : _scrubber.Scrub(exception);

        /// <summary>Disposing the response aborts the connection, so cancellation and early exits stop reading promptly.</summary>
        private async ValueTask ReleaseAsync()
        {
            _response?.Dispose();
            _response = null;
            if (_sse is { } sse)
            {
                _sse = null;
                await sse.DisposeAsync().ConfigureAwait(false); // returns the reader's buffer; the body is not touched
            }

            _body?.Dispose();
            _body = null;
            _liveness?.Dispose();
            _liveness = null;
        }
    }
}
