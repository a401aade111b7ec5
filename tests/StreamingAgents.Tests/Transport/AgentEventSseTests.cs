using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using StreamingAgents.Agents;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Transcripts;
using StreamingAgents.Tests.Agents;
using StreamingAgents.Tests.TestSupport;
using StreamingAgents.Transport;

namespace StreamingAgents.Tests.Transport;

public sealed class AgentEventSseTests
{
    private static readonly DateTimeOffset s_start = new(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task WriteAsSseAsync_Events_AreByteExactFramesEachFlushed()
    {
        var output = new RecordingStream();

        await Events(Text(1, "Hi"), new Heartbeat { Sequence = 2, Turn = 1, Timestamp = s_start }).WriteAsSseAsync(output, new AgentEventSseOptions { KeepAliveInterval = Timeout.InfiniteTimeSpan });

        Assert.Equal(
            "event: text\ndata: {\"type\":\"text\",\"seq\":1,\"turn\":1,\"timestamp\":\"2026-12-03T10:00:00.0000000Z\",\"text\":\"Hi\",\"block_index\":0}\nid: 1\nretry: 2000\n\n" +
            "event: heartbeat\ndata: {\"type\":\"heartbeat\",\"seq\":2,\"turn\":1,\"timestamp\":\"2026-12-03T10:00:00.0000000Z\"}\nid: 2\n\n",
            output.Text);
        Assert.Equal(2, output.Flushes);
    }

    [Fact]
    public async Task WriteAsSseAsync_WhatSseParserReads_IsTheEventsBack()
    {
        AgentEvent[] sent = [Text(1, "line one\nline two"), Text(2, "emoji 😀"), new Heartbeat { Sequence = 3, Turn = 1, Timestamp = s_start }];
        var output = new RecordingStream();

        await Events(sent).WriteAsSseAsync(output);

        output.Position = 0;
        List<SseItem<string>> items = [.. SseParser.Create(output).Enumerate()];
        Assert.Equal(sent.Select(e => (e.EventType, e.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture))), items.Select(i => (i.EventType, i.EventId!)));
        Assert.Equal(
            sent.Select(e => JsonSerializer.Serialize(e, AgentJsonContext.Default.AgentEvent)),
            items.Select(i => JsonSerializer.Serialize(JsonSerializer.Deserialize(i.Data, AgentJsonContext.Default.AgentEvent)!, AgentJsonContext.Default.AgentEvent)));
        Assert.Equal(TimeSpan.FromSeconds(2), items[0].ReconnectionInterval);
    }

