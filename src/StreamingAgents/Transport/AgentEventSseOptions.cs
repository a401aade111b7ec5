namespace StreamingAgents.Transport;

/// <summary>How agent events are written as Server-Sent Events.</summary>
public sealed class AgentEventSseOptions
{
    /// <summary>
    /// Gets or sets how long the stream may stay silent before a comment line (<c>: keep-alive</c>) is sent, so proxies
    /// and browsers keep it open while a tool runs or the model thinks. <see cref="Timeout.InfiniteTimeSpan"/> turns it
    /// off. Defaults to 15 s.
    /// </summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Gets or sets the reconnection delay suggested to the browser (<c>retry:</c>, sent with the first event), or
    /// <see langword="null"/> to send none. Defaults to 2 s.
    /// </summary>
    public TimeSpan? ReconnectionInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Gets or sets whether consecutive <see cref="Agents.TextReceived"/> events of one block are merged into one frame
    /// (within <see cref="CoalescingWindow"/> and <see cref="CoalescingMaxLength"/>; the merged event keeps the last
    /// sequence number). Fewer, larger frames for slow clients; off by default, so every delta is its own frame.
    /// </summary>
    public bool CoalesceText { get; set; }

    /// <summary>Gets or sets how long a text delta may wait for more to merge with. Defaults to 50 ms.</summary>
    public TimeSpan CoalescingWindow { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Gets or sets the most characters one merged text frame carries. Defaults to 4096.</summary>
    public int CoalescingMaxLength { get; set; } = 4096;

    /// <summary>Gets or sets the clock for keep-alives and coalescing; tests use a fake one. Defaults to the system clock.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal void Validate()
    {
        if (KeepAliveInterval <= TimeSpan.Zero && KeepAliveInterval != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(KeepAliveInterval), KeepAliveInterval, "AgentEventSseOptions.KeepAliveInterval must be positive, or Timeout.InfiniteTimeSpan.");
        }

        if (ReconnectionInterval < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ReconnectionInterval), ReconnectionInterval, "AgentEventSseOptions.ReconnectionInterval must not be negative.");
        }

        if (CoalescingWindow < TimeSpan.Zero || CoalescingMaxLength < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(CoalescingWindow), "AgentEventSseOptions.CoalescingWindow must not be negative and CoalescingMaxLength must be at least 1.");
        }

        ArgumentNullException.ThrowIfNull(TimeProvider);
    }
}
