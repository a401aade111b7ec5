namespace StreamingAgents.Diagnostics;

/// <summary>
/// The names under which the library reports traces and metrics through <see cref="System.Diagnostics"/>, for
/// <c>tracing.AddSource(StreamingAgentsTelemetry.ActivitySourceName)</c> and
/// <c>metrics.AddMeter(StreamingAgentsTelemetry.MeterName)</c>. Nothing is recorded, and nothing costs, until something
/// listens.
/// </summary>
/// <remarks>
/// Spans follow the OpenTelemetry semantic conventions for generative AI: <c>invoke_agent</c> for a run,
/// <c>chat {model}</c> for each model call (HttpClient's span nests under it) and <c>execute_tool {tool}</c> for each
/// tool call. Tool inputs and results are recorded only when <see cref="Agents.AgentRunnerOptions.RecordContentInTelemetry"/>
/// is set (they are user data); message content is never recorded.
/// </remarks>
public static class StreamingAgentsTelemetry
{
    /// <summary>The name of the library's <see cref="System.Diagnostics.ActivitySource"/>.</summary>
    public const string ActivitySourceName = "StreamingAgents";

    /// <summary>The name of the library's <see cref="System.Diagnostics.Metrics.Meter"/>.</summary>
    public const string MeterName = "StreamingAgents";
}
