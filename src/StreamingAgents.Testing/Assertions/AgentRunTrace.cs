using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using StreamingAgents.Agents;

namespace StreamingAgents.Testing.Assertions;

/// <summary>
/// The events of one agent run, captured for assertions that read well in any test framework: the run as a list of
/// normalized <see cref="Steps"/> (turns, merged text, tool calls with their input, results, the ending) and ordering
/// checks such as "the tool started before the model's message ended". Failed assertions throw
/// <see cref="AgentAssertionException"/> with the whole run in the message.
/// </summary>
public sealed class AgentRunTrace
{
    private AgentRunTrace(IReadOnlyList<AgentEvent> events)
    {
        Events = events;
        Steps = Normalize(events);
    }

    /// <summary>Gets every event of the run, in order.</summary>
    public IReadOnlyList<AgentEvent> Events { get; }

    /// <summary>
    /// Gets the run as steps that do not depend on timing or chunking: <c>turn 1</c>; <c>text: …</c> (the deltas of a
    /// block merged); <c>thinking: …</c>; <c>call name {input}</c>; <c>turn 1 ended: tool_use</c>; then that turn's
    /// <c>result name: …</c> or <c>error name: …</c> in call order (tools run concurrently, so their events interleave
    /// with the model's); <c>discarded name: reason</c>; <c>retrying turn 1: error</c>; and the ending, <c>run completed</c>
    /// or <c>run failed: type: message</c> (any outcome, snake_case).
    /// </summary>
    public IReadOnlyList<string> Steps { get; }

    /// <summary>Gets the run's final event.</summary>
    /// <exception cref="AgentAssertionException">The run did not end with a <see cref="RunCompleted"/>.</exception>
    public RunCompleted Completion => Events.Count > 0 && Events[^1] is RunCompleted completed
        ? completed
        : throw new AgentAssertionException($"The run did not end with run_completed.{Environment.NewLine}{Describe()}");

    /// <summary>Reads a run's events to the end.</summary>
    /// <param name="events">The run, for example <c>runner.RunAsync("…")</c>.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <returns>The trace.</returns>
    public static async Task<AgentRunTrace> CaptureAsync(IAsyncEnumerable<AgentEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        var list = new List<AgentEvent>();
        await foreach (AgentEvent agentEvent in events.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            list.Add(agentEvent);
        }

        return new AgentRunTrace(list);
    }

    /// <summary>Asserts that the run's <see cref="Steps"/> are exactly <paramref name="expected"/>.</summary>
    /// <param name="expected">The steps, in order.</param>
    /// <exception cref="AgentAssertionException">They differ; the message shows the first difference and every step.</exception>
    public void ShouldHaveSteps(params string[] expected)
    {
        ArgumentNullException.ThrowIfNull(expected);
        int at = 0;
        while (at < expected.Length && at < Steps.Count && expected[at] == Steps[at])
        {
            at++;
        }

        if (at == expected.Length && at == Steps.Count)
        {
            return;
        }

        string expectedStep = at < expected.Length ? expected[at] : "(no more steps)";
        string actualStep = at < Steps.Count ? Steps[at] : "(no more steps)";
        throw new AgentAssertionException(
            $"The run's steps differ at step {at + 1}:{Environment.NewLine}  expected: {expectedStep}{Environment.NewLine}  actual:   {actualStep}{Environment.NewLine}{Describe()}");
    }

    /// <summary>
    /// Asserts that <paramref name="toolName"/> started executing before the model's message that called it ended: at
    /// the call's <c>content_block_stop</c>, not after <c>message_stop</c> (the runner starts read-only tools early).
    /// </summary>
    /// <remarks>
    /// This reads the runner's decision (<see cref="ToolExecutionStarted.IsEager"/>), not the order of the events: a tool
    /// runs on another thread, so whether its first event is delivered before the turn's end depends on scheduling.
    /// </remarks>
    /// <param name="toolName">The tool's name.</param>
    /// <exception cref="AgentAssertionException">The tool never started, or only after its message ended.</exception>
    public void ShouldHaveStartedToolBeforeMessageEnded(string toolName)
    {
        ArgumentNullException.ThrowIfNull(toolName);
        ToolExecutionStarted[] starts = [.. Events.OfType<ToolExecutionStarted>().Where(start => start.ToolName == toolName)];
        if (starts.Length == 0)
        {
            throw new AgentAssertionException($"Tool '{toolName}' never started executing.{Environment.NewLine}{Describe()}");
        }

        if (starts.FirstOrDefault(static start => !start.IsEager) is { } late)
        {
            throw new AgentAssertionException(
                $"Tool '{toolName}' (call {late.ToolCallId}, turn {late.Turn}) started only after its message ended: only a read-only tool " +
                $"whose input is complete starts at its content_block_stop.{Environment.NewLine}{Describe()}");
        }
    }

