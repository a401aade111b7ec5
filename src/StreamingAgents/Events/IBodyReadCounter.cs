namespace StreamingAgents.Events;

/// <summary>
/// A stream of <see cref="StreamEvent"/>s that counts the reads of its response body that brought bytes: events read
/// while the count stays the same were already buffered, so they arrived together. The runner gives such events one
/// stamp.
/// </summary>
internal interface IBodyReadCounter
{
    /// <summary>Gets how many reads of the response body have brought bytes so far, or -1 while there is no body.</summary>
    long BodyReads { get; }
}
