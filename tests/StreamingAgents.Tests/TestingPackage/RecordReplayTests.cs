using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using StreamingAgents.Agents;
using StreamingAgents.Events;
using StreamingAgents.Http;
using StreamingAgents.Messages;
using StreamingAgents.Testing.Assertions;
using StreamingAgents.Testing.Http;
using StreamingAgents.Testing.Recording;
using StreamingAgents.Testing.Streams;
using StreamingAgents.Testing.Transcripts;
using StreamingAgents.Tests.TestSupport;

namespace StreamingAgents.Tests.TestingPackage;

public sealed class RecordReplayTests : IDisposable
{
    private readonly OrderScript.TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    public static TheoryData<string> Chunkings() => ["as recorded", "whole", "one byte", "tricky"];

    [Theory]
    [MemberData(nameof(Chunkings))]
    public async Task AReplayedRunHasTheRecordedRunsEvents(string chunkingName)
    {
        var recorder = new RecordingHandler(_folder.Path, OrderScript.Model(Chunking.Random(seed: 11, maxChunkSize: 23)));
        AgentRunTrace recorded = await AgentRunTrace.CaptureAsync(OrderScript.Runner(recorder).RunAsync("Where is ORD-7? Ünïcødé ✓"));
        Assert.Equal(2, recorder.RecordedCount);

        Chunking? chunking = chunkingName switch
        {
            "whole" => Chunking.Whole,
            "one byte" => Chunking.OneByte,
            "tricky" => Chunking.AtTrickyBoundaries,
            _ => null,
        };
        var replay = new ReplayHandler(_folder.Path, new ReplayOptions { Chunking = chunking });
        AgentRunTrace replayed = await AgentRunTrace.CaptureAsync(OrderScript.Runner(replay).RunAsync("Where is ORD-7? Ünïcødé ✓"));

        Assert.Equal(AgentRunOutcome.Completed, replayed.Completion.Outcome);
        replayed.ShouldHaveSteps([.. recorded.Steps]);
        Assert.Equal(OrderScript.ModelEvents(recorded.Events), OrderScript.ModelEvents(replayed.Events));
        Assert.Equal(0, replay.RemainingCount);
    }

