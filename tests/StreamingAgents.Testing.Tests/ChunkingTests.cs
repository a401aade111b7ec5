using System.Text;
using StreamingAgents.Testing.Streams;

namespace StreamingAgents.Testing.Tests;

public sealed class ChunkingTests
{
    private static readonly byte[] s_sse = Encoding.UTF8.GetBytes("event: a\r\ndata: é😀\r\n\r\nevent: b\r\ndata: x\r\n\r\n");

    [Fact]
    public void Fixed_SplitsIntoEqualReads()
    {
        Assert.Equal([7, 7, 7, 7, 7, 4], Chunking.Fixed(7).GetChunkSizes(new byte[39]));
    }

    [Fact]
    public void OneByte_SplitsEveryByte()
    {
        Assert.All(Chunking.OneByte.GetChunkSizes(s_sse), size => Assert.Equal(1, size));
    }

    [Fact]
    public void Random_IsRepeatablePerSeedAndCoversTheContent()
    {
        IReadOnlyList<int> first = Chunking.Random(7, 5).GetChunkSizes(s_sse);

        Assert.Equal(first, Chunking.Random(7, 5).GetChunkSizes(s_sse));
        Assert.NotEqual(first, Chunking.Random(8, 5).GetChunkSizes(s_sse));
        Assert.Equal(s_sse.Length, first.Sum());
        Assert.All(first, size => Assert.InRange(size, 1, 5));
    }

    [Fact]
    public void AtTrickyBoundaries_CutsInsideCharactersAndBetweenCrAndLf()
    {
        List<int> cuts = CutsOf(Chunking.AtTrickyBoundaries);

        Assert.Contains(s_sse.AsSpan().IndexOf("\r\n"u8) + 1, cuts);
        int e = s_sse.AsSpan().IndexOf("é"u8);
        Assert.Contains(e + 1, cuts);
        int emoji = s_sse.AsSpan().IndexOf("😀"u8);
        Assert.Contains(emoji + 1, cuts);
    }

    [Fact]
    public void PerEvent_CutsAfterEachBlankLine()
    {
        List<int> cuts = CutsOf(Chunking.PerEvent);

        Assert.Equal([s_sse.AsSpan().IndexOf("event: b"u8)], cuts);
    }

    [Fact]
    public void At_RejectsPointsOutsideTheContent()
    {
        Assert.Equal([3, 2, 5], Chunking.At(5, 3).GetChunkSizes(new byte[10]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Chunking.At(10).GetChunkSizes(new byte[10]));
    }

    private static List<int> CutsOf(Chunking chunking)
    {
        var cuts = new List<int>();
        int position = 0;
        foreach (int size in chunking.GetChunkSizes(s_sse).SkipLast(1))
        {
            position += size;
            cuts.Add(position);
        }

        return cuts;
    }
}
