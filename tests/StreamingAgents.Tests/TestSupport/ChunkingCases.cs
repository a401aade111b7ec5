using StreamingAgents.Testing.Streams;

namespace StreamingAgents.Tests.TestSupport;

/// <summary>The chunkings a runner test repeats under: the whole stream at once, and one byte at a time.</summary>
public static class ChunkingCases
{
    public static TheoryData<string> Names => ["whole", "one-byte"];

    public static Chunking Named(string name) => name == "whole" ? Chunking.Whole : Chunking.OneByte;
}
