using System.Diagnostics.Metrics;
using StreamingAgents.Diagnostics;

namespace OrderAgent;

/// <summary>
/// Hears the latencies the StreamingAgents meter records (what a dashboard fed by OpenTelemetry would show) and hands
/// each to a callback, in milliseconds, with a label people understand.
/// </summary>
public sealed class LatencyListener : IDisposable
{
    /// <summary>The instruments shown, in the order they happen during a run, with their labels.</summary>
    public static readonly IReadOnlyList<(string Instrument, string Label)> Shown =
    [
        ("streamingagents.client.time_to_first_token", "time to first token"),
        ("streamingagents.client.time_to_first_tool_call", "time to first tool call"),
        ("streamingagents.tool.start_delay", "tool input complete → tool running"),
        ("gen_ai.execute_tool.duration", "tool execution"),
        ("gen_ai.client.operation.duration", "model call"),
        ("gen_ai.invoke_agent.duration", "whole run"),
    ];

    private readonly MeterListener _listener = new();

    /// <summary>Starts listening.</summary>
    /// <param name="measured">Called with the instrument's name, its label and the value in milliseconds.</param>
    public LatencyListener(Action<string, string, double> measured)
    {
        _listener.InstrumentPublished = static (instrument, listener) =>
        {
            if (instrument.Meter.Name == StreamingAgentsTelemetry.MeterName && Shown.Any(shown => shown.Instrument == instrument.Name))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((instrument, seconds, _, _) =>
            measured(instrument.Name, Shown.First(shown => shown.Instrument == instrument.Name).Label, seconds * 1000));
        _listener.Start();
    }

    /// <summary>Stops listening.</summary>
    public void Dispose() => _listener.Dispose();
}
