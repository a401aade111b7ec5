using System.Text;
using StreamingAgents.Agents;
using StreamingAgents.Events;
using StreamingAgents.Http;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Transcripts;
using StreamingAgents.Tests.TestSupport;
using StreamingAgents.Tools;

namespace StreamingAgents.Tests.Agents;

/// <summary>
/// What a text delta costs in allocations (deterministic, unlike times, which live in the benchmarks). The budget was
/// one event object more than the client (≤ 64 B); the runner does better: its <see cref="TextReceived"/> replaces the
/// client's event object, so per delta it allocates what the client does give or take the two objects' difference
/// (16 B). That needs the answer kept in a pooled buffer (a StringBuilder adds ~50 B a delta) and the client's event
/// object never made (32 B); the bound, 24 B, catches either.
/// </summary>
public sealed class TextDeltaCostTests
{
    private const int Deltas = 2_000;

    private static readonly byte[] s_answer = Encoding.UTF8.GetBytes(new TranscriptBuilder()
        .MessageStart()
        .TextTokens([.. Enumerable.Range(0, Deltas).Select(static i => $"token {i,4} of the answer" + (i % 2 == 0 ? "\n" : " "))]) // half escaped
        .Stop(StopReason.EndTurn, outputTokens: Deltas)
        .ToString());

    [Fact]
    public void Runner_AllocatesPerTextDeltaWhatTheClientDoes_ItsEventInsteadOfTheClients()
    {
        AnthropicClient client = CreateClient();
        var runner = new AgentRunner(client, new ToolRegistry());
        MessageRequest request = ClientFactory.Hello;

        // Twice each, all on this thread: the second run finds the pool's buffers (kept per thread) and every code path
        // already used.
        PerDelta(client.StreamAsync(request), static e => e is ContentBlockDeltaEvent);
        double clientBytes = PerDelta(client.StreamAsync(request), static e => e is ContentBlockDeltaEvent);
        PerDelta(runner.RunAsync(request), static e => e is TextReceived);
        double runnerBytes = PerDelta(runner.RunAsync(request), static e => e is TextReceived);

        Assert.True(clientBytes > 72, $"the client allocated {clientBytes:F1} B per delta: less than its text, so nothing was measured");
        Assert.True(runnerBytes - clientBytes <= 24, $"the runner allocated {runnerBytes:F1} B per text delta, the client {clientBytes:F1} B");
    }

    [Fact]
    public async Task ClientStream_HandsOverTextWithoutTheEventObject_UntilCurrentIsRead()
    {
        await using IAsyncEnumerator<StreamEvent> events = CreateClient().StreamAsync(ClientFactory.Hello).GetAsyncEnumerator();
        var texts = Assert.IsAssignableFrom<ITextDeltaSource>(events);
        Assert.True(await events.MoveNextAsync()); // message_start
        Assert.False(texts.TryGetCurrentText(out _, out _));
        Assert.True(await events.MoveNextAsync()); // content_block_start
        Assert.True(await events.MoveNextAsync()); // the first text delta

        Assert.True(texts.TryGetCurrentText(out int index, out string? text));
        Assert.Equal((0, "token    0 of the answer\n"), (index, text));
        Assert.Equal(new ContentBlockDeltaEvent { Index = 0, Delta = new TextDelta { Text = text } }, events.Current);
        Assert.Same(events.Current, events.Current);
        Assert.False(texts.TryGetCurrentText(out _, out _)); // made now: readers of either kind see one event
    }

    [Fact]
    public async Task ToMessageAsync_OverTheClientsStream_MakesNoEventObjectPerTextDelta()
    {
        AnthropicClient client = CreateClient();
        MessageRequest request = ClientFactory.Hello;

        // The text itself is the least a delta costs: the client's stream read without looking at its events.
        var bare = new AllocationProbe(client.StreamAsync(request));
        await bare.DrainAsync();
        await bare.DrainAsync();
        var folded = new AllocationProbe(client.StreamAsync(request));
        await folded.ToMessageAsync();
        Message message = await folded.ToMessageAsync(); // the pool's buffers are warm now

        Assert.Equal(Deltas, message.GetText().Split(" of the answer").Length - 1);
        Assert.True(bare.BytesPerStep > 72, $"{bare.BytesPerStep:F1} B per delta: less than its text, so nothing was measured");
        Assert.True(folded.BytesPerStep - bare.BytesPerStep <= 16, $"ToMessageAsync allocated {folded.BytesPerStep:F1} B per text delta, the text alone {bare.BytesPerStep:F1} B");
    }

