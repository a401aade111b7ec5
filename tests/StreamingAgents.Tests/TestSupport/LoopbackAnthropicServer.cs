using System.Net;
using System.Net.Sockets;
using System.Text;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Transcripts;

namespace StreamingAgents.Tests.TestSupport;

/// <summary>
/// A minimal Messages API on 127.0.0.1 for code that builds its own <see cref="HttpClient"/> (the README's programs):
/// HTTP/1.1, one request per connection. It asks for <c>search_orders</c> when the request offers that tool and holds
/// no tool result yet, and otherwise answers with text.
/// </summary>
internal sealed class LoopbackAnthropicServer : IAsyncDisposable
{
    public const string Answer = "It shipped yesterday.";

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly List<string> _requests = [];

    public LoopbackAnthropicServer()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public Uri BaseUrl => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }

    private static string Respond(string body)
    {
        TranscriptBuilder reply = body.Contains("\"tool_result\"", StringComparison.Ordinal) || !body.Contains("\"search_orders\"", StringComparison.Ordinal)
            ? new TranscriptBuilder().Text(Answer).Stop(StopReason.EndTurn)
            : new TranscriptBuilder().Text("Let me check.").ToolUse("search_orders", """{"order_id":"ORD-12345"}""").Stop(StopReason.ToolUse);
        return reply.ToString();
    }

    private async Task AcceptAsync()
    {
        var connections = new List<Task>();
        try
        {
            while (true)
            {
                TcpClient client = await _listener.AcceptTcpClientAsync(_stop.Token);
                connections.Add(ServeAsync(client));
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
            // Stopped.
        }

        await Task.WhenAll(connections);
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                NetworkStream stream = client.GetStream();
                string body = await ReadRequestBodyAsync(stream);
                lock (_requests)
                {
                    _requests.Add(body);
                }

                byte[] sse = Encoding.UTF8.GetBytes(Respond(body));
                string head = $"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: {sse.Length}\r\nConnection: close\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head), _stop.Token);
                await stream.WriteAsync(sse, _stop.Token);
            }
            catch (Exception exception) when (exception is IOException or OperationCanceledException or SocketException)
            {
                // The client went away, or the server is stopping.
            }
        }
    }

    private async Task<string> ReadRequestBodyAsync(NetworkStream stream)
    {
        var received = new MemoryStream();
        byte[] buffer = new byte[8192];
        int headerEnd;
        while ((headerEnd = IndexOfHeaderEnd(received)) < 0)
        {
            int read = await stream.ReadAsync(buffer, _stop.Token);
            if (read == 0)
            {
                throw new IOException("The request ended inside its headers.");
            }

            received.Write(buffer, 0, read);
        }

        string headers = Encoding.ASCII.GetString(received.GetBuffer(), 0, headerEnd);
        string? lengthLine = headers.Split("\r\n").FirstOrDefault(static line => line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        int length = lengthLine is null ? 0 : int.Parse(lengthLine["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        int bodyStart = headerEnd + 4;
        while (received.Length < bodyStart + length)
        {
            int read = await stream.ReadAsync(buffer, _stop.Token);
            if (read == 0)
            {
                throw new IOException("The request ended inside its body.");
            }

            received.Write(buffer, 0, read);
        }

        return Encoding.UTF8.GetString(received.GetBuffer(), bodyStart, length);
    }

    private static int IndexOfHeaderEnd(MemoryStream received) =>
        received.GetBuffer().AsSpan(0, (int)received.Length).IndexOf("\r\n\r\n"u8);
}
