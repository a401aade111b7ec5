using System.Diagnostics;
using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using StreamingAgents.Agents;
using StreamingAgents.Benchmarks.Events;
using StreamingAgents.Benchmarks.Http;
using StreamingAgents.Diagnostics;
using StreamingAgents.Events;
using StreamingAgents.Http;
using StreamingAgents.Tools;

namespace StreamingAgents.Benchmarks.Diagnostics;

/// <summary>
/// What the telemetry costs: the client and the runner on a text-only answer of 10,000 deltas served from memory, with
/// nobody listening (the baseline: it must cost nothing) and with an <see cref="ActivityListener"/> recording every span
/// and a <see cref="MeterListener"/> taking every measurement of the library. Goal: ≤ 2% and no extra bytes per event
/// without a listener (compare with RunnerThroughputBenchmarks' rows, which have none either).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class TelemetryOverheadBenchmarks
{
    private const int Deltas = 10_000;

    private HttpClient _http = null!;
    private AnthropicClient _client = null!;
    private AgentRunner _runner = null!;
    private ActivityListener? _spans;
    private MeterListener? _metrics;

    /// <summary>Whether a listener takes the library's spans and measurements.</summary>
    [Params(false, true)]
    public bool Listening { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _http = new HttpClient(new ReplayHandler(StreamInputs.LongTextAnswer(Deltas + 5)));
        _client = BenchmarkClients.Create(_http);
        _runner = new AgentRunner(_client, new ToolRegistry());
        if (!Listening)
        {
            return;
        }

        _spans = new ActivityListener
        {
            ShouldListenTo = static source => source.Name == StreamingAgentsTelemetry.ActivitySourceName,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(_spans);
        _metrics = new MeterListener
        {
            InstrumentPublished = static (instrument, listener) =>
            {
                if (instrument.Meter.Name == StreamingAgentsTelemetry.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _metrics.SetMeasurementEventCallback<double>(static (_, _, _, _) => { });
        _metrics.SetMeasurementEventCallback<long>(static (_, _, _, _) => { });
        _metrics.Start();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _spans?.Dispose();
        _metrics?.Dispose();
        _http.Dispose();
    }

    [Benchmark(Description = "AnthropicClient.StreamAsync")]
    public Task<int> Client() => BenchmarkClients.CountAsync(_client.StreamAsync(BenchmarkClients.Request));

    [Benchmark(Description = "AgentRunner.RunAsync (no tools)")]
    public Task<int> Runner() => BenchmarkClients.CountAsync(_runner.RunAsync(BenchmarkClients.Request));
}
