using StreamingAgents.Testing.Streams;

namespace StreamingAgents.Testing.Recording;

/// <summary>How a <see cref="ReplayHandler"/> serves a recording.</summary>
public sealed class ReplayOptions
{
    /// <summary>Gets or sets how requests find their exchange. Defaults to <see cref="ReplayMatching.InOrder"/>.</summary>
    public ReplayMatching Matching { get; set; } = ReplayMatching.InOrder;

    /// <summary>
    /// Gets or sets whether bodies arrive with their recorded timing or at once. Defaults to
    /// <see cref="ReplayTiming.Instant"/>.
    /// </summary>
    public ReplayTiming Timing { get; set; } = ReplayTiming.Instant;

    /// <summary>
    /// Gets or sets how each body is split into reads; <see langword="null"/> (the default) replays the recorded
    /// reads. With <see cref="ReplayTiming.Recorded"/>, a read is delivered when its last byte arrived in the recording.
    /// </summary>
    public Chunking? Chunking { get; set; }

    /// <summary>Gets or sets the clock that drives <see cref="ReplayTiming.Recorded"/>; pass a fake one to keep tests instant.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}

/// <summary>How a <see cref="ReplayHandler"/> pairs requests with recorded exchanges.</summary>
public enum ReplayMatching
{
    /// <summary>The n-th request gets the n-th exchange, whose request must equal it.</summary>
    InOrder,

    /// <summary>
    /// Each request gets the first unused exchange whose request body equals it (as JSON: property order and
    /// whitespace aside), so concurrent runs replay in whatever order they ask.
    /// </summary>
    ByRequestBody,
}

/// <summary>When a <see cref="ReplayHandler"/> delivers bodies.</summary>
public enum ReplayTiming
{
    /// <summary>As fast as the reader reads.</summary>
    Instant,

    /// <summary>With the recorded time to headers and the recorded arrival time of each byte.</summary>
    Recorded,
}
