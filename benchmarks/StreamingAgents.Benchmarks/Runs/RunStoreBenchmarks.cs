using BenchmarkDotNet.Attributes;
using StreamingAgents.Agents;
using StreamingAgents.Redis;
using StreamingAgents.Redis.Tests;
using StreamingAgents.Runs;

namespace StreamingAgents.Benchmarks.Runs;

/// <summary>
/// The run store behind detached runs, in this process's memory and in Redis (a real <c>redis-server</c> on loopback,
/// started by the benchmark): appending a run's events one after another, as a run does; and the live fan-out latency
/// from an append on instance A to its delivery to a reader on instance B (for Redis, two separate connections, as on
/// two servers; in memory, one store). Each figure is per event.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class RunStoreBenchmarks
{
    private const int AppendedEvents = 1_000;
    private const int RoundTrips = 200;

    private SerializedAgentEvent[] _events = [];
    private RedisServer? _redis;
    private IAgentRunStore _a = null!;
    private IAgentRunStore _b = null!;
    private int _runs;

    /// <summary>Where runs are kept.</summary>
    [Params("memory", "redis")]
    public string Store { get; set; } = "memory";

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _events = [.. Enumerable.Range(1, AppendedEvents).Select(static i => SerializedAgentEvent.From(AgentEventFactory.Text(i, $" token{i % 100}")))];
        (_a, _b) = Store == "memory" ? InMemory() : await RedisAsync();
        await _a.GetAsync("warm-up");
        await _b.GetAsync("warm-up");
    }

    private static (IAgentRunStore, IAgentRunStore) InMemory()
    {
        var store = new InMemoryAgentRunStore(new InMemoryAgentRunStoreOptions { MaxLiveRuns = 1_000_000, CompletedRunTimeToLive = TimeSpan.FromSeconds(1) });
        return (store, store);
    }

    private async Task<(IAgentRunStore, IAgentRunStore)> RedisAsync()
    {
        _redis = await RedisServer.StartAsync();
        RedisAgentRunStore Connect() => new(new RedisAgentRunStoreOptions { Configuration = _redis.ConnectionString, CompletedRunTimeToLive = TimeSpan.FromSeconds(1) });
        return (Connect(), Connect());
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        foreach (IAgentRunStore store in new[] { _a, _b }.Distinct())
        {
            switch (store)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync();
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }

    [Benchmark(Description = "Append (per event)", OperationsPerInvoke = AppendedEvents)]
    public async Task AppendAsync()
    {
        string runId = NextRunId();
        await _a.CreateAsync(new AgentRunRecord(runId, null, DateTimeOffset.UnixEpoch));
        foreach (SerializedAgentEvent agentEvent in _events)
        {
            await _a.AppendAsync(runId, agentEvent);
        }

        await _a.CompleteAsync(runId);
    }

    [Benchmark(Description = "Append on A → delivered on B (per event)", OperationsPerInvoke = RoundTrips)]
    public async Task FanOutLatencyAsync()
    {
        string runId = NextRunId();
        await _a.CreateAsync(new AgentRunRecord(runId, null, DateTimeOffset.UnixEpoch));
        await using IAsyncEnumerator<SerializedAgentEvent> reader = _b.ReadAsync(runId, 0).GetAsyncEnumerator();
        for (int i = 0; i < RoundTrips; i++)
        {
            ValueTask<bool> delivered = reader.MoveNextAsync(); // the reader waits first, as a live subscriber does
            await _a.AppendAsync(runId, _events[i]);
            if (!await delivered)
            {
                throw new InvalidOperationException("The reader ended early.");
            }
        }

        await _a.CompleteAsync(runId);
    }

    private string NextRunId() => $"run_bench_{Interlocked.Increment(ref _runs)}";
}
