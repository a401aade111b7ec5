using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace StreamingAgents.Redis.Tests;

/// <summary>
/// A real <c>redis-server</c> process on a free loopback port, started by the test (or benchmark) and stopped with it.
/// Without persistence a restart loses every key; with it (append-only file, fsync on every write) nothing is lost.
/// </summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private readonly bool _persistent;
    private readonly string _folder;
    private Process? _process;

    private RedisServer(int port, bool persistent)
    {
        Port = port;
        _persistent = persistent;
        _folder = Directory.CreateTempSubdirectory("streamingagents-redis-").FullName;
    }

    /// <summary>Gets the path of <c>redis-server</c>, or null when this machine has none.</summary>
    public static string? ExecutablePath { get; } = FindExecutable();

    /// <summary>Gets whether Redis tests must run here (<c>STREAMINGAGENTS_REQUIRE_REDIS=1</c>, set by .ci/run).</summary>
    public static bool IsRequired => Environment.GetEnvironmentVariable("STREAMINGAGENTS_REQUIRE_REDIS") == "1";

    public static string MissingReason =>
        "Skipped: no redis-server found (looked at $STREAMINGAGENTS_REDIS_SERVER, /usr/bin/redis-server and $PATH). " +
        "Install Debian's 'redis-server' package (sudo apt-get install redis-server) to run the Redis tests; .ci/run does, and makes them mandatory.";

    public int Port { get; }

    /// <summary>Gets a StackExchange.Redis connection string for the server.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync(bool persistent = false)
    {
        var server = new RedisServer(FreePort(), persistent);
        await server.StartProcessAsync();
        return server;
    }

    /// <summary>Kills the server (no shutdown save), as a crash would.</summary>
    public async Task StopAsync()
    {
        if (_process is { } process)
        {
            _process = null;
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            process.Dispose();
        }
    }

    /// <summary>Kills the server and starts it again on the same port, after <paramref name="downtime"/>.</summary>
    public async Task RestartAsync(TimeSpan downtime = default)
    {
        await StopAsync();
        await Task.Delay(downtime);
        await StartProcessAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task StartProcessAsync()
    {
        var start = new ProcessStartInfo(ExecutablePath ?? throw new InvalidOperationException(MissingReason))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[]
        {
            "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--daemonize", "no", "--protected-mode", "no", "--loglevel", "warning", "--dir", _folder, "--save", "",
            "--appendonly", _persistent ? "yes" : "no", "--appendfsync", "always",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var output = new StringBuilder();
        Process process = Process.Start(start)!;
        process.OutputDataReceived += (_, line) => { lock (output) { output.AppendLine(line.Data); } };
        process.ErrorDataReceived += (_, line) => { lock (output) { output.AppendLine(line.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        // Ready when it answers PING.
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with {process.ExitCode}: {output}");
            }

            if (await PingAsync())
            {
                return;
            }

            if (deadline.Elapsed > TimeSpan.FromSeconds(15))
            {
                throw new TimeoutException($"redis-server did not answer PING on port {Port} within 15 s: {output}");
            }

            await Task.Delay(20);
        }
    }

    private async Task<bool> PingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            NetworkStream stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            byte[] answer = new byte[64];
            int read = await stream.ReadAsync(answer);
            return Encoding.ASCII.GetString(answer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static string? FindExecutable()
    {
        IEnumerable<string?> candidates = [Environment.GetEnvironmentVariable("STREAMINGAGENTS_REDIS_SERVER"), "/usr/bin/redis-server", "/usr/local/bin/redis-server",
            .. (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Select(static folder => Path.Combine(folder, "redis-server"))];
        return candidates.FirstOrDefault(static path => !string.IsNullOrEmpty(path) && File.Exists(path));
    }
}
