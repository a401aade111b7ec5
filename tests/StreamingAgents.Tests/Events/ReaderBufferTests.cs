using System.Text;
using StreamingAgents.Events;
using StreamingAgents.Http;
using StreamingAgents.Messages;
using StreamingAgents.Sse;
using StreamingAgents.Testing.Transcripts;
using StreamingAgents.Tests.TestSupport;

namespace StreamingAgents.Tests.Events;

/// <summary>
/// The typed readers (<see cref="StreamEventReader"/> and the client's stream) give the SSE reader's pooled buffer back
/// whether the consumer reads to the end, stops early, or the stream breaks off. (The buffer is rented at the first
/// read; tiny first buffers make the reader grow and return a few on the way.)
/// </summary>
public sealed class ReaderBufferTests
{
    private static readonly byte[] s_answer = Encoding.UTF8.GetBytes(new TranscriptBuilder().Text("One two three four five six.").Stop(StopReason.EndTurn).ToString());

    public static TheoryData<int?> Stops => new() { null, 1, 3 };

    [Theory]
    [MemberData(nameof(Stops))]
    public async Task StreamEventReader_ReadWholeOrStoppedEarly_ReturnsEveryBuffer(int? stopAfter)
    {
        var pool = new CountingArrayPool();
        using var stream = new MemoryStream(s_answer);

        int read = await CountAsync(StreamEventReader.ReadAllAsync(stream, Options(pool), CancellationToken.None), stopAfter);

        Assert.True(read > 0 && pool.RentCount > 0);
        Assert.Equal(0, pool.Outstanding);
    }

    [Fact]
    public async Task StreamEventReader_StreamEndsEarly_ThrowsAndReturnsEveryBuffer()
    {
        var pool = new CountingArrayPool();
        using var stream = new MemoryStream(s_answer[..(s_answer.Length / 2)]);

        await Assert.ThrowsAsync<StreamTruncatedException>(() => CountAsync(StreamEventReader.ReadAllAsync(stream, Options(pool), CancellationToken.None), stopAfter: null));

        Assert.True(pool.RentCount > 0);
        Assert.Equal(0, pool.Outstanding);
    }

    [Theory]
    [MemberData(nameof(Stops))]
    public async Task ClientStream_ReadWholeOrStoppedEarly_ReturnsEveryBuffer(int? stopAfter)
    {
        var pool = new CountingArrayPool();
        AnthropicClient client = CreateClient(s_answer, pool);

        int read = await CountAsync(client.StreamAsync(ClientFactory.Hello), stopAfter);

        Assert.True(read > 0 && pool.RentCount > 0);
        Assert.Equal(0, pool.Outstanding);
    }

    [Fact]
    public async Task ClientStream_StreamEndsEarly_ThrowsAndReturnsEveryBuffer()
    {
        var pool = new CountingArrayPool();
        AnthropicClient client = CreateClient(s_answer[..(s_answer.Length / 2)], pool);

        await Assert.ThrowsAsync<StreamTruncatedException>(() => CountAsync(client.StreamAsync(ClientFactory.Hello), stopAfter: null));

        Assert.True(pool.RentCount > 0);
        Assert.Equal(0, pool.Outstanding);
    }

    private static SseReaderOptions Options(CountingArrayPool pool) => new() { BufferPool = pool, InitialBufferSize = 16 };

    private static AnthropicClient CreateClient(byte[] body, CountingArrayPool pool) =>
        new(new HttpClient(new InMemoryAnswerHandler(body)), new AnthropicClientOptions { ApiKey = ClientFactory.ApiKey, BaseUrl = new Uri("https://api.test.invalid") })
        {
            SseOptions = Options(pool),
        };

    private static async Task<int> CountAsync(IAsyncEnumerable<StreamEvent> events, int? stopAfter)
    {
        int count = 0;
        await foreach (StreamEvent _ in events)
        {
            if (++count == stopAfter)
            {
                break;
            }
        }

        return count;
    }
}