    private static AnthropicClient CreateClient() => ClientFactory.Create(new InMemoryAnswerHandler(s_answer));

    /// <summary>
    /// Bytes allocated on this thread from the first matching item to the last, per item in between. The body is in
    /// memory, so every step there completes synchronously (asserted: otherwise nothing would be measured); the steps
    /// are driven from this thread, blocking on any that does not, so the whole run stays on it.
    /// </summary>
    private static double PerDelta<T>(IAsyncEnumerable<T> items, Func<T, bool> isDelta)
    {
        IAsyncEnumerator<T> enumerator = items.GetAsyncEnumerator();
        long first = 0;
        long last = 0;
        int seen = 0;
        try
        {
            while (true)
            {
                ValueTask<bool> move = enumerator.MoveNextAsync();
                Assert.True(seen is 0 or Deltas || move.IsCompleted, "a step between two text deltas went asynchronous");
                if (!(move.IsCompleted ? move.Result : move.AsTask().GetAwaiter().GetResult()))
                {
                    break;
                }

                if (isDelta(enumerator.Current))
                {
                    last = GC.GetAllocatedBytesForCurrentThread();
                    first = seen++ == 0 ? last : first;
                }
            }
        }
        finally
        {
            enumerator.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        Assert.Equal(Deltas, seen);
        return (last - first) / (double)(Deltas - 1);
    }

    /// <summary>
    /// Wraps a client stream (keeping its text hand-over) and measures the bytes this thread allocated per step across
    /// the middle of the answer, where every step is a text delta and completes synchronously.
    /// </summary>
    private sealed class AllocationProbe(IAsyncEnumerable<StreamEvent> inner) : IAsyncEnumerable<StreamEvent>
    {
        private const int From = 100;
        private const int To = Deltas - 100;

        public double BytesPerStep { get; private set; }

        public IAsyncEnumerator<StreamEvent> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
            new Enumerator(this, inner.GetAsyncEnumerator(cancellationToken));

        public async Task DrainAsync()
        {
            await using IAsyncEnumerator<StreamEvent> events = GetAsyncEnumerator();
            while (await events.MoveNextAsync())
            {
                // Current is never read: the text stays a string the stream made, with no event around it.
            }
        }

        private sealed class Enumerator(AllocationProbe probe, IAsyncEnumerator<StreamEvent> inner) : IAsyncEnumerator<StreamEvent>, ITextDeltaSource
        {
            private int _steps;
            private long _fromBytes;
            private int _fromThread;

            public StreamEvent Current => inner.Current;

            public bool TryGetCurrentText(out int blockIndex, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? text) =>
                ((ITextDeltaSource)inner).TryGetCurrentText(out blockIndex, out text);

            public ValueTask<bool> MoveNextAsync()
            {
                _steps++;
                if (_steps == From)
                {
                    (_fromBytes, _fromThread) = (GC.GetAllocatedBytesForCurrentThread(), Environment.CurrentManagedThreadId);
                }
                else if (_steps == To)
                {
                    Assert.Equal(_fromThread, Environment.CurrentManagedThreadId); // synchronous all along: one thread's count
                    probe.BytesPerStep = (GC.GetAllocatedBytesForCurrentThread() - _fromBytes) / (double)(To - From);
                }

                ValueTask<bool> move = inner.MoveNextAsync();
                Assert.True(_steps is < From or > To || move.IsCompleted, "a step in the middle of the answer went asynchronous");
                return move;
            }

            public ValueTask DisposeAsync() => inner.DisposeAsync();
        }
    }
}
