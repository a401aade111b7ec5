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
        "gen_ai.execute_tool.duration", "s", "Duration of a tool call's execution.", advice: LongBuckets);

    public static readonly Histogram<double> RunDuration = Meter.CreateHistogram<double>(
        "gen_ai.invoke_agent.duration", "s", "Duration of an agent run, to its last event.", advice: LongBuckets);

    // Ours, where the conventions have no name.
    public static readonly Histogram<double> TimeToFirstToken = Meter.CreateHistogram<double>(
        "streamingagents.client.time_to_first_token", "s", "Time from sending a model request to its first text or thinking delta.", advice: LatencyBuckets);

    public static readonly Histogram<double> TimeToFirstToolCall = Meter.CreateHistogram<double>(
        "streamingagents.client.time_to_first_tool_call", "s", "Time from sending a model request to the start of its first tool call (the tool's name is known).", advice: LatencyBuckets);

    public static readonly Histogram<double> ToolStartDelay = Meter.CreateHistogram<double>(
        "streamingagents.tool.start_delay", "s", "Time from a tool call's input being complete to its execution starting (near zero when started eagerly).", advice: LatencyBuckets);

    public static readonly Counter<long> Retries = Meter.CreateCounter<long>(
        "streamingagents.client.retries", "{retry}", "Model requests sent again: by the client after a failure before any event (streamingagents.retry.kind = request), or by the runner after one mid-stream (turn).");

    public static readonly Counter<long> LivenessTimeouts = Meter.CreateCounter<long>(
        "streamingagents.client.liveness_timeouts", "{timeout}", "Model streams ended by the idle or stall timeout.");

    public static readonly Counter<long> Runs = Meter.CreateCounter<long>(
        "streamingagents.runs", "{run}", "Agent runs ended, by outcome.");

    private static InstrumentAdvice<double> LatencyBuckets => new() { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120] };

    // Runs and tools may take many minutes (the default tool timeout alone is 2).
    private static InstrumentAdvice<double> LongBuckets => new() { HistogramBucketBoundaries = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800] };

    /// <summary>Gets whether anyone listens to the model-call telemetry (checked once per call, not per event).</summary>
    public static bool IsModelCallObserved =>
        Source.HasListeners() || OperationDuration.Enabled || TokenUsage.Enabled || TimeToFirstChunk.Enabled || TimeToFirstToken.Enabled || TimeToFirstToolCall.Enabled
        || Retries.Enabled || LivenessTimeouts.Enabled;

    /// <summary>Gets whether anyone listens to the run and tool telemetry.</summary>
    public static bool IsRunObserved => Source.HasListeners() || RunDuration.Enabled || Runs.Enabled || ToolDuration.Enabled || ToolStartDelay.Enabled;

    /// <summary>
    /// Whether an exception comes from someone listening (a sampler, a listener callback): it must not fail the work
    /// being observed. Only fatal ones pass.
    /// </summary>
    public static bool IsListenerFailure(Exception exception) => exception is not (OutOfMemoryException or StackOverflowException);

    /// <summary>Runs telemetry work that must never fail the observed work: a listener's exception is dropped.</summary>
    public static void Guard(Action work)
    {
        try
        {
            work();
        }
        catch (Exception exception) when (IsListenerFailure(exception))
        {
        }
    }

    /// <summary>Records a span's last measurements (guarded), then stops it whatever happened, detached from the caller.</summary>
    public static void Finish(Activity? activity, Action record)
    {
        try
        {
            Guard(record);
        }
        finally
        {
            if (activity is not null)
            {
                StopDetached(activity);
            }
        }
    }

    /// <summary>Seconds between two timestamps of <paramref name="time"/>.</summary>
    public static double Seconds(TimeProvider time, long from, long to) => time.GetElapsedTime(from, to).TotalSeconds;

    /// <summary>
    /// Calls <paramref name="action"/> with <paramref name="activity"/> current, so work it starts (and the async flows
    /// it begins) nest under it, without changing the caller's current activity.
    /// </summary>
    public static T WithCurrent<T>(Activity? activity, Func<T> action)
    {
        if (activity is null || ExecutionContext.Capture() is not { } context)
        {
            return action();
        }

        T result = default!;
        ExecutionContext.Run(context, _ =>
        {
            Activity.Current = activity;
            result = action();
        }, null);
        return result;
    }

    /// <summary>Starts an activity under the caller's current one without making it current for the caller.</summary>
    public static Activity? StartDetached(string name, ActivityKind kind, ActivityContext parent = default)
    {
        if (ExecutionContext.Capture() is not { } context)
        {
            return Source.StartActivity(name, kind, parent); // flow suppressed (rare): it may stay current on this thread
        }

        Activity? started = null;
        ExecutionContext.Run(context, _ => started = Source.StartActivity(name, kind, parent), null);
        return started;
    }

    /// <summary>Stops an activity without touching the caller's current activity (<see cref="Activity.Stop"/> resets it).</summary>
    public static void StopDetached(Activity activity)
    {
        if (ExecutionContext.Capture() is { } context)
        {
            ExecutionContext.Run(context, static state => ((Activity)state!).Stop(), activity);
        }
        else
        {
            activity.Stop();
        }
    }
}
