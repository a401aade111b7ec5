using System.Text;
using StreamingAgents.Agents;
using StreamingAgents.Testing.Assertions;
using StreamingAgents.Testing.Recording;
using StreamingAgents.Testing.Streams;
using StreamingAgents.Tests.Fuzz;

namespace StreamingAgents.Tests.TestingPackage;

/// <summary>
/// Recordings are files people edit, merge and truncate: a broken one must fail to load with
/// <see cref="InvalidDataException"/> naming the place, and one that loads must replay with only the documented
/// failures (a mismatch, a recorded connection failure, a recorded drop).
/// </summary>
public sealed class ExchangeFileFuzzTests : IDisposable
{
    private readonly OrderScript.TempFolder _recorded = new();
    private readonly OrderScript.TempFolder _cases = new();

    public void Dispose()
    {
        _recorded.Dispose();
        _cases.Dispose();
    }

    [Fact]
    public async Task EveryTruncationFailsToLoadWithTheFileNamed()
    {
        byte[] file = await RecordAsync();
        var failures = new List<string>();
        int whole = Encoding.UTF8.GetByteCount(Encoding.UTF8.GetString(file).TrimEnd());
        for (int cut = 0; cut < whole; cut++)
        {
            Exception? failure = Load(file[..cut], out _);
            if (failure is not InvalidDataException || !failure.Message.StartsWith("Recording '0001.exchange.json'", StringComparison.Ordinal))
            {
                failures.Add($"cut at {cut}: {failure?.GetType().Name ?? "loaded"}: {failure?.Message}");
            }
        }

        Assert.Null(Load(file[..whole], out _));
        Assert.True(failures.Count == 0, $"{failures.Count} of {whole} truncations:\n{string.Join('\n', failures.Take(20))}");
    }

    [Fact]
    public async Task EveryMutatedNodeFailsToLoadOrReplaysWithDocumentedFailures()
    {
        byte[] file = await RecordAsync();
        string requestBody = OriginalRequestBody(file);
        var failures = new List<string>();
        int cases = 0, loaded = 0;
        foreach (JsonNodeSpan node in SseMutationCorpus.EnumerateNodes(file))
        {
            foreach ((string name, byte[]? replacement) in SseMutationCorpus.MutationsFor(node, file.AsSpan(node.Start, node.End - node.Start)))
            {
                cases++;
                string where = $"{node.Path} -> {name}";
                Exception? failure = Load(SseMutationCorpus.Splice(file, node, replacement), out ReplayHandler? handler);
                if (failure is not null)
                {
                    if (failure is not InvalidDataException || !failure.Message.Contains("0001.exchange.json", StringComparison.Ordinal))
                    {
                        failures.Add($"{where}: loading threw {failure.GetType().Name}: {failure.Message}");
                    }

                    continue;
                }

                loaded++;
                try
                {
                    await ReplayAsync(handler!, requestBody);
                }
                catch (Exception exception) when (exception is ReplayMismatchException or HttpRequestException or TaskCanceledException or IOException)
                {
                }
                catch (Exception exception)
                {
                    failures.Add($"{where}: replay threw {exception.GetType().Name}: {exception.Message}");
                }
            }
        }

        Assert.True(cases > 300, $"only {cases} cases");
        Assert.True(loaded > 0 && loaded < cases, $"{loaded} of {cases} loaded: the corpus does not reach both outcomes");
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases} mutations:\n{string.Join('\n', failures.Take(20))}");
    }

    [Fact]
    public async Task TheUnmutatedFileReplays()
    {
        byte[] file = await RecordAsync();
        Assert.Null(Load(file, out ReplayHandler? handler));
        Assert.Contains("event: message_stop", await ReplayAsync(handler!, OriginalRequestBody(file)), StringComparison.Ordinal);
    }

    /// <summary>The first exchange of the order script: a streamed tool call, read to message_stop through the client.</summary>
    private async Task<byte[]> RecordAsync()
    {
        var recorder = new RecordingHandler(_recorded.Path, OrderScript.Model(Chunking.Fixed(64)));
        await AgentRunTrace.CaptureAsync(OrderScript.Runner(recorder).RunAsync("ORD-3"));
        return File.ReadAllBytes(_recorded.Files[0]);
    }

    private Exception? Load(byte[] file, out ReplayHandler? handler)
    {
        Directory.CreateDirectory(_cases.Path);
        File.WriteAllBytes(Path.Combine(_cases.Path, "0001.exchange.json"), file);
        try
        {
            handler = new ReplayHandler(_cases.Path);
            return null;
        }
        catch (Exception exception)
        {
            handler = null;
            return exception;
        }
    }

    private static string OriginalRequestBody(byte[] file)
    {
        using var document = System.Text.Json.JsonDocument.Parse(file);
        return document.RootElement.GetProperty("request").GetProperty("body").GetRawText();
    }

    private static async Task<string> ReplayAsync(ReplayHandler handler, string requestBody)
    {
        using var http = new HttpClient(handler);
        using HttpResponseMessage response = await OrderScript.PostAsync(http, requestBody);
        await using Stream body = await response.Content.ReadAsStreamAsync();
        // Read like the client: up to message_stop. The recording was closed there, so reading on fails as a drop would.
        var text = new StringBuilder();
        var decoder = Encoding.UTF8.GetDecoder();
        var buffer = new byte[512];
        var chars = new char[Encoding.UTF8.GetMaxCharCount(buffer.Length)];
        for (int read; !text.ToString().Contains("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n", StringComparison.Ordinal) && (read = await body.ReadAsync(buffer)) > 0;)
        {
            text.Append(chars, 0, decoder.GetChars(buffer, 0, read, chars, 0));
        }

        return text.ToString();
    }
}
