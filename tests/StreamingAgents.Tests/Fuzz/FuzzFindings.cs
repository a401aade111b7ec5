using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using StreamingAgents.Events;
using StreamingAgents.Http;

namespace StreamingAgents.Tests.Fuzz;

/// <summary>
/// Collects every failing case of a fuzz run (thread-safe) and reports them grouped by class: exception type, the
/// phase it came out of, and the top stack frame in the library's own source.
/// </summary>
internal sealed partial class FuzzFindings(string layer)
{
    /// <summary>Examples listed per class; set FUZZ_EXAMPLES to see more (the report file lists them too).</summary>
    private static readonly int s_examplesPerClass = int.TryParse(Environment.GetEnvironmentVariable("FUZZ_EXAMPLES"), out int n) && n > 0 ? n : 3;
    private static readonly int s_maxExamples = Math.Max(40, s_examplesPerClass * 20);

    private readonly ConcurrentQueue<Finding> _findings = new();

    public int Count => _findings.Count;

    /// <summary>Whether an exception is one the reading layers document: stream, API and SSE framing errors.</summary>
    public static bool IsDocumented(Exception exception) =>
        exception is AnthropicStreamException or AnthropicApiException or InvalidDataException;

    /// <summary>Records an undocumented exception that escaped <paramref name="phase"/>.</summary>
    public void Add(FuzzCase fuzzCase, string phase, Exception exception) =>
        _findings.Enqueue(new Finding(fuzzCase, $"{exception.GetType().FullName} from {phase} @ {TopFrame(exception)}", OneLine(exception.Message), exception));

    /// <summary>Records a broken expectation that is not an exception.</summary>
    public void Add(FuzzCase fuzzCase, string problem, string detail) =>
        _findings.Enqueue(new Finding(fuzzCase, problem, OneLine(detail), null));

    /// <summary>Fails with every class of finding, a few examples each.</summary>
    public void AssertNone(int caseCount, TimeSpan elapsed)
    {
        string report = Report(caseCount, elapsed);
        WriteReportFile(report);
        Assert.True(_findings.IsEmpty, report);
    }

    public string Report(int caseCount, TimeSpan elapsed)
    {
        var text = new StringBuilder();
        var groups = _findings.GroupBy(f => f.Class).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).ToList();
        text.AppendLine(CultureInfo.InvariantCulture, $"{layer}: {_findings.Count} of {caseCount} mutated streams failed ({groups.Count} distinct classes, {elapsed.TotalSeconds:0.0} s).");
        int examples = 0;
        foreach (var group in groups)
        {
            Finding first = group.First();
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"[{group.Count()}x] {group.Key}");
            text.AppendLine(CultureInfo.InvariantCulture, $"      e.g. message: {Shorten(first.Detail, 200)}");
            foreach (Finding finding in group.OrderBy(f => f.Case.Description.Length).Take(s_examplesPerClass))
            {
                if (examples++ >= s_maxExamples)
                {
                    break;
                }

                text.AppendLine(CultureInfo.InvariantCulture, $"      - {Shorten(finding.Case.ToString(), 180)}");
            }

            if (first.Exception?.InnerException is { } inner)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"      inner: {inner.GetType().FullName}: {Shorten(OneLine(inner.Message), 160)}");
            }
        }

        return text.ToString();
    }

    /// <summary>Writes the full report, with one whole stack trace per class, next to the test binaries.</summary>
    private void WriteReportFile(string report)
    {
        var text = new StringBuilder(report);
        foreach (var group in _findings.GroupBy(f => f.Class))
        {
            if (group.First().Exception is { } exception)
            {
                text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"==== {group.Key}").AppendLine(exception.ToString());
            }
        }

        string name = "fuzz-findings-" + NonWord().Replace(layer, "-").ToLowerInvariant() + ".txt";
        File.WriteAllText(Path.Combine(AppContext.BaseDirectory, name), text.ToString());
    }

    /// <summary>The first frame of the library's own code (not the tests or the testing package), with file and line.</summary>
    public static string TopFrame(Exception exception)
    {
        foreach (string line in (exception.StackTrace ?? string.Empty).Split('\n'))
        {
            string trimmed = line.Trim();
            if (!trimmed.StartsWith("at StreamingAgents.", StringComparison.Ordinal)
                || trimmed.StartsWith("at StreamingAgents.Tests.", StringComparison.Ordinal)
                || trimmed.StartsWith("at StreamingAgents.Testing.", StringComparison.Ordinal))
            {
                continue;
            }

            Match match = FrameLine().Match(trimmed);
            if (!match.Success)
            {
                return trimmed[3..];
            }

            string method = ParameterList().Replace(match.Groups["method"].Value, "()");
            string file = match.Groups["file"].Value.Replace('\\', '/');
            int src = file.LastIndexOf("/src/", StringComparison.Ordinal);
            file = src >= 0 ? file[(src + 5)..] : Path.GetFileName(file);
            return match.Groups["line"].Success ? $"{method} ({file}:{match.Groups["line"].Value})" : method;
        }

        // No library frame: say where it came from instead.
        string top = (exception.StackTrace ?? string.Empty).Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("at ", StringComparison.Ordinal)) ?? "(no stack)";
        return "no library frame; top: " + Shorten(top, 120);
    }

    private static string OneLine(string text) => text.Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..max] + "…";

    [GeneratedRegex(@"^at (?<method>.+?)(?: in (?<file>.+?):line (?<line>\d+))?$")]
    private static partial Regex FrameLine();

    [GeneratedRegex(@"\([^()]*\)")]
    private static partial Regex ParameterList();

    [GeneratedRegex(@"\W+")]
    private static partial Regex NonWord();

    private sealed record Finding(FuzzCase Case, string Class, string Detail, Exception? Exception);
}
