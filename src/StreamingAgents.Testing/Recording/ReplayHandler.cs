using System.Net;
using StreamingAgents.Testing.Streams;

namespace StreamingAgents.Testing.Recording;

/// <summary>
/// Serves a folder recorded by <see cref="RecordingHandler"/> back to an <see cref="HttpClient"/>: each request gets its
/// recorded response (status, headers, body bytes, a dropped connection or a failed request), with the recorded
/// timing or at once, under any <see cref="Chunking"/>. A request that differs from the recording fails with a
/// <see cref="ReplayMismatchException"/> naming the first difference; it never gets a wrong answer silently.
/// Safe under concurrent requests.
/// </summary>
public sealed class ReplayHandler : HttpMessageHandler
{
    private readonly RecordedExchange[] _exchanges;
    private readonly bool[] _used;
    private readonly ReplayOptions _options;
    private readonly Lock _match = new();
    private int _requestCount;

    /// <summary>Loads the recording in <paramref name="directory"/>.</summary>
    /// <param name="directory">A folder of <c>*.exchange.json</c> files.</param>
    /// <param name="options">Matching, timing and chunking; defaults to in order, instant, as recorded.</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">The folder holds no exchange, or a file is not a valid one (the message names it and the place).</exception>
    public ReplayHandler(string directory, ReplayOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = Path.GetFullPath(directory);
        _options = options ?? new ReplayOptions();
        if (!System.IO.Directory.Exists(Directory))
        {
            throw new DirectoryNotFoundException($"There is no recording at '{Directory}': record one through a RecordingHandler first.");
        }

        _exchanges = [.. System.IO.Directory.EnumerateFiles(Directory, "*" + ExchangeFile.Extension)
            .Order(StringComparer.Ordinal)
            .Select(ExchangeFile.Read)];
        if (_exchanges.Length == 0)
        {
            throw new InvalidDataException($"The folder '{Directory}' holds no *{ExchangeFile.Extension} files.");
        }

        _used = new bool[_exchanges.Length];
    }

    /// <summary>Gets the full path of the recording's folder.</summary>
    public string Directory { get; }

    /// <summary>Gets how many exchanges the recording holds.</summary>
    public int ExchangeCount => _exchanges.Length;

    /// <summary>Gets how many exchanges have not been served yet: zero when the code under test asked all it did when recorded.</summary>
    public int RemainingCount
    {
        get
        {
            lock (_match)
            {
                return _used.Count(static used => !used);
            }
        }
    }

    /// <inheritdoc/>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        int number = Interlocked.Increment(ref _requestCount);
        string body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        RecordedExchange exchange = Match(number, request, body);
        bool timed = _options.Timing == ReplayTiming.Recorded;
        if (exchange.Failure is { } failure)
        {
            await DelayAsync(timed ? failure.Ms : 0, cancellationToken).ConfigureAwait(false);
            string message = $"{failure.Message} (replayed from {exchange.FileName})";
            throw failure.Type is nameof(TaskCanceledException) or nameof(OperationCanceledException)
                ? new TaskCanceledException(message)
                : new HttpRequestException(message);
        }

