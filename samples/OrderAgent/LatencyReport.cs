using System.Collections.Concurrent;
using System.Globalization;

namespace OrderAgent;

/// <summary>Collects a run's latencies from the StreamingAgents meter and prints them after the answer.</summary>
internal sealed class LatencyReport : IDisposable
{
    private readonly ConcurrentQueue<(string Instrument, double Milliseconds)> _measured = new();
    private readonly LatencyListener _listener;

    public LatencyReport() => _listener = new LatencyListener((instrument, _, milliseconds) => _measured.Enqueue((instrument, milliseconds)));

    public void Print(TextWriter output)
    {
        output.WriteLine("Measured by the StreamingAgents meter:");
        foreach ((string instrument, string label) in LatencyListener.Shown)
        {
            string[] values = [.. _measured.Where(m => m.Instrument == instrument).Select(static m => m.Milliseconds.ToString("0.#", CultureInfo.InvariantCulture) + " ms")];
            if (values.Length > 0)
            {
                output.WriteLine($"  {label}: {string.Join(", ", values)}");
            }
        }
    }

    public void Dispose() => _listener.Dispose();
}
