namespace StreamingAgents.Testing.Streams;

/// <summary>
/// Describes how a <see cref="ChunkedStream"/> splits its content into reads: whole, fixed-size chunks, one byte at
/// a time, seeded random sizes, explicit split points, or splits placed where parsers most often go wrong.
/// </summary>
public sealed class Chunking
{
    private readonly Func<ReadOnlyMemory<byte>, IReadOnlyList<int>> _split;

    private Chunking(string name, Func<ReadOnlyMemory<byte>, IReadOnlyList<int>> split)
    {
        Name = name;
        _split = split;
    }

    /// <summary>Gets a short description of the chunking, used in test names and messages.</summary>
    public string Name { get; }

    /// <summary>Gets a chunking that delivers the content in a single read (bounded only by the reader's buffer).</summary>
    public static Chunking Whole { get; } = new("whole", static content => content.Length == 0 ? [] : [content.Length]);

    /// <summary>Gets a chunking that delivers one byte per read.</summary>
    public static Chunking OneByte { get; } = Fixed(1);

    /// <summary>
    /// Gets a chunking that ends a read inside every multi-byte UTF-8 character (after its first byte) and between
    /// every CR and the LF after it: the two places where text parsers most often corrupt or mis-split data.
    /// </summary>
    public static Chunking AtTrickyBoundaries { get; } = new("tricky-boundaries", static content =>
    {
        ReadOnlySpan<byte> bytes = content.Span;
        var cuts = new List<int>();
        for (int i = 1; i < bytes.Length; i++)
        {
            bool insideCharacter = (bytes[i] & 0xC0) == 0x80 && (bytes[i - 1] & 0xC0) == 0xC0;
            bool betweenCrAndLf = bytes[i - 1] == (byte)'\r' && bytes[i] == (byte)'\n';
            if (insideCharacter || betweenCrAndLf)
            {
                cuts.Add(i);
            }
        }

        return SizesFromCuts(cuts, bytes.Length);
    });

    /// <summary>
    /// Gets a chunking that delivers one Server-Sent Event per read (each read ends after a blank line), so a
    /// per-chunk delay becomes a per-event delay: realistic token timing.
    /// </summary>
    public static Chunking PerEvent { get; } = new("per-event", static content =>
    {
        ReadOnlySpan<byte> bytes = content.Span;
        var cuts = new List<int>();
        for (int i = 1; i < bytes.Length; i++)
        {
            bool blankLine = (bytes[i] == (byte)'\n' && (bytes[i - 1] == (byte)'\n' || (i >= 3 && bytes[i - 1] == (byte)'\r' && bytes[i - 2] == (byte)'\n')))
                || (bytes[i] == (byte)'\r' && bytes[i - 1] == (byte)'\r' && (i + 1 == bytes.Length || bytes[i + 1] != (byte)'\n'));
            if (blankLine && i + 1 < bytes.Length)
            {
                cuts.Add(i + 1);
            }
        }

        return SizesFromCuts(cuts, bytes.Length);
    });

    /// <summary>Creates a chunking that delivers reads of <paramref name="size"/> bytes (the last may be shorter).</summary>
    /// <param name="size">The chunk size in bytes.</param>
    /// <returns>The chunking.</returns>
    public static Chunking Fixed(int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        return new($"fixed-{size}", content =>
        {
            var sizes = new List<int>();
            for (int offset = 0; offset < content.Length; offset += size)
            {
                sizes.Add(Math.Min(size, content.Length - offset));
            }

            return sizes;
        });
    }

    /// <summary>Creates a chunking with random read sizes from 1 to <paramref name="maxChunkSize"/>, repeatable per seed.</summary>
    /// <param name="seed">The random seed; the same seed gives the same chunks.</param>
    /// <param name="maxChunkSize">The largest chunk, in bytes.</param>
    /// <returns>The chunking.</returns>
    public static Chunking Random(int seed, int maxChunkSize = 64)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxChunkSize);
        return new($"random-{seed}-max{maxChunkSize}", content =>
        {
            var random = new Random(seed);
            var sizes = new List<int>();
            for (int offset = 0; offset < content.Length;)
            {
                int size = Math.Min(random.Next(1, maxChunkSize + 1), content.Length - offset);
                sizes.Add(size);
                offset += size;
            }

            return sizes;
        });
    }

    /// <summary>Creates a chunking that ends a read at each of the given byte offsets.</summary>
    /// <param name="splitPoints">Offsets strictly inside the content, in any order.</param>
    /// <returns>The chunking.</returns>
    public static Chunking At(params int[] splitPoints)
    {
        ArgumentNullException.ThrowIfNull(splitPoints);
        int[] cuts = [.. splitPoints.Order()];
        return new($"at-{string.Join('-', cuts)}", content =>
        {
            if (cuts.Any(cut => cut <= 0 || cut >= content.Length))
            {
                throw new ArgumentOutOfRangeException(nameof(splitPoints), $"Split points must lie strictly inside the content (1..{content.Length - 1}).");
            }

            return SizesFromCuts(cuts, content.Length);
        });
    }

    /// <summary>Computes the read sizes this chunking gives <paramref name="content"/>.</summary>
    /// <param name="content">The bytes to split.</param>
    /// <returns>The sizes of successive reads; they add up to the content's length.</returns>
    public IReadOnlyList<int> GetChunkSizes(ReadOnlyMemory<byte> content) => _split(content);

    /// <inheritdoc/>
    public override string ToString() => Name;

    private static List<int> SizesFromCuts(IEnumerable<int> cuts, int length)
    {
        var sizes = new List<int>();
        int previous = 0;
        foreach (int cut in cuts.Distinct())
        {
            sizes.Add(cut - previous);
            previous = cut;
        }

        if (length > previous)
        {
            sizes.Add(length - previous);
        }

        return sizes;
    }
}