        RecordedResponse recorded = exchange.Response!;
        await DelayAsync(timed ? recorded.HeadersMs : 0, cancellationToken).ConfigureAwait(false);
        return CreateResponse(recorded, request);
    }

    private RecordedExchange Match(int number, HttpRequestMessage request, string body)
    {
        lock (_match)
        {
            int unused = Array.IndexOf(_used, false);
            if (unused < 0)
            {
                throw new ReplayMismatchException(
                    $"Request #{number} ({request.Method} {request.RequestUri}) has no recorded exchange left: the recording in '{Directory}' holds {_exchanges.Length}.");
            }

            if (_options.Matching == ReplayMatching.ByRequestBody)
            {
                for (int i = unused; i < _exchanges.Length; i++)
                {
                    if (!_used[i] && Difference(_exchanges[i], request, body) is null)
                    {
                        _used[i] = true;
                        return _exchanges[i];
                    }
                }

                throw new ReplayMismatchException(
                    $"Request #{number} matches none of the {_used.Count(static used => !used)} unused recorded exchanges in '{Directory}'; " +
                    $"the first of them, {_exchanges[unused].FileName}, differs at {Difference(_exchanges[unused], request, body)}.");
            }

            if (Difference(_exchanges[unused], request, body) is { } difference)
            {
                throw new ReplayMismatchException(
                    $"Request #{number} does not match the recorded {_exchanges[unused].FileName} in '{Directory}': {difference}.");
            }

            _used[unused] = true;
            return _exchanges[unused];
        }
    }

    private static string? Difference(RecordedExchange exchange, HttpRequestMessage request, string body)
    {
        if (!string.Equals(exchange.Method, request.Method.Method, StringComparison.OrdinalIgnoreCase))
        {
            return $"the method: recorded {exchange.Method}, the request is {request.Method}";
        }

        string recordedPath = Uri.TryCreate(exchange.Url, UriKind.Absolute, out Uri? url) ? url.PathAndQuery : exchange.Url;
        string path = request.RequestUri?.PathAndQuery ?? string.Empty;
        if (recordedPath != path)
        {
            return $"the URL: recorded {recordedPath}, the request has {path}";
        }

        return RequestDiff.FirstDifference(exchange.RequestBody, body);
    }

    private HttpResponseMessage CreateResponse(RecordedResponse recorded, HttpRequestMessage request)
    {
        Chunking chunking = _options.Chunking ?? AsRecorded(recorded);
        var body = new ChunkedStream(recorded.Body, chunking, new ChunkedStreamOptions
        {
            TimeProvider = _options.TimeProvider,
            Ending = recorded.Ending == RecordedEnding.End ? StreamEnding.EndOfStream : StreamEnding.Drop,
        })
        {
            ChunkDelays = _options.Timing == ReplayTiming.Recorded ? Delays(recorded, chunking.GetChunkSizes(recorded.Body)) : null,
        };
        var response = new HttpResponseMessage((HttpStatusCode)recorded.Status) { Content = new StreamContent(body), RequestMessage = request };
        foreach ((string name, string value) in recorded.Headers)
        {
            if (!response.Headers.TryAddWithoutValidation(name, value))
            {
                response.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return response;
    }

    private static Chunking AsRecorded(RecordedResponse recorded)
    {
        var cuts = new int[Math.Max(0, recorded.Reads.Count - 1)];
        for (int i = 0, end = 0; i < cuts.Length; i++)
        {
            cuts[i] = end += recorded.Reads[i].Bytes;
        }

        return Chunking.At(cuts);
    }

    /// <summary>Each chunk waits until the recorded arrival of its last byte.</summary>
    private static TimeSpan[] Delays(RecordedResponse recorded, IReadOnlyList<int> chunkSizes)
    {
        var delays = new TimeSpan[chunkSizes.Count];
        double previous = recorded.HeadersMs;
        long chunkEnd = 0, readEnd = 0;
        int read = -1;
        for (int i = 0; i < chunkSizes.Count; i++)
        {
            chunkEnd += chunkSizes[i];
            while (readEnd < chunkEnd)
            {
                readEnd += recorded.Reads[++read].Bytes;
            }

            double due = recorded.Reads[read].Ms;
            delays[i] = TimeSpan.FromMilliseconds(Math.Max(0, due - previous));
            previous = Math.Max(previous, due);
        }

        return delays;
    }

    private Task DelayAsync(double milliseconds, CancellationToken cancellationToken) =>
        milliseconds > 0 ? Task.Delay(TimeSpan.FromMilliseconds(milliseconds), _options.TimeProvider, cancellationToken) : Task.CompletedTask;
}