    /// <summary>Describes the run: its steps, numbered.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => Describe();

    private string Describe()
    {
        var text = new StringBuilder($"The run has {Steps.Count} steps ({Events.Count} events):");
        for (int i = 0; i < Steps.Count; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{Environment.NewLine}  {i + 1,3}. {Steps[i]}");
        }

        return text.ToString();
    }

    private static List<string> Normalize(IReadOnlyList<AgentEvent> events)
    {
        var steps = new List<string>();
        var results = new List<(string CallId, string Step)>();
        var calls = new List<string>();
        StringBuilder? text = null;
        string? textKind = null;

        void FlushText()
        {
            if (text is not null)
            {
                steps.Add($"{textKind}: {text}");
                text = null;
            }
        }

        void Append(string kind, string delta)
        {
            if (textKind != kind)
            {
                FlushText();
            }

            textKind = kind;
            (text ??= new StringBuilder()).Append(delta);
        }

        foreach (AgentEvent agentEvent in events)
        {
            if (agentEvent is TextReceived textReceived)
            {
                Append("text", textReceived.Text);
                continue;
            }

            if (agentEvent is ThinkingReceived thinking)
            {
                Append("thinking", thinking.Thinking);
                continue;
            }

            if (agentEvent is not (TurnStarted or ToolCallReady or TurnCompleted or ToolCallCompleted or ToolCallDiscarded or TurnRetrying or RunCompleted))
            {
                continue; // progress, status and timing events: they depend on chunking and scheduling
            }

            FlushText();
            switch (agentEvent)
            {
                case TurnStarted started:
                    AddResults();
                    steps.Add(started.Attempt == 1 ? $"turn {started.Turn}" : $"turn {started.Turn}, attempt {started.Attempt}");
                    break;
                case ToolCallReady ready:
                    calls.Add(ready.ToolCallId);
                    steps.Add($"call {ready.ToolName} {Compact(ready.Input)}");
                    break;
                case TurnCompleted completed:
                    steps.Add($"turn {completed.Turn} ended: {SnakeCase(completed.StopReason?.ToString() ?? "none")}");
                    break;
                case ToolCallCompleted result:
                    results.Add((result.ToolCallId, $"{(result.IsError ? "error" : "result")} {result.ToolName}: {result.ResultPreview}"));
                    break;
                case ToolCallDiscarded discarded:
                    steps.Add($"discarded {discarded.ToolName}: {discarded.Reason}");
                    break;
                case TurnRetrying retrying:
                    steps.Add($"retrying turn {retrying.Turn}: {retrying.Error.Type}: {retrying.Error.Message}");
                    break;
                case RunCompleted run:
                    AddResults();
                    steps.Add(run.Error is { } error
                        ? $"run {SnakeCase(run.Outcome.ToString())}: {error.Type}: {error.Message}"
                        : $"run {SnakeCase(run.Outcome.ToString())}");
                    break;
            }
        }

        FlushText();
        AddResults();
        return steps;

        void AddResults()
        {
            // After the turn's end, in call order, whenever each finished: tools run concurrently with each other and
            // with the stream, and a read-only one may finish before the message ends.
            foreach ((_, string step) in results.OrderBy(result => calls.IndexOf(result.CallId)))
            {
                steps.Add(step);
            }

            results.Clear();
        }
    }

    private static string Compact(JsonElement input)
    {
        if (input.ValueKind == JsonValueKind.Undefined)
        {
            return "{}";
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            input.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string SnakeCase(string name) => JsonNamingPolicy.SnakeCaseLower.ConvertName(name);
}
