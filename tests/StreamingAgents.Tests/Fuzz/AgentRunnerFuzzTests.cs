using StreamingAgents.Agents;
using Xunit.Abstractions;

namespace StreamingAgents.Tests.Fuzz;

/// <summary>
/// Layers c and d: every mutation of the tool-use fixtures as the first response of an agent run (read-only
/// <c>search_orders</c> starts early, <c>get_shipping_status</c> waits for the turn), later turns answered with plain
/// end_turn text. One shared pass; each test checks one property of it.
/// </summary>
[Collection(FuzzTestGroup.Name)]
public sealed class AgentRunnerFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public async Task RunAsync_MutatedToolStreams_NeverThrowAndEndWithOneRunCompleted()
    {
        RunnerCorpusRun run = await RunnerCorpusRun.Shared;
        var findings = new FuzzFindings("AgentRunner.RunAsync ends with RunCompleted");

        foreach (RunnerCaseResult result in run.Results)
        {
            if (result.Hung)
            {
                findings.Add(result.Case, "hang", $"the run did not end within {FuzzHarness.CaseTimeout.TotalSeconds} s");
            }
            else if (result.Thrown is { } thrown)
            {
                findings.Add(result.Case, "RunAsync enumeration", thrown);
            }
            else if (result.Completed is null)
            {
                findings.Add(result.Case, "last event is not RunCompleted", $"{result.Events.Count} events, last: {(result.Events.Count > 0 ? result.Events[^1].GetType().Name : null) ?? "none"}");
            }
            else if (result.Events.OfType<RunCompleted>().Count() != 1)
            {
                findings.Add(result.Case, "more than one RunCompleted", $"{result.Events.OfType<RunCompleted>().Count()} RunCompleted events");
            }
        }

        Finish(findings, run);
    }

    [Fact]
    public async Task RunAsync_MutatedToolStreams_BadStreamEndsFailedWithError()
    {
        RunnerCorpusRun run = await RunnerCorpusRun.Shared;
        var findings = new FuzzFindings("AgentRunner.RunAsync outcome of bad streams");

        foreach (RunnerCaseResult result in run.Results)
        {
            if (result.Completed is not { } completed)
            {
                continue; // reported by the RunCompleted test
            }

            if (result.Oracle.IsBad && completed.Outcome != AgentRunOutcome.Failed)
            {
                findings.Add(result.Case, $"bad stream ({result.Oracle.Exception!.GetType().Name}) but Outcome = {completed.Outcome}", result.Oracle.Exception.Message);
            }

            if (completed.Outcome == AgentRunOutcome.Failed && completed.Error is null)
            {
                findings.Add(result.Case, "Outcome = Failed without Error", "RunCompleted.Error is null");
            }

            if (completed.Outcome != AgentRunOutcome.Failed && completed.Error is not null)
            {
                findings.Add(result.Case, $"Outcome = {completed.Outcome} with an Error", $"{completed.Error.Type}: {completed.Error.Message}");
            }
        }

        Finish(findings, run);
    }

    [Fact]
    public async Task RunAsync_MutatedToolStreams_FailOnlyWithDocumentedErrors()
    {
        RunnerCorpusRun run = await RunnerCorpusRun.Shared;
        var findings = new FuzzFindings("AgentRunner.RunAsync failure causes");

        foreach (RunnerCaseResult result in run.Results)
        {
            foreach (Exception failure in result.RunFailures.Where(f => !FuzzFindings.IsDocumented(f)))
            {
                findings.Add(result.Case, "the run (logged RunFailed)", failure);
            }
        }

        Finish(findings, run);
    }

    [Fact]
    public async Task RunAsync_MutatedToolStreams_NoToolStillRunningAfterEnumeration()
    {
        RunnerCorpusRun run = await RunnerCorpusRun.Shared;
        var findings = new FuzzFindings("AgentRunner.RunAsync tool lifetimes");

        foreach (RunnerCaseResult result in run.Results.Where(r => !r.Hung && r.ToolsStarted != r.ToolsFinished))
        {
            findings.Add(result.Case, "a tool was still running after the enumeration ended", $"{result.ToolsStarted} started, {result.ToolsFinished} finished");
        }

        Finish(findings, run);
    }

    [Fact]
    public async Task RunAsync_MutatedToolStreams_NoUnobservedTaskExceptions()
    {
        RunnerCorpusRun run = await RunnerCorpusRun.Shared;

        output.WriteLine(Summary(run));
        Assert.True(
            run.Unobserved.Count == 0,
            $"{run.Unobserved.Count} UnobservedTaskException(s) during {run.Results.Count} runs:\n" +
            string.Join("\n", run.Unobserved.Take(10).Select(e => e.ToString())));
    }

    private void Finish(FuzzFindings findings, RunnerCorpusRun run)
    {
        output.WriteLine(findings.Report(run.Results.Count, run.Elapsed));
        output.WriteLine(Summary(run));
        findings.AssertNone(run.Results.Count, run.Elapsed);
    }

    private static string Summary(RunnerCorpusRun run) =>
        "outcomes: " + Counts(run.Results, r => r.Completed?.Outcome.ToString() ?? "(threw or hung)") +
        "\nerror types of Failed runs: " + Counts(run.Results.Where(r => r.Completed?.Error is not null), r => r.Completed!.Error!.Type) +
        "\nFailed runs of streams the reader accepts (runner-side causes): " +
        Counts(run.Results.Where(r => !r.Oracle.IsBad && r.Completed?.Outcome == AgentRunOutcome.Failed), r => r.Completed!.Error!.Type) +
        $"\ntools ran in {run.Results.Count(r => r.ToolsStarted > 0)} of {run.Results.Count} runs ({run.Results.Sum(r => r.ToolsStarted)} executions)";

    private static string Counts(IEnumerable<RunnerCaseResult> results, Func<RunnerCaseResult, string> key) =>
        string.Join(", ", results.GroupBy(key).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}"));
}
