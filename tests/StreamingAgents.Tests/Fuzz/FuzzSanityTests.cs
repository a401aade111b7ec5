using System.Text.Json;
using StreamingAgents.Agents;
using StreamingAgents.Events;
using StreamingAgents.Http;
using StreamingAgents.Tests.TestSupport;
using Xunit.Abstractions;

namespace StreamingAgents.Tests.Fuzz;

/// <summary>
/// The harness itself: the rebuilt SSE is the fixture, the splicing keeps JSON valid, and unmutated fixtures pass
/// every layer. If these fail, the fuzz findings are harness bugs, not library bugs.
/// </summary>
[Collection(FuzzTestGroup.Name)]
public sealed class FuzzSanityTests(ITestOutputHelper output)
{
    public static TheoryData<string> Fixtures() => [.. SseMutationCorpus.FixtureNames];

    public static TheoryData<string> FixturesWithMessage() => [.. SseMutationCorpus.FixturesWithMessage];

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Build_ParsedFixture_IsByteIdenticalToFile(string fixture)
    {
        byte[] original = Fixture.Bytes(fixture + ".sse");

        byte[] rebuilt = SseMutationCorpus.Unmutated(fixture);

        Assert.Equal(original.Count(b => b == (byte)'\n') / 3, SseMutationCorpus.LoadFrames(fixture).Count);
        Assert.Equal(original, rebuilt);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Splice_EveryNodeOfEveryEvent_ProducesValidJsonAndIdentityRoundTrips(string fixture)
    {
        int nodes = 0;
        foreach (SseFrame frame in SseMutationCorpus.LoadFrames(fixture))
        {
            using JsonDocument originalDocument = JsonDocument.Parse(frame.Data);
            foreach (JsonNodeSpan node in SseMutationCorpus.EnumerateNodes(frame.Data))
            {
                nodes++;
                byte[] own = frame.Data[node.Start..node.End];
                int ownMembers;
                using (JsonDocument ownDocument = JsonDocument.Parse(own))
                {
                    ownMembers = CountMembers(ownDocument.RootElement); // the span is exactly one JSON value
                }

                Assert.Equal(frame.Data, SseMutationCorpus.Splice(frame.Data, node, own));
                foreach ((string name, byte[]? replacement) in SseMutationCorpus.MutationsFor(node, own))
                {
                    if (name == "invalid UTF-8 string")
                    {
                        continue; // deliberately not JSON a strict parser accepts
                    }

                    byte[] mutated = SseMutationCorpus.Splice(frame.Data, node, replacement);
                    Assert.NotEqual(frame.Data, mutated);
                    using JsonDocument document = JsonDocument.Parse(mutated);
                    if (replacement is null)
                    {
                        Assert.Equal(CountMembers(originalDocument.RootElement) - 1 - ownMembers, CountMembers(document.RootElement));
                    }
                }
            }
        }

        Assert.True(nodes > 0);
    }

    [Fact]
    public void Generate_AllFixtures_ProducesAManageableNumberOfCases()
    {
        IReadOnlyList<FuzzCase> all = SseMutationCorpus.All;

        foreach (var group in all.GroupBy(c => c.Fixture))
        {
            output.WriteLine($"{group.Key}: {group.Count()} cases ({string.Join(", ", group.GroupBy(c => c.Kind).Select(k => $"{k.Key} {k.Count()}"))})");
        }

        output.WriteLine($"total: {all.Count}; runner corpus: {RunnerCorpusRun.Cases.Count}");
        Assert.InRange(all.Count, 2_000, 20_000);
        Assert.Equal(all.Count, all.Select(c => c.ToString()).Distinct().Count());
        Assert.All(SseMutationCorpus.FixtureNames, name => Assert.Contains(all, c => c.Fixture == name && c.Kind == MutationKind.Node));
    }

    [Theory]
    [MemberData(nameof(FixturesWithMessage))]
    public async Task ReadAllAsync_UnmutatedRebuiltFixture_ReadsTheRecordedMessage(string fixture)
    {
        ReadOutcome outcome = await FuzzHarness.ReadBytesAsync(SseMutationCorpus.Unmutated(fixture));

        Assert.Null(outcome.Exception);
        Fixture.AssertJsonEqual(Fixture.Json(fixture + ".json"), Fixture.ToJson(outcome.Message!), fixture);
    }

    [Theory]
    [MemberData(nameof(FixturesWithMessage))]
    public async Task StreamAsync_UnmutatedRebuiltFixture_ReadsTheRecordedMessage(string fixture)
    {
        ReadOutcome outcome = await FuzzHarness.ReadThroughClientAsync(SseMutationCorpus.Unmutated(fixture));

        Assert.Null(outcome.Exception);
        Fixture.AssertJsonEqual(Fixture.Json(fixture + ".json"), Fixture.ToJson(outcome.Message!), fixture);
    }

    [Fact]
    public async Task ReadAllAsync_UnmutatedErrorFixture_ThrowsOnlyTheApiError()
    {
        byte[] sse = SseMutationCorpus.Unmutated("error-mid-stream");

        ReadOutcome direct = await FuzzHarness.ReadBytesAsync(sse);
        ReadOutcome client = await FuzzHarness.ReadThroughClientAsync(sse);

        Assert.Equal("overloaded_error", Assert.IsType<AnthropicApiException>(direct.Exception).ErrorType);
        Assert.Equal("overloaded_error", Assert.IsType<AnthropicApiException>(client.Exception).ErrorType);
        Assert.Null(direct.PartialReadException);
        Assert.Null(client.PartialReadException);
    }

    [Fact]
    public async Task RunAsync_UnmutatedToolFixture_CompletesAfterRunningBothTools()
    {
        var fuzzCase = new FuzzCase(SseMutationCorpus.ToolFixture, MutationKind.None, "unmutated", SseMutationCorpus.Unmutated(SseMutationCorpus.ToolFixture));

        RunnerCaseResult result = await RunnerCorpusRun.RunCaseAsync(fuzzCase);

        Assert.Null(result.Thrown);
        Assert.False(result.Hung);
        Assert.Null(result.Oracle.Exception);
        RunCompleted completed = Assert.IsType<RunCompleted>(result.Events[^1]);
        Assert.Equal(AgentRunOutcome.Completed, completed.Outcome);
        Assert.Null(completed.Error);
        Assert.Equal(2, completed.TurnCount);
        Assert.Empty(result.RunFailures);
        Assert.Equal(2, result.ToolsStarted); // search_orders (early) and get_shipping_status; list_carriers is not registered
        Assert.Equal(2, result.ToolsFinished);
        ToolCallCompleted search = Assert.Single(result.Events.OfType<ToolCallCompleted>(), e => e.ToolName == "search_orders");
        Assert.False(search.IsError, search.Result);
        ToolCallCompleted status = Assert.Single(result.Events.OfType<ToolCallCompleted>(), e => e.ToolName == "get_shipping_status");
        Assert.False(status.IsError, status.Result);
        Assert.True(result.Events.OfType<ToolExecutionStarted>().Single(e => e.ToolName == "search_orders").IsEager);
    }

    [Fact]
    public async Task RunAsync_UnmutatedMaxTokensFixture_EndsWithMaxTokens()
    {
        var fuzzCase = new FuzzCase("max-tokens-tool-cut", MutationKind.None, "unmutated", SseMutationCorpus.Unmutated("max-tokens-tool-cut"));

        RunnerCaseResult result = await RunnerCorpusRun.RunCaseAsync(fuzzCase);

        Assert.Null(result.Thrown);
        Assert.Equal(AgentRunOutcome.MaxTokens, Assert.IsType<RunCompleted>(result.Events[^1]).Outcome);
        Assert.Equal(0, result.ToolsStarted);
    }

    [Fact]
    public async Task UnobservedTaskException_DroppedFaultedTask_IsDetectedByGcAndFinalizers()
    {
        var seen = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e)
        {
            if (e.Exception.InnerException?.Message == UnobservedProbeMessage)
            {
                e.SetObserved();
                seen.TrySetResult(e.Exception);
            }
        }

        TaskScheduler.UnobservedTaskException += OnUnobserved;
        try
        {
            DropFaultedTask();
            for (int i = 0; i < 10 && !seen.Task.IsCompleted; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                await Task.Delay(10);
            }

            Assert.True(seen.Task.IsCompleted, "the check the runner tests rely on did not see a dropped faulted task");
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= OnUnobserved;
        }
    }

    internal const string UnobservedProbeMessage = "fuzz sanity: deliberately unobserved";

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void DropFaultedTask() => _ = Task.Run(() => throw new InvalidOperationException(UnobservedProbeMessage));

    private static int CountMembers(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().Sum(p => 1 + CountMembers(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().Sum(CountMembers),
        _ => 0,
    };
}
