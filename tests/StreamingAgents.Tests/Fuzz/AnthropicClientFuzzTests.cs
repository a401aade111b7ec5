using StreamingAgents.Http;
using Xunit.Abstractions;

namespace StreamingAgents.Tests.Fuzz;

/// <summary>
/// Layer b: every mutated fixture served by a fake endpoint to <see cref="AnthropicClient.StreamAsync"/> (no retries),
/// each event added to a <c>MessageAccumulator</c>. Only documented exceptions may come out (stream, API, SSE framing
/// and timeout exceptions).
/// </summary>
[Collection(FuzzTestGroup.Name)]
public sealed class AnthropicClientFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public async Task StreamAsync_MutatedFixtures_ThrowOnlyDocumentedExceptions()
    {
        IReadOnlyList<FuzzCase> cases = SseMutationCorpus.All;
        var findings = new FuzzFindings("AnthropicClient.StreamAsync + MessageAccumulator");

        TimeSpan elapsed = await FuzzHarness.RunAllAsync(cases, findings, async fuzzCase =>
            FuzzHarness.Check(findings, fuzzCase, await FuzzHarness.ReadThroughClientAsync(fuzzCase.Sse)));

        output.WriteLine(findings.Report(cases.Count, elapsed));
        findings.AssertNone(cases.Count, elapsed);
    }
}
