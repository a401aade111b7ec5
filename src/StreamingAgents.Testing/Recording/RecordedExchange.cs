namespace StreamingAgents.Testing.Recording;

/// <summary>One request and what came back, as a <see cref="RecordingHandler"/> saw it (secrets already masked).</summary>
internal sealed class RecordedExchange
{
    public required string FileName { get; init; }

    public required string Method { get; init; }

    public required string Url { get; init; }

    public required IReadOnlyList<KeyValuePair<string, string>> RequestHeaders { get; init; }

    /// <summary>The request body's text; JSON for every Messages API request.</summary>
    public required string RequestBody { get; init; }

    /// <summary>The response, or <see langword="null"/> when the request failed before one arrived.</summary>
    public RecordedResponse? Response { get; init; }

    /// <summary>Why no response arrived, when <see cref="Response"/> is <see langword="null"/>.</summary>
    public RecordedFailure? Failure { get; init; }
}

/// <summary>A response: status, headers, and the body's bytes with the time each read returned them.</summary>
internal sealed class RecordedResponse
{
    public required int Status { get; init; }

    /// <summary>Milliseconds from sending the request to the headers.</summary>
    public required double HeadersMs { get; init; }

    public required IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; }

    public required byte[] Body { get; init; }

    /// <summary>The reads that delivered <see cref="Body"/>, in order; their sizes add up to its length.</summary>
    public required IReadOnlyList<RecordedRead> Reads { get; init; }

    public required RecordedEnding Ending { get; init; }

    /// <summary>The error the body ended with, for <see cref="RecordedEnding.Dropped"/>.</summary>
    public string? EndingMessage { get; init; }
}

/// <summary>One read of the body: <paramref name="Bytes"/> bytes, <paramref name="Ms"/> milliseconds after the request was sent.</summary>
internal readonly record struct RecordedRead(double Ms, int Bytes);

/// <summary>How a recorded body ended.</summary>
internal enum RecordedEnding
{
    /// <summary>The server finished it.</summary>
    End,

    /// <summary>Reading failed (a dropped connection).</summary>
    Dropped,

    /// <summary>
    /// The reader closed the body before seeing its end: the client does so after <c>message_stop</c>, and on
    /// cancellation. What would have come after is unknown, so a replay that reads further fails.
    /// </summary>
    Closed,
}

/// <summary>A request that failed without a response: the exception's type name and message.</summary>
internal sealed record RecordedFailure(string Type, string Message, double Ms);
