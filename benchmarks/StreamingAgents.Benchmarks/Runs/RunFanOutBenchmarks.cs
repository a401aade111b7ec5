using BenchmarkDotNet.Attributes;
using StreamingAgents.Agents;
using StreamingAgents.Runs;
using StreamingAgents.Transport;

namespace StreamingAgents.Benchmarks.Runs;

/// <summary>
/// Detached runs: a run of 2,000 events appended to an <see cref="InMemoryAgentRunStore"/> while 1 or 4 subscribers
/// follow it live and write it as SSE (the cost of each extra subscriber is the difference, divided by 3); and the
/// memory of 1,000 live runs of 100 text events (each run its own JSON) with 3 waiting subscribers each (allocated to
/// build that state, nearly all of which it keeps).
/// </summary>
[MemoryDiagnoser]
public class RunFanOutBenchmarks
{
    private const int EventsPerRun = 2_000;
    private const int LiveRuns = 1_000;
    private const int EventsPerLiveRun = 100;

    private SerializedAgentEvent[] _events = [];

    /// <summary>How many subscribers follow the run.</summary>
    [Params(1, 4)]
    public int Subscribers { get; set; }

    [GlobalSetup]
    public void Setup() => _events = [.. Enumerable.Range(1, EventsPerRun).Select(static i => SerializedAgentEvent.From(AgentEventFactory.Text(i, $" token{i % 100}")))];

    [Benchmark(Description = "Append 2,000 events, subscribers write SSE")]
    public async Task FanOut()
    {
        using var store = new InMemoryAgentRunStore();
        await store.CreateAsync(new AgentRunRecord("run_bench", null, DateTimeOffset.UnixEpoch));
        var options = new AgentEventSseOptions { KeepAliveInterval = Timeout.InfiniteTimeSpan };
        Task[] readers = [.. Enumerable.Range(0, Subscribers).Select(_ => Task.Run(() => store.ReadAsync("run_bench", 0).WriteAsSseAsync(Stream.Null, options)))];
        foreach (SerializedAgentEvent agentEvent in _events)
        {
            await store.AppendAsync("run_bench", agentEvent);
        }

        await store.CompleteAsync("run_bench");
        await Task.WhenAll(readers);
    }

    [Benchmark(Description = "1,000 live runs x 3 waiting subscribers")]
    public async Task<int> LiveRunsWithSubscribers()
    {
        (InMemoryAgentRunStore store, List<IAsyncEnumerator<SerializedAgentEvent>> subscribers, List<Task<bool>> waits) = await BuildLiveRunsAsync();
        int count = store.Count;
        store.Dispose(); // the waits stay pending; the state is garbage from here
        return count + waits.Count + subscribers.Count;
    }

    /// <summary>
    /// Prints the memory that 1,000 live runs with 3 waiting subscribers each keep (after a full collection), for
    /// <c>dotnet run -c Release --project benchmarks/StreamingAgents.Benchmarks -- retained-runs</c>.
    /// </summary>
    public static async Task PrintRetainedMemoryAsync()
    {
        long before = GC.GetTotalMemory(forceFullCollection: true);
        (InMemoryAgentRunStore store, List<IAsyncEnumerator<SerializedAgentEvent>> subscribers, List<Task<bool>> waits) = await BuildLiveRunsAsync();
        long after = GC.GetTotalMemory(forceFullCollection: true);
        long eventBytes = Enumerable.Range(1, EventsPerLiveRun).Sum(static i => (long)SerializedAgentEvent.From(AgentEventFactory.Text(i, $" token{i % 100}")).Utf8Json.Length) * LiveRuns;
        Console.WriteLine($"{LiveRuns:N0} live runs x {EventsPerLiveRun} events, 3 waiting subscribers each: {(after - before) / 1024.0 / 1024.0:N1} MiB retained " +
            $"({(after - before) / LiveRuns / 1024.0:N1} KiB per run, of which {eventBytes / LiveRuns / 1024.0:N1} KiB is event JSON).");
        GC.KeepAlive(store);
        GC.KeepAlive(subscribers);
        GC.KeepAlive(waits);
    }

    private static async Task<(InMemoryAgentRunStore, List<IAsyncEnumerator<SerializedAgentEvent>>, List<Task<bool>>)> BuildLiveRunsAsync()
    {
        var store = new InMemoryAgentRunStore(new InMemoryAgentRunStoreOptions { MaxLiveRuns = LiveRuns });
        var subscribers = new List<IAsyncEnumerator<SerializedAgentEvent>>(LiveRuns * 3);
        var waits = new List<Task<bool>>(LiveRuns * 3);
        for (int run = 0; run < LiveRuns; run++)
        {
            string id = $"run_{run:D4}";
            await store.CreateAsync(new AgentRunRecord(id, "owner", DateTimeOffset.UnixEpoch));
            for (int i = 1; i <= EventsPerLiveRun; i++)
            {
                await store.AppendAsync(id, SerializedAgentEvent.From(AgentEventFactory.Text(i, $" token{i % 100}")));
            }

            for (int s = 0; s < 3; s++)
            {
                IAsyncEnumerator<SerializedAgentEvent> subscriber = store.ReadAsync(id, 0).GetAsyncEnumerator();
                while (true)
                {
                    ValueTask<bool> move = subscriber.MoveNextAsync();
                    if (!move.IsCompleted)
                    {
                        waits.Add(move.AsTask()); // caught up: waiting for the next event
                        break;
                    }

                    _ = move.Result;
                }

                subscribers.Add(subscriber);
            }
        }

        return (store, subscribers, waits);
    }
}
