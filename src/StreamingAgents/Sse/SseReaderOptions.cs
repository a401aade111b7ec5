using System.Buffers;

namespace StreamingAgents.Sse;

/// <summary>Limits and tuning for <see cref="SseEventReader"/>.</summary>
public sealed class SseReaderOptions
{
    /// <summary>The default for <see cref="MaxEventSize"/>: 16 MiB.</summary>
    public const int DefaultMaxEventSize = 16 * 1024 * 1024;

    internal const int DefaultInitialBufferSize = 16 * 1024;

    internal static SseReaderOptions Default { get; } = new();

    /// <summary>
    /// Gets or sets the most bytes the reader holds for one event: its data so far plus the line being read.
    /// A stream that exceeds it (for example endless bytes with no line break) fails with
    /// <see cref="InvalidDataException"/> naming the limit and the stream offset. Defaults to <see cref="DefaultMaxEventSize"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public int MaxEventSize
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            field = value;
        }
    } = DefaultMaxEventSize;

    /// <summary>The size of the first rented buffer; tests make it tiny to exercise growth.</summary>
    internal int InitialBufferSize
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            field = value;
        }
    } = DefaultInitialBufferSize;

    /// <summary>The pool buffers are rented from; tests substitute a counting pool.</summary>
    internal ArrayPool<byte> BufferPool { get; set; } = ArrayPool<byte>.Shared;
}
