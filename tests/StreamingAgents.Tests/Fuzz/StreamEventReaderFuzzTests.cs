using StreamingAgents.Events;
using StreamingAgents.Messages;
using Xunit.Abstractions;

namespace StreamingAgents.Tests.Fuzz;

/// <summary>
/// Layer a: every mutated fixture through <see cref="StreamEventReader"/> and <see cref="MessageAccumulator"/>. Only
/// the documented exceptions may come out: <see cref="AnthropicStreamException"/> (and subclasses),
/// <c>AnthropicApiException</c> and <see cref="InvalidDataException"/>.
/// </summary>
[Collection(FuzzTestGroup.Name)]
public sealed class StreamEventReaderFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ReadAllAsync_MutatedFixtures_ThrowOnlyDocumentedExceptions()
    {
        IReadOnlyList<FuzzCase> cases = SseMutationCorpus.All;
        var findings = new FuzzFindings("StreamEventReader.ReadAllAsync + MessageAccumulator");

        TimeSpan elapsed = await FuzzHarness.RunAllAsync(cases, findings, async fuzzCase =>
            FuzzHarness.Check(findings, fuzzCase, await FuzzHarness.ReadBytesAsync(fuzzCase.Sse)));

        output.WriteLine(findings.Report(cases.Count, elapsed));
        findings.AssertNone(cases.Count, elapsed);
    }
}