    [Fact]
    public async Task TheFilesHoldTheRequestAsJsonAndTheBodyOneEventPerLine()
    {
        Transcript transcript = new TranscriptBuilder().Text("Hi there").Stop(StopReason.EndTurn).Build();
        var upstream = new FakeAnthropicHandler().RespondWith(transcript, Chunking.Fixed(40));
        await ReadAllAsync(new RecordingHandler(_folder.Path, upstream));

        string file = Assert.Single(_folder.Files);
        Assert.EndsWith("0001.exchange.json", file, StringComparison.Ordinal);
        using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(file));
        JsonElement root = document.RootElement;
        Assert.Equal("streamingagents-exchange-v1", root.GetProperty("format").GetString());
        Assert.Equal("Hello", root.GetProperty("request").GetProperty("body").GetProperty("messages")[0].GetProperty("content")[0].GetProperty("text").GetString());
        JsonElement response = root.GetProperty("response");
        Assert.Equal(200, response.GetProperty("status").GetInt32());
        string[] events = [.. response.GetProperty("body").EnumerateArray().Select(static part => part.GetString()!)];
        Assert.Equal(transcript.Text, string.Concat(events));
        Assert.All(events, static part => Assert.EndsWith("\n\n", part, StringComparison.Ordinal));
        Assert.Equal(transcript.Text.Split("\n\n").Length - 1, events.Length);
        int[] reads = [.. response.GetProperty("reads").EnumerateArray().Select(static read => read.GetProperty("bytes").GetInt32())];
        Assert.Equal(transcript.Bytes.Length, reads.Sum());
        Assert.All(reads[..^1], static size => Assert.Equal(40, size));
        Assert.Equal("closed", response.GetProperty("ending").GetString()); // the client stops reading at message_stop
        Assert.Contains("\n      \"messages\": [", File.ReadAllText(file), StringComparison.Ordinal); // indented, so it diffs by line
    }

    [Fact]
    public async Task NoSecretReachesAFileEvenWhenTheServerEchoesIt()
    {
        const string GatewayToken = "gw-token-0123456789abcdef";
        string echoed = $"bad key {ClientFactory.ApiKey}, token Bearer {GatewayToken}";
        var upstream = new FakeAnthropicHandler()
            .RespondWith((_, _) =>
            {
                HttpResponseMessage response = FakeResponses.Error(HttpStatusCode.Unauthorized, "authentication_error", echoed);
                response.Headers.Add("x-echo", ClientFactory.ApiKey);
                response.Headers.Add("Set-Cookie", "session=abcdefghijkl");
                return response;
            })
            .RespondWith(new TranscriptBuilder().TextTokens(echoed).Stop(StopReason.EndTurn), Chunking.OneByte);
        var recorder = new RecordingHandler(_folder.Path, upstream);
        var gateway = new HeaderAddingHandler("Authorization", $"Bearer {GatewayToken}") { InnerHandler = recorder };

        await Assert.ThrowsAsync<AnthropicApiException>(() => ReadAllAsync(gateway));
        await ReadAllAsync(gateway);

        Assert.Equal(2, _folder.Files.Length);
        foreach (string file in _folder.Files)
        {
            string text = File.ReadAllText(file);
            Assert.DoesNotContain(ClientFactory.ApiKey, text, StringComparison.Ordinal);
            Assert.DoesNotContain(GatewayToken, text, StringComparison.Ordinal);
            Assert.DoesNotContain("session=", text, StringComparison.Ordinal);
            using JsonDocument document = JsonDocument.Parse(text);
            JsonElement headers = document.RootElement.GetProperty("request").GetProperty("headers");
            Assert.Equal("[REDACTED]", headers.GetProperty("x-api-key").GetString());
            Assert.Equal("[REDACTED]", headers.GetProperty("Authorization").GetString());
            Assert.Equal(AnthropicClientOptions.DefaultAnthropicVersion, headers.GetProperty("anthropic-version").GetString());
        }

        // Masked in place, one '*' per byte, so the recorded reads still add up and the stream replays.
        string streamed = File.ReadAllText(_folder.Files[1]);
        Assert.Contains(new string('*', ClientFactory.ApiKey.Length), streamed, StringComparison.Ordinal);
        var replay = new ReplayHandler(_folder.Path);
        await Assert.ThrowsAsync<AnthropicApiException>(() => ReadAllAsync(replay));
        Assert.Equal(1, await ReadAllAsync(replay));
    }

    [Fact]
    public async Task AMismatchingRequestFailsNamingTheFirstDifference()
    {
        await AgentRunTrace.CaptureAsync(OrderScript.Runner(new RecordingHandler(_folder.Path, OrderScript.Model())).RunAsync("Where is ORD-1?"));

        AgentRunTrace run = await AgentRunTrace.CaptureAsync(OrderScript.Runner(new ReplayHandler(_folder.Path)).RunAsync("Where is ORD-2?"));

        AgentError error = Assert.IsType<AgentError>(run.Completion.Error);
        Assert.Equal(AgentRunOutcome.Failed, run.Completion.Outcome);
        Assert.Contains("does not match the recorded 0001.exchange.json", error.Message, StringComparison.Ordinal);
        Assert.Contains("$.messages[0].content[0].text (from character 13): recorded \"Where is ORD-1?\", the request has \"Where is ORD-2?\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MismatchesNameWhatDiffers()
    {
        using (var http = new HttpClient(new RecordingHandler(_folder.Path, OrderScript.Model())))
        {
            (await http.PostAsync("https://api.test.invalid/v1/messages", OrderScript.Json(Body("hi", tools: """[{"name":"a"}]""")))).Dispose();
        }

        async Task<string> MismatchAsync(string url, string body)
        {
            using var http = new HttpClient(new ReplayHandler(_folder.Path));
            return (await Assert.ThrowsAsync<ReplayMismatchException>(() => http.PostAsync(url, OrderScript.Json(body)))).Message;
        }

        const string Url = "https://api.test.invalid/v1/messages";
        Assert.Contains("the URL: recorded /v1/messages, the request has /v1/other", await MismatchAsync("https://api.test.invalid/v1/other", Body("hi")), StringComparison.Ordinal);
        Assert.Contains("$.max_tokens: recorded 10, the request has 11", await MismatchAsync(Url, Body("hi").Replace("10", "11", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains("$.tools: recorded an array of 1, the request has no such property", await MismatchAsync(Url, Body("hi")), StringComparison.Ordinal);
        Assert.Contains("$.tools: recorded 1 items, the request has 2", await MismatchAsync(Url, Body("hi", tools: """[{"name":"a"},{"name":"b"}]""")), StringComparison.Ordinal);
        Assert.Contains("$.stream: the request has true, the recording has no such property", await MismatchAsync(Url, Body("hi", tools: """[{"name":"a"}]""", extra: ""","stream":true""")), StringComparison.Ordinal);
        Assert.Contains("$.tools[0].name: recorded \"a\", the request has 7", await MismatchAsync(Url, Body("hi", tools: """[{"name":7}]""")), StringComparison.Ordinal);

        // The same body with its properties in another order and other whitespace matches.
        using var replay = new HttpClient(new ReplayHandler(_folder.Path));
        using HttpResponseMessage response = await replay.PostAsync(Url, OrderScript.Json("""{ "tools": [ {"name": "a"} ], "messages":[{"role":"user","content":"hi"}],"max_tokens":10,"model":"m" }"""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        static string Body(string text, string? tools = null, string extra = "") =>
            $$"""{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"{{text}}"}]{{(tools is null ? "" : $",\"tools\":{tools}")}}{{extra}}}""";
    }

    [Fact]
    public async Task ARequestBeyondTheRecordingSaysSo()
    {
        await ReadAllAsync(new RecordingHandler(_folder.Path, new FakeAnthropicHandler().RespondWith(new TranscriptBuilder().Text("x").Stop(StopReason.EndTurn))));
        var replay = new ReplayHandler(_folder.Path);
        await ReadAllAsync(replay);

        var exception = await Assert.ThrowsAsync<ReplayMismatchException>(() => ReadAllAsync(replay));
        Assert.Contains("Request #2 (POST https://api.test.invalid/v1/messages) has no recorded exchange left", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConcurrentRunsReplayByRequestBodyInAnyOrder()
    {
        string[] questions = ["ORD-1", "ORD-2", "ORD-3", "ORD-4"];
        AgentRunner recording = OrderScript.Runner(new RecordingHandler(_folder.Path, OrderScript.Model(Chunking.Random(5, 31), new ChunkedStreamOptions { YieldOnEachRead = true })));
        AgentRunTrace[] recorded = await Task.WhenAll(questions.Select(q => Task.Run(() => AgentRunTrace.CaptureAsync(recording.RunAsync(q)))));
        Assert.Equal(8, _folder.Files.Length);

        var replay = new ReplayHandler(_folder.Path, new ReplayOptions { Matching = ReplayMatching.ByRequestBody, Chunking = Chunking.OneByte });
        AgentRunner runner = OrderScript.Runner(replay);
        AgentRunTrace[] replayed = await Task.WhenAll(questions.Reverse().Select(q => Task.Run(() => AgentRunTrace.CaptureAsync(runner.RunAsync(q)))));

        for (int i = 0; i < questions.Length; i++)
        {
            replayed[questions.Length - 1 - i].ShouldHaveSteps([.. recorded[i].Steps]);
        }

        Assert.Equal(0, replay.RemainingCount);
    }

    [Fact]
    public async Task ByRequestBodyNamesTheDifferenceToTheFirstUnusedExchange()
    {
        await AgentRunTrace.CaptureAsync(OrderScript.Runner(new RecordingHandler(_folder.Path, OrderScript.Model())).RunAsync("ORD-1"));

        var replay = new ReplayHandler(_folder.Path, new ReplayOptions { Matching = ReplayMatching.ByRequestBody });
        AgentRunTrace run = await AgentRunTrace.CaptureAsync(OrderScript.Runner(replay).RunAsync("ORD-9"));

        Assert.Contains("matches none of the 2 unused recorded exchanges", run.Completion.Error!.Message, StringComparison.Ordinal);
        Assert.Contains("0001.exchange.json, differs at $.messages[0].content[0].text (from character 4)", run.Completion.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReplaysWithTheRecordedTimingUnderFakeTime()
    {
        byte[] body = new TranscriptBuilder().Text("a").Stop(StopReason.EndTurn).Build().Bytes.ToArray();
        int first = 50, second = 60;
        WriteExchange("0001", headersMs: 40, body, [(100, first), (250, second), (250, body.Length - first - second)]);
        var time = new FakeTimeProvider();
        using var http = new HttpClient(new ReplayHandler(_folder.Path, new ReplayOptions { Timing = ReplayTiming.Recorded, TimeProvider = time }));

        Task<HttpResponseMessage> sending = OrderScript.PostAsync(http, "{}");
        await AssertPendingAsync(sending, time, TimeSpan.FromMilliseconds(39));
        time.Advance(TimeSpan.FromMilliseconds(1));
        using HttpResponseMessage response = await sending;
        await using Stream stream = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[4096];

        Task<int> read = stream.ReadAsync(buffer).AsTask();
        await AssertPendingAsync(read, time, TimeSpan.FromMilliseconds(59));
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(first, await read);
        read = stream.ReadAsync(buffer).AsTask();
        await AssertPendingAsync(read, time, TimeSpan.FromMilliseconds(149));
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(second, await read);
        Assert.Equal(body.Length - first - second, await stream.ReadAsync(buffer)); // arrived with the read before
        Assert.Equal(0, await stream.ReadAsync(buffer));
    }

    [Fact]
    public async Task UnderOtherChunkingAReadWaitsForItsLastByte()
    {
        byte[] body = new TranscriptBuilder().Text("a").Stop(StopReason.EndTurn).Build().Bytes.ToArray();
        WriteExchange("0001", headersMs: 0, body, [(100, 10), (300, body.Length - 10)]);
        var time = new FakeTimeProvider();
        using var http = new HttpClient(new ReplayHandler(_folder.Path, new ReplayOptions { Timing = ReplayTiming.Recorded, TimeProvider = time, Chunking = Chunking.Fixed(8) }));
        using HttpResponseMessage response = await OrderScript.PostAsync(http, "{}");
        await using Stream stream = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[4096];

        Task<int> read = stream.ReadAsync(buffer).AsTask(); // bytes 0..7, all recorded at 100 ms
        time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(8, await read);
        read = stream.ReadAsync(buffer).AsTask(); // bytes 8..15: the last arrived at 300 ms
        await AssertPendingAsync(read, time, TimeSpan.FromMilliseconds(199));
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(8, await read);
    }

    [Fact]
    public async Task FailuresAndDroppedConnectionsReplayAsRecorded()
    {
        Transcript transcript = new TranscriptBuilder().Text("a long enough answer").Stop(StopReason.EndTurn).Build();
        var upstream = new FakeAnthropicHandler()
            .FailConnection()
            .RespondWith(transcript, Chunking.Fixed(30), new ChunkedStreamOptions { EndAfterBytes = 200, Ending = StreamEnding.Drop });
        var recorder = new RecordingHandler(_folder.Path, upstream);
        Exception refused = await Assert.ThrowsAnyAsync<Exception>(() => ReadAllAsync(recorder));
        Exception dropped = await Assert.ThrowsAnyAsync<Exception>(() => ReadAllAsync(recorder));

        var replay = new ReplayHandler(_folder.Path);
        Exception refusedAgain = await Assert.ThrowsAnyAsync<Exception>(() => ReadAllAsync(replay));
        Exception droppedAgain = await Assert.ThrowsAnyAsync<Exception>(() => ReadAllAsync(replay));

        Assert.Equal(refused.GetType(), refusedAgain.GetType());
        Assert.Contains("Connection refused (simulated for request #1). (replayed from 0001.exchange.json)", refusedAgain.Message, StringComparison.Ordinal);
        Assert.Equal(dropped.GetType(), droppedAgain.GetType());
        using JsonDocument file = JsonDocument.Parse(File.ReadAllBytes(_folder.Files[1]));
        Assert.Equal("dropped", file.RootElement.GetProperty("response").GetProperty("ending").GetString());
        Assert.Contains("dropped after 200 bytes", file.RootElement.GetProperty("response").GetProperty("ending_message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AReaderThatStopsEarlyIsRecordedAsClosed()
    {
        var upstream = new FakeAnthropicHandler().RespondWith(new TranscriptBuilder().Text("one two three four").Stop(StopReason.EndTurn), Chunking.PerEvent);
        using var http = new HttpClient(new RecordingHandler(_folder.Path, upstream));
        var client = new AnthropicClient(http, new AnthropicClientOptions { ApiKey = ClientFactory.ApiKey, BaseUrl = new Uri("https://api.test.invalid") }, TimeProvider.System);
        await foreach (StreamEvent streamEvent in client.StreamAsync(ClientFactory.Hello))
        {
            break; // message_start only
        }

        using JsonDocument file = JsonDocument.Parse(File.ReadAllBytes(Assert.Single(_folder.Files)));
        JsonElement response = file.RootElement.GetProperty("response");
        Assert.Equal("closed", response.GetProperty("ending").GetString());
        Assert.StartsWith("event: message_start", response.GetProperty("body")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecordingAgainReplacesTheEarlierRecording()
    {
        Directory.CreateDirectory(_folder.Path);
        File.WriteAllText(Path.Combine(_folder.Path, "0009.exchange.json"), "stale");
        File.WriteAllText(Path.Combine(_folder.Path, "notes.txt"), "kept");

        await ReadAllAsync(new RecordingHandler(_folder.Path, new FakeAnthropicHandler().RespondWith(new TranscriptBuilder().Text("x").Stop(StopReason.EndTurn))));

        Assert.Equal(["0001.exchange.json", "notes.txt"], _folder.Files.Select(Path.GetFileName));
    }

    [Fact]
    public void LoadingFailsClearlyWithoutARecording()
    {
        Assert.Throws<DirectoryNotFoundException>(() => new ReplayHandler(_folder.Path));
        Directory.CreateDirectory(_folder.Path);
        Assert.Contains("holds no *.exchange.json files", Assert.Throws<InvalidDataException>(() => new ReplayHandler(_folder.Path)).Message, StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(_folder.Path, "0001.exchange.json"), """{"format":"streamingagents-exchange-v1","request":{"method":"POST","url":"u","headers":{},"body":{}},"response":{"status":200,"headers_ms":0,"headers":{},"body":["abc"],"reads":[{"ms":1,"bytes":2}],"ending":"end"}}""");
        Assert.Equal(
            "Recording '0001.exchange.json': $.response.reads add up to 2 bytes but the body has 3.",
            Assert.Throws<InvalidDataException>(() => new ReplayHandler(_folder.Path)).Message);
    }

    /// <summary>Streams <see cref="ClientFactory.Hello"/> through <paramref name="handler"/> to the end; returns the number of text deltas.</summary>
    internal static async Task<int> ReadAllAsync(HttpMessageHandler handler)
    {
        var options = new AnthropicClientOptions { ApiKey = ClientFactory.ApiKey, BaseUrl = new Uri("https://api.test.invalid"), MaxRetries = 0 };
        var client = new AnthropicClient(new HttpClient(handler, disposeHandler: false), options, TimeProvider.System);
        int texts = 0;
        await foreach (StreamEvent streamEvent in client.StreamAsync(ClientFactory.Hello))
        {
            texts += streamEvent is ContentBlockDeltaEvent { Delta: TextDelta } ? 1 : 0;
        }

        return texts;
    }

    private void WriteExchange(string name, double headersMs, byte[] body, (double Ms, int Bytes)[] reads)
    {
        Directory.CreateDirectory(_folder.Path);
        var text = new StringBuilder();
        text.Append("""{"format":"streamingagents-exchange-v1","request":{"method":"POST","url":"https://api.test.invalid/v1/messages","headers":{},"body":{}},""");
        text.Append(System.Globalization.CultureInfo.InvariantCulture, $$"""
            "response":{"status":200,"headers_ms":{{headersMs}},"headers":{"content-type":"text/event-stream"},"body_base64":"{{Convert.ToBase64String(body)}}","reads":[
            """);
        text.AppendJoin(',', reads.Select(static read => string.Create(System.Globalization.CultureInfo.InvariantCulture, $$"""{"ms":{{read.Ms}},"bytes":{{read.Bytes}}}""")));
        text.Append("""],"ending":"end"}}""");
        File.WriteAllText(Path.Combine(_folder.Path, name + ".exchange.json"), text.ToString());
    }

    /// <summary>Advances fake time by <paramref name="advance"/> and checks that <paramref name="task"/> still waits.</summary>
    private static async Task AssertPendingAsync(Task task, FakeTimeProvider time, TimeSpan advance)
    {
        time.Advance(advance);
        await Task.Delay(30);
        Assert.False(task.IsCompleted, $"completed {advance.TotalMilliseconds} ms early");
    }

    private sealed class HeaderAddingHandler(string name, string value) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.TryAddWithoutValidation(name, value);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
