namespace StreamingAgents.Testing.Recording;

/// <summary>
/// Records every exchange that passes through it into a folder, one <c>NNNN.exchange.json</c> file per request, for
/// a <see cref="ReplayHandler"/> to serve back: the request (URL, public headers, JSON body), the response's status
/// and headers, and its body's bytes exactly as received with the time each read returned them. Secrets are masked:
/// the values of every request header not known to be public (the API key among them) never reach a file, also where
/// a server echoes them.
/// </summary>
/// <remarks>
/// <para>The caller reads the same bytes at the same times as without it; a file is written when its body ends (read
/// to the end, failed, or disposed early, which is recorded as such). The first request of a handler removes the
/// folder's earlier <c>*.exchange.json</c> files, so recording again replaces a recording rather than mixing two.</para>
/// <para>Put it in front of the real handler: <c>new RecordingHandler(folder, new SocketsHttpHandler())</c>, or with
/// dependency injection <c>AddHttpMessageHandler(() =&gt; new RecordingHandler(folder))</c>.</para>
/// </remarks>
public sealed class RecordingHandler : DelegatingHandler
{
    private readonly TimeProvider _time;
    private readonly Lock _prepare = new();
    private bool _prepared;
    private int _requestCount;
    private int _recordedCount;

    /// <summary>Initializes a handler whose inner handler is set later (as <c>AddHttpMessageHandler</c> does).</summary>
    /// <param name="directory">The folder to record into; created when missing.</param>
    /// <param name="timeProvider">The clock that times the reads; defaults to <see cref="TimeProvider.System"/>.</param>
    public RecordingHandler(string directory, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = Path.GetFullPath(directory);
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Initializes a handler in front of <paramref name="innerHandler"/>.</summary>
    /// <param name="directory">The folder to record into; created when missing.</param>
    /// <param name="innerHandler">The handler that talks to the real API, for example a <see cref="SocketsHttpHandler"/>.</param>
    /// <param name="timeProvider">The clock that times the reads; defaults to <see cref="TimeProvider.System"/>.</param>
    public RecordingHandler(string directory, HttpMessageHandler innerHandler, TimeProvider? timeProvider = null)
        : this(directory, timeProvider)
    {
        ArgumentNullException.ThrowIfNull(innerHandler);
        InnerHandler = innerHandler;
    }

    /// <summary>Gets the full path of the folder the exchanges are written to.</summary>
    public string Directory { get; }

    /// <summary>Gets how many exchange files have been written so far.</summary>
    public int RecordedCount => Volatile.Read(ref _recordedCount);

    /// <inheritdoc/>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        Prepare();
        string fileName = ExchangeFile.NameFor(Interlocked.Increment(ref _requestCount));
        var mask = new SecretMask(request);
        string body = string.Empty;
        if (request.Content is { } requestContent)
        {
            await requestContent.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false); // so the inner handler can still send it
            body = await requestContent.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }

        long started = _time.GetTimestamp();
        double ElapsedMs() => _time.GetElapsedTime(started).TotalMilliseconds;
        RecordedExchange Exchange(RecordedResponse? response, RecordedFailure? failure) => new()
        {
            FileName = fileName,
            Method = request.Method.Method,
            Url = mask.Mask(request.RequestUri?.ToString() ?? string.Empty),
            RequestHeaders = RequestHeaders(request),
            RequestBody = mask.Mask(body),
            Response = response,
            Failure = failure,
        };

        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            Save(Exchange(null, new RecordedFailure(exception.GetType().Name, mask.Mask(exception.Message), ElapsedMs())));
            throw;
        }

        double headersMs = ElapsedMs();
        HttpContent original = response.Content;
        Stream inner = await original.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        List<KeyValuePair<string, string>> headers = ResponseHeaders(response, mask);
        var recording = new RecordingStream(inner, original, ElapsedMs, (bytes, reads, ending, message) =>
        {
            mask.MaskInPlace(bytes);
            Save(Exchange(new RecordedResponse
            {
                Status = (int)response.StatusCode,
                HeadersMs = headersMs,
                Headers = headers,
                Body = bytes,
                Reads = reads,
                Ending = ending,
                EndingMessage = message is null ? null : mask.Mask(message),
            }, null));
        });
        var content = new StreamContent(recording);
        foreach ((string name, IEnumerable<string> values) in original.Headers)
        {
            content.Headers.TryAddWithoutValidation(name, values);
        }

        response.Content = content;
        return response;
    }

    private static List<KeyValuePair<string, string>> RequestHeaders(HttpRequestMessage request)
    {
        IEnumerable<KeyValuePair<string, IEnumerable<string>>> headers = request.Headers;
        if (request.Content is { } content)
        {
            headers = headers.Concat(content.Headers);
        }

        return [.. headers.Select(static header => new KeyValuePair<string, string>(
            header.Key, SecretMask.IsPublic(header.Key) ? string.Join(", ", header.Value) : SecretMask.Redacted))];
    }

    private static List<KeyValuePair<string, string>> ResponseHeaders(HttpResponseMessage response, SecretMask mask)
    {
        IEnumerable<KeyValuePair<string, IEnumerable<string>>> headers = response.Headers.Concat(response.Content.Headers);
        return [.. headers
            .Where(static header => !header.Key.Equals("Set-Cookie", StringComparison.OrdinalIgnoreCase))
            .Select(header => new KeyValuePair<string, string>(header.Key, mask.Mask(string.Join(", ", header.Value))))];
    }

    /// <summary>Creates the folder and removes an earlier recording's files, once per handler.</summary>
    private void Prepare()
    {
        lock (_prepare)
        {
            if (_prepared)
            {
                return;
            }

            System.IO.Directory.CreateDirectory(Directory);
            foreach (string stale in System.IO.Directory.EnumerateFiles(Directory, "*" + ExchangeFile.Extension))
            {
                File.Delete(stale);
            }

            _prepared = true;
        }
    }

    private void Save(RecordedExchange exchange)
    {
        File.WriteAllBytes(Path.Combine(Directory, exchange.FileName), ExchangeFile.Write(exchange));
        Interlocked.Increment(ref _recordedCount);
    }
}
