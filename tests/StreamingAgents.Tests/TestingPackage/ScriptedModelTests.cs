using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using StreamingAgents.Agents;
using StreamingAgents.Testing.Assertions;
using StreamingAgents.Testing.Http;
using StreamingAgents.Testing.Streams;

namespace StreamingAgents.Tests.TestingPackage;

public sealed class ScriptedModelTests
{
    [Fact]
    public async Task ServesManyConcurrentRunsEachFromItsOwnRequests()
    {
        ScriptedModel model = OrderScript.Model(Chunking.Random(seed: 3, maxChunkSize: 17), new ChunkedStreamOptions { YieldOnEachRead = true });
        AgentRunner runner = OrderScript.Runner(model);

        AgentRunTrace[] traces = await Task.WhenAll(Enumerable.Range(1, 16).Select(i =>
            Task.Run(() => AgentRunTrace.CaptureAsync(runner.RunAsync($"ORD-{i}")))));

        for (int i = 1; i <= 16; i++)
        {
            Assert.Equal(AgentRunOutcome.Completed, traces[i - 1].Completion.Outcome);
            Assert.Contains($"lookup: found ORD-{i}.", traces[i - 1].Completion.FinalText, StringComparison.Ordinal);
        }

        Assert.Equal(32, model.Requests.Count);
    }

    [Fact]
    public async Task DelaysComeFromTheTimeProvider()
    {
        var time = new FakeTimeProvider();
        ScriptedModel model = OrderScript.Model(Chunking.PerEvent, new ChunkedStreamOptions { InitialDelay = TimeSpan.FromSeconds(5), TimeProvider = time });
        using var http = new HttpClient(model);
        using HttpResponseMessage response = await PostAsync(http, """{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}""");
        await using Stream body = await response.Content.ReadAsStreamAsync();

        ValueTask<int> read = body.ReadAsync(new byte[4096]);
        await Task.Delay(50);
        Assert.False(read.IsCompleted, "the first byte came before the scripted delay");
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(await read > 0);
    }

    [Fact]
    public async Task AnswersABodyThatIsNotARequestWithTheApisError()
    {
        using var http = new HttpClient(OrderScript.Model());
        using HttpResponseMessage response = await http.PostAsync("https://api.test.invalid/v1/messages", Json("""{"messages": 42}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("invalid_request_error", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    internal static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>Posts a Messages API body and returns at the headers, leaving the body to stream.</summary>
    internal static Task<HttpResponseMessage> PostAsync(HttpClient http, string json) =>
        http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "https://api.test.invalid/v1/messages") { Content = Json(json) }, HttpCompletionOption.ResponseHeadersRead);
}