    [Fact]
    public async Task WriteAsSseAsync_SilenceDuringALongTool_SendsKeepAliveComments()
    {
        var time = new FakeTimeProvider(s_start);
        var toolDone = new TaskCompletionSource();
        var output = new RecordingStream();

        async IAsyncEnumerable<AgentEvent> Run()
        {
            yield return Text(1, "Checking…");
            await toolDone.Task; // a tool that runs for a minute
            yield return Text(2, "Done.");
        }

        Task writing = Run().WriteAsSseAsync(output, new AgentEventSseOptions { TimeProvider = time });
        await Waiting.UntilAsync(() => output.Flushes == 1, Waiting.Guard);
        time.Advance(TimeSpan.FromSeconds(14));
        Assert.DoesNotContain(": keep-alive", output.Text, StringComparison.Ordinal);
        time.Advance(TimeSpan.FromSeconds(1));
        time.Advance(TimeSpan.FromSeconds(15));
        time.Advance(TimeSpan.FromSeconds(15));
        toolDone.SetResult();
        await writing.WaitAsync(Waiting.Guard);

        string[] frames = output.Text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["event: text", ": keep-alive", ": keep-alive", ": keep-alive", "event: text"], frames.Select(f => f.Split('\n')[0]));
    }

    [Fact]
    public async Task WriteAsSseAsync_ConnectionFailsWhileIdle_ThrowsIOExceptionAndStopsTheEvents()
    {
        var time = new FakeTimeProvider(s_start);
        var sourceCancelled = new TaskCompletionSource();
        var output = new RecordingStream { FailAfterWrites = 1 };

        async IAsyncEnumerable<AgentEvent> Run([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            yield return Text(1, "Checking…");
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            finally
            {
                sourceCancelled.TrySetResult();
            }
        }

        Task writing = Run().WriteAsSseAsync(output, new AgentEventSseOptions { TimeProvider = time });
        await Waiting.UntilAsync(() => output.Flushes == 1, Waiting.Guard);
        time.Advance(TimeSpan.FromSeconds(15));

        await Assert.ThrowsAsync<IOException>(() => writing.WaitAsync(Waiting.Guard));
        Assert.True(sourceCancelled.Task.IsCompleted);
    }

    [Fact]
    public async Task WriteAsSseAsync_CoalescingText_MergesDeltasOfABlockKeepingTheLastSequence()
    {
        var output = new RecordingStream();
        AgentEvent[] sent =
        [
            Text(1, "Hel"), Text(2, "lo "), Text(3, "\ud83d"), Text(4, "\ude00!"),
            new ToolCallStarted { ToolCallId = "t", ToolName = "x", Sequence = 5, Turn = 1, Timestamp = s_start },
            Text(6, "A", block: 1), Text(7, "B", block: 2),
        ];

        await Events(sent).WriteAsSseAsync(output, new AgentEventSseOptions { CoalesceText = true, KeepAliveInterval = Timeout.InfiniteTimeSpan });

        output.Position = 0;
        List<SseItem<string>> items = [.. SseParser.Create(output).Enumerate()];
        Assert.Equal(["4", "5", "6", "7"], items.Select(i => i.EventId!));
        Assert.Equal("Hello 😀!", JsonDocument.Parse(items[0].Data).RootElement.GetProperty("text").GetString());
    }

    [Fact]
    public async Task WriteAsSseAsync_CoalescingText_SendsWhatItHoldsWhenTheWindowCloses()
    {
        var time = new FakeTimeProvider(s_start);
        var more = new TaskCompletionSource();
        var output = new RecordingStream();

        async IAsyncEnumerable<AgentEvent> Run()
        {
            yield return Text(1, "First");
            await more.Task;
            yield return Text(2, " second");
        }

        Task writing = Run().WriteAsSseAsync(output, new AgentEventSseOptions { CoalesceText = true, TimeProvider = time, KeepAliveInterval = Timeout.InfiniteTimeSpan });
        await Task.Delay(50);
        Assert.Equal(0, output.Flushes); // held for the window
        time.Advance(TimeSpan.FromMilliseconds(50));
        await Waiting.UntilAsync(() => output.Flushes == 1, Waiting.Guard);
        more.SetResult();
        await writing.WaitAsync(Waiting.Guard);

        Assert.Equal(2, output.Flushes);
    }

    [Fact]
    public async Task WriteAsSseAsync_ARealRun_StreamsEveryEventInOrder()
    {
        var harness = new AgentRunnerTestHarness([TestTools.Lookup()]);
        harness.Handler
            .RespondWith(new TranscriptBuilder().Text("Let me look.").ToolUse("lookup", """{"query":"ORD-1"}""").Stop(StopReason.ToolUse))
            .RespondWith(new TranscriptBuilder().Text("Found it.").Stop(StopReason.EndTurn));
        var output = new RecordingStream();

        await harness.Runner.RunAsync("Where?").WriteAsSseAsync(output);

        output.Position = 0;
        List<SseItem<string>> items = [.. SseParser.Create(output).Enumerate()];
        Assert.Equal(Enumerable.Range(1, items.Count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), items.Select(i => i.EventId!));
        Assert.Equal(AgentEventTypes.RunCompleted, items[^1].EventType);
        Assert.Contains(items, i => i.EventType == AgentEventTypes.ToolCallStarted);
        Assert.Equal(items.Count, output.Flushes);
    }

    private static TextReceived Text(long sequence, string text, int block = 0) =>
        new() { Text = text, BlockIndex = block, Sequence = sequence, Turn = 1, Timestamp = s_start };

    private static async IAsyncEnumerable<AgentEvent> Events(params AgentEvent[] events)
    {
        foreach (AgentEvent agentEvent in events)
        {
            await Task.Yield();
            yield return agentEvent;
        }
    }

    /// <summary>A response body that records what was written and flushed, and can fail after some writes.</summary>
    private sealed class RecordingStream : MemoryStream
    {
        private int _writes;

        public int Flushes { get; private set; }

        public int FailAfterWrites { get; init; } = int.MaxValue;

        public string Text => Encoding.UTF8.GetString(ToArray());

        public override Task FlushAsync(CancellationToken cancellationToken)
        {
            Flushes++;
            return Task.CompletedTask;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (++_writes > FailAfterWrites)
            {
                throw new IOException("The client went away.");
            }

            return base.WriteAsync(buffer, cancellationToken);
        }
    }
}
