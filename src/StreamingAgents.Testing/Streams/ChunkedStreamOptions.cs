namespace StreamingAgents.Testing.Streams;

/// <summary>Timing and faults for a <see cref="ChunkedStream"/>.</summary>
public sealed class ChunkedStreamOptions
{
    /// <summary>Gets or sets an extra delay before the first chunk (time to first byte). Defaults to none.</summary>
    public TimeSpan InitialDelay { get; set; }

    /// <summary>Gets or sets the delay before each chunk is delivered. Defaults to none.</summary>
    public TimeSpan DelayPerChunk { get; set; }

    /// <summary>
    /// Gets or sets the clock that drives <see cref="DelayPerChunk"/> and <see cref="StreamEnding.Stall"/>.
    /// Pass a fake clock to keep tests instant. Defaults to <see cref="TimeProvider.System"/>.
    /// </summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Gets or sets whether each asynchronous read yields before completing, so readers' continuations run
    /// asynchronously as they would on a network stream. Defaults to <see langword="false"/>.
    /// </summary>
    public bool YieldOnEachRead { get; set; }

    /// <summary>
    /// Gets or sets how many bytes of the content to deliver before <see cref="Ending"/> applies; <see langword="null"/>
    /// delivers all of it. With <see cref="StreamEnding.Drop"/> this is a connection dropping after N bytes.
    /// </summary>
    public int? EndAfterBytes { get; set; }

    /// <summary>Gets or sets what happens after the last byte. Defaults to <see cref="StreamEnding.EndOfStream"/>.</summary>
    public StreamEnding Ending { get; set; } = StreamEnding.EndOfStream;
}
