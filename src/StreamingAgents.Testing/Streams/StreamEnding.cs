namespace StreamingAgents.Testing.Streams;

/// <summary>What a <see cref="ChunkedStream"/> does once its content has been read.</summary>
public enum StreamEnding
{
    /// <summary>Reads return 0: the end of the stream, as when a server closes the connection cleanly.</summary>
    EndOfStream,

    /// <summary>The next read throws <see cref="IOException"/>, as when the connection drops.</summary>
    Drop,

    /// <summary>The next read waits, with no more bytes, until it is cancelled or the stream is disposed.</summary>
    Stall,
}
