using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace StreamingAgents.Diagnostics;

/// <summary>The library's activity source, meter and instruments, and the attribute names it uses.</summary>
internal static class Telemetry
{
    public const string Provider = "anthropic";

    public static readonly ActivitySource Source = new(StreamingAgentsTelemetry.ActivitySourceName, typeof(Telemetry).Assembly.GetName().Version?.ToString());

    public static readonly Meter Meter = new(StreamingAgentsTelemetry.MeterName, typeof(Telemetry).Assembly.GetName().Version?.ToString());

    // The conventions' instruments (seconds and tokens, their recommended buckets).
    public static readonly Histogram<double> OperationDuration = Meter.CreateHistogram<double>(
        "gen_ai.client.operation.duration", "s", "Duration of a model call, from sending the request to the end of its stream.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92] });

    public static readonly Histogram<long> TokenUsage = Meter.CreateHistogram<long>(
        "gen_ai.client.token.usage", "{token}", "Input and output tokens of a model call (gen_ai.token.type says which).",
        advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864] });

    public static readonly Histogram<double> TimeToFirstChunk = Meter.CreateHistogram<double>(
        "gen_ai.client.operation.time_to_first_chunk", "s", "Time from sending a model request to its stream's first event.", advice: LatencyBuckets);

    public static readonly Histogram<double> ToolDuration = Meter.CreateHistogram<double>(
        "gen_ai.execute_tool.duration", "s", "Duration of a tool call's execution.", advice: LatencyBuckets);

    public static readonly Histogram<double> RunDuration = Meter.CreateHistogram<double>(
        "gen_ai.invoke_agent.duration", "s", "Duration of an agent run, to its last event.", advice: LatencyBuckets);

    // Ours, where the conventions have no name.
    public static readonly Histogram<double> TimeToFirstToken = Meter.CreateHistogram<double>(
        "streamingagents.client.time_to_first_token", "s", "Time from sending a model request to its first text or thinking delta.", advice: LatencyBuckets);

    public static readonly Histogram<double> TimeToFirstToolCall = Meter.CreateHistogram<double>(
        "streamingagents.client.time_to_first_tool_call", "s", "Time from sending a model request to the start of its first tool call (the tool's name is known).", advice: LatencyBuckets);

    public static readonly Histogram<double> ToolStartDelay = Meter.CreateHistogram<double>(
        "streamingagents.tool.start_delay", "s", "Time from a tool call's input being complete to its execution starting (near zero when started eagerly).", advice: LatencyBuckets);

    public static readonly Counter<long> Retries = Meter.CreateCounter<long>(
        "streamingagents.client.retries", "{retry}", "Model requests sent again after a failure before any event.");

    public static readonly Counter<long> LivenessTimeouts = Meter.CreateCounter<long>(
        "streamingagents.client.liveness_timeouts", "{timeout}", "Model streams ended by the idle or stall timeout.");

    public static readonly Counter<long> Runs = Meter.CreateCounter<long>(
        "streamingagents.runs", "{run}", "Agent runs ended, by outcome.");

    private static InstrumentAdvice<double> LatencyBuckets => new() { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120] };

    /// <summary>Gets whether anyone listens to the model-call telemetry (checked once per call, not per event).</summary>
    public static bool IsModelCallObserved =>
        Source.HasListeners() || OperationDuration.Enabled || TokenUsage.Enabled || TimeToFirstChunk.Enabled || TimeToFirstToken.Enabled || TimeToFirstToolCall.Enabled;

    /// <summary>Gets whether anyone listens to the run and tool telemetry.</summary>
    public static bool IsRunObserved => Source.HasListeners() || RunDuration.Enabled || Runs.Enabled || ToolDuration.Enabled || ToolStartDelay.Enabled;

    /// <summary>Seconds between two timestamps of <paramref name="time"/>.</summary>
    public static double Seconds(TimeProvider time, long from, long to) => time.GetElapsedTime(from, to).TotalSeconds;

    /// <summary>Makes <paramref name="activity"/> the current one until disposed, so work started meanwhile nests under it.</summary>
    public static CurrentActivityScope AsCurrent(Activity? activity) => new(activity);

    internal readonly struct CurrentActivityScope : IDisposable
    {
        private readonly Activity? _previous;
        private readonly bool _changed;

        public CurrentActivityScope(Activity? activity)
        {
            _previous = Activity.Current;
            _changed = activity is not null && activity != _previous;
            if (_changed)
            {
                Activity.Current = activity;
            }
        }

        public void Dispose()
        {
            if (_changed)
            {
                Activity.Current = _previous;
            }
        }
    }
}
