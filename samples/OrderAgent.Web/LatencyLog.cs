using OrderAgent;

namespace OrderAgent.Web;

/// <summary>Logs each latency the StreamingAgents meter records (time to first token, tool start delay, …) as runs happen.</summary>
internal sealed partial class LatencyLog(ILogger<LatencyLog> logger) : IHostedService, IDisposable
{
    private LatencyListener? _listener;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _listener = new LatencyListener((_, label, milliseconds) => Measured(logger, label, milliseconds));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _listener?.Dispose();

    [LoggerMessage(1, LogLevel.Information, "Measured {Label}: {Milliseconds:0.#} ms")]
    private static partial void Measured(ILogger logger, string label, double milliseconds);
}
