using System.Diagnostics.CodeAnalysis;

namespace StreamingAgents.Events;

/// <summary>
/// A stream of <see cref="StreamEvent"/>s that can hand over its current event, when it is a text delta, as its block
/// index and text: the runner reads text deltas this way, and the stream makes no event object nobody reads.
/// </summary>
internal interface ITextDeltaSource
{
    /// <summary>Gets the current event's block index and text if it is a text delta; otherwise false (read Current).</summary>
    bool TryGetCurrentText(out int blockIndex, [NotNullWhen(true)] out string? text);
}
