using StreamingAgents.Sse;
using StreamingAgents.Testing.Streams;
using StreamingAgents.Tests.TestSupport;

namespace StreamingAgents.Tests.Sse;

public sealed class SseEventReaderConformanceTests
{
    public static TheoryData<string> CaseNames() => [.. SseConformanceCases.All.Keys];

    [Fact]
    public void Cases_CoverTheSpecification_AtLeastFifty()
    {
        Assert.True(SseConformanceCases.All.Count >= 50, $"Only {SseConformanceCases.All.Count} conformance cases.");
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task ReadAllAsync_WholeInput_YieldsExpectedEvents(string name)
    {
        SseConformanceCases.Case testCase = SseConformanceCases.All[name];

        await AssertEventsAsync(testCase, Chunking.Whole, initialBufferSize: null);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task ReadAllAsync_OneByteReads_YieldsExpectedEvents(string name)
    {
        SseConformanceCases.Case testCase = SseConformanceCases.All[name];

        await AssertEventsAsync(testCase, Chunking.OneByte, initialBufferSize: 1);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task ReadAllAsync_SplitAtEveryPosition_YieldsExpectedEvents(string name)
    {
        SseConformanceCases.Case testCase = SseConformanceCases.All[name];

        for (int split = 1; split < testCase.Input.Length; split++)
        {
            await AssertEventsAsync(testCase, Chunking.At(split), initialBufferSize: 1);
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task ReadAllAsync_SplitInsideCharactersAndCrLf_YieldsExpectedEvents(string name)
    {
        SseConformanceCases.Case testCase = SseConformanceCases.All[name];

        await AssertEventsAsync(testCase, Chunking.AtTrickyBoundaries, initialBufferSize: 4);
    }

    private static async Task AssertEventsAsync(SseConformanceCases.Case testCase, Chunking chunking, int? initialBufferSize)
    {
        var pool = new CountingArrayPool();
        var options = new SseReaderOptions { BufferPool = pool };
        if (initialBufferSize is { } size)
        {
            options.InitialBufferSize = size;
        }

        List<ReadEvent> actual = await SseTestReader.ReadEventsAsync(testCase.Input, chunking, options);

        Assert.True(
            testCase.Expected.SequenceEqual(actual),
            $"Case '{testCase.Name}' with {chunking}:\n expected {string.Join(' ', testCase.Expected.AsEnumerable())}\n actual   {string.Join(' ', actual)}");
        Assert.Equal(0, pool.Outstanding);
    }
}
