using System.Diagnostics;
using StreamingAgents.Agents;

namespace StreamingAgents.Diagnostics;

/// <summary>
/// One agent run's span (<c>invoke_agent</c>) and measurements, and the spans of its tool calls
/// (<c>execute_tool {tool}</c>) under it. Made only when someone listens.
/// </summary>
internal sealed class RunTelemetry
{
    private readonly TimeProvider _time;
    private readonly string? _model;
    private readonly long _started;
    private int _ended;

    private RunTelemetry(TimeProvider time, string? model, bool recordContent)
    {
        _time = time;
        _model = model;
        RecordsContent = recordContent;
        _started = time.GetTimestamp();

        // Made in the caller's context (not an async method): it must not become current there.
        Activity = Telemetry.StartDetached("invoke_agent", ActivityKind.Internal);
        if (Activity is { IsAllDataRequested: true } activity)
        {
            activity.SetTag("gen_ai.operation.name", "invoke_agent");
            activity.SetTag("gen_ai.provider.name", Telemetry.Provider);
            activity.SetTag("gen_ai.request.model", model);
        }
    }

    /// <summary>Gets the run's span, the parent of its model calls and tool calls (null when no one traces).</summary>
    public Activity? Activity { get; }

    /// <summary>Gets whether tool inputs and results go on the spans (<see cref="AgentRunnerOptions.RecordContentInTelemetry"/>).</summary>
    public bool RecordsContent { get; }

    /// <summary>Starts a run's telemetry, or returns null when nobody listens (or a listener failed).</summary>
    public static RunTelemetry? Start(TimeProvider time, string? model, bool recordContent)
    {
        try
        {
            return Telemetry.IsRunObserved ? new RunTelemetry(time, model, recordContent) : null;
        }
        catch (Exception exception) when (Telemetry.IsListenerFailure(exception))
        {
            return null;
        }
    }

    /// <summary>Ends the run with its ending, or, with null, as cancelled or left by its consumer.</summary>
    public void End(RunCompleted? ending)
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0)
        {
            return;
        }

        Telemetry.Finish(Activity, () => Record(ending));
    }

    /// <summary>Notes a turn started again after its stream failed mid-way.</summary>
    public static void OnTurnRetry(string errorType) =>
        Telemetry.Guard(() => Telemetry.Retries.Add(1, new("streamingagents.retry.kind", "turn"), new("error.type", errorType)));

    private void Record(RunCompleted? ending)
    {
        string outcome = ending is null ? "cancelled" : Outcome(ending.Outcome);
        string? errorType = ending?.Error?.Type;
        var tags = new TagList
        {
            { "gen_ai.operation.name", "invoke_agent" },
            { "gen_ai.provider.name", Telemetry.Provider },
            { "streamingagents.run.outcome", outcome },
        };
        if (_model is not null)
        {
            tags.Add("gen_ai.request.model", _model);
        }

        if (errorType is not null)
        {
            tags.Add("error.type", errorType);
        }

        Telemetry.Runs.Add(1, tags);
        if (Telemetry.RunDuration.Enabled)
        {
            Telemetry.RunDuration.Record(Telemetry.Seconds(_time, _started, _time.GetTimestamp()), tags);
        }

        if (Activity is not { } activity)
        {
            return;
        }

        if (activity.IsAllDataRequested)
        {
            activity.SetTag("streamingagents.run.outcome", outcome);
            if (ending is not null)
            {
                activity.SetTag("streamingagents.run.turns", ending.TurnCount);
                activity.SetTag("gen_ai.usage.input_tokens", ending.TotalUsage.InputTokens);
                activity.SetTag("gen_ai.usage.output_tokens", ending.TotalUsage.OutputTokens);
                activity.SetTag("gen_ai.response.model", ending.FinalMessage?.Model);
            }
        }

        if (errorType is not null)
        {
            activity.SetTag("error.type", errorType);
            activity.SetStatus(ActivityStatusCode.Error);
        }
    }

    /// <summary>
    /// Starts a tool call's span under the run's, current for the rest of the calling async flow (the tool's own calls
    /// nest under it), and records how long the call waited after its input was complete.
    /// </summary>
    public ToolCallTelemetry? StartTool(string toolName, string toolCallId, string? inputJson, long? readyAt)
    {
        try
        {
            return StartToolCore(toolName, toolCallId, inputJson, readyAt);
        }
        catch (Exception exception) when (Telemetry.IsListenerFailure(exception))
        {
            return null;
        }
    }

    private ToolCallTelemetry StartToolCore(string toolName, string toolCallId, string? inputJson, long? readyAt)
    {
        long started = _time.GetTimestamp();
        if (readyAt is { } ready && Telemetry.ToolStartDelay.Enabled)
        {
            Telemetry.ToolStartDelay.Record(Telemetry.Seconds(_time, ready, started), new KeyValuePair<string, object?>("gen_ai.tool.name", toolName));
        }

        Activity? activity = Telemetry.Source.StartActivity($"execute_tool {toolName}", ActivityKind.Internal, Activity?.Context ?? default);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("gen_ai.operation.name", "execute_tool");
            activity.SetTag("gen_ai.provider.name", Telemetry.Provider);
            activity.SetTag("gen_ai.tool.name", toolName);
            activity.SetTag("gen_ai.tool.call.id", toolCallId);
            activity.SetTag("gen_ai.tool.type", "function");
            if (RecordsContent)
            {
                activity.SetTag("gen_ai.tool.call.arguments", inputJson);
            }
        }

        return new ToolCallTelemetry(this, activity, toolName, started);
    }

    // The wire names of the outcomes (run_completed.outcome), read once from the JSON contract itself, so a new
    // outcome needs no second list here.
    private static readonly string[] s_outcomeNames = [.. Enum.GetValues<AgentRunOutcome>()
        .Select(static outcome => System.Text.Json.JsonSerializer.Serialize(outcome, AgentJsonContext.Default.AgentRunOutcome).Trim('"'))];

    /// <summary>The wire name of an outcome (as in <c>run_completed.outcome</c>).</summary>
    private static string Outcome(AgentRunOutcome outcome) =>
        (uint)outcome < (uint)s_outcomeNames.Length ? s_outcomeNames[(int)outcome] : outcome.ToString();

    /// <summary>One tool call's span and duration.</summary>
    internal sealed class ToolCallTelemetry(RunTelemetry run, Activity? activity, string toolName, long started)
    {
        /// <summary>Ends the call: its result (an error result sets <c>error.type</c> = <c>tool_error</c>), or null when it was cancelled.</summary>
        public void End(Tools.ToolResult? result)
        {
            Telemetry.Finish(activity, () => Record(result));
        }

        private void Record(Tools.ToolResult? result)
        {
            string? errorType = result is null ? "cancelled" : result.IsError ? "tool_error" : null;
            if (Telemetry.ToolDuration.Enabled)
            {
                var tags = new TagList { { "gen_ai.operation.name", "execute_tool" }, { "gen_ai.tool.name", toolName } };
                if (errorType is not null)
                {
                    tags.Add("error.type", errorType);
                }

                Telemetry.ToolDuration.Record(Telemetry.Seconds(run._time, started, run._time.GetTimestamp()), tags);
            }

            if (activity is null)
            {
                return;
            }

            if (run.RecordsContent && result is not null && activity.IsAllDataRequested)
            {
                activity.SetTag("gen_ai.tool.call.result", result.Content);
            }

            if (errorType is not null)
            {
                activity.SetTag("error.type", errorType);
                activity.SetStatus(ActivityStatusCode.Error);
            }
        }
    }
}
