using System.Text;
using StreamingAgents.Testing.Streams;

namespace StreamingAgents.Testing.Transcripts;

/// <summary>The bytes of one Messages API streaming response, ready to replay.</summary>
public sealed class Transcript
{
    private readonly byte[] _bytes;

    private Transcript(byte[] bytes) => _bytes = bytes;

    /// <summary>Gets the SSE bytes.</summary>
    public ReadOnlyMemory<byte> Bytes => _bytes;

    /// <summary>Gets the SSE text.</summary>
    public string Text => Encoding.UTF8.GetString(_bytes);

    /// <summary>Wraps raw SSE text, for example recorded from the real API.</summary>
    /// <param name="sse">The <c>text/event-stream</c> body.</param>
    /// <returns>The transcript.</returns>
    public static Transcript FromSse(string sse)
    {
        ArgumentNullException.ThrowIfNull(sse);
        return new(Encoding.UTF8.GetBytes(sse));
    }

    /// <summary>Wraps raw SSE bytes.</summary>
    /// <param name="sse">The <c>text/event-stream</c> body.</param>
    /// <returns>The transcript.</returns>
    public static Transcript FromBytes(ReadOnlySpan<byte> sse) => new(sse.ToArray());

    /// <summary>Reads a recorded <c>.sse</c> file.</summary>
    /// <param name="path">The file's path.</param>
    /// <returns>The transcript.</returns>
    public static Transcript FromFile(string path) => new(File.ReadAllBytes(path));

    /// <summary>Creates a stream that delivers the transcript as <paramref name="chunking"/> says.</summary>
    /// <param name="chunking">How to split reads; <see langword="null"/> means one read.</param>
    /// <param name="options">Delays and faults.</param>
    /// <returns>A new stream.</returns>
    public ChunkedStream ToStream(Chunking? chunking = null, ChunkedStreamOptions? options = null) => new(_bytes, chunking, options);

    /// <inheritdoc/>
    public override string ToString() => Text;
}
