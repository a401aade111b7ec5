using System.Globalization;
using StreamingAgents.Agents;

namespace OrderAgent;

/// <summary>Writes agent events to the terminal as they happen, and the timings at the end.</summary>
internal sealed class ConsoleRenderer(TimeProvider time)
{
    private readonly long _started = time.GetTimestamp();
    private TimeSpan? _firstToken;
    private bool _atLineStart = true;

    public void Render(AgentEvent agentEvent)
    {
        switch (agentEvent)
        {
            case TextReceived text:
                _firstToken ??= time.GetElapsedTime(_started);
                Write(text.Text);
                break;
            case ToolCallStarted call:
                WriteLine($"  {call.StatusLabel ?? $"⚙ Calling {call.ToolName}…"}");
                break;
            case ToolApprovalRequested approval:
                // The refund tool needs a person's yes: ask on the terminal (no answer, as with input redirected from nothing, is a no).
                Write($"    Allow {approval.ToolName} {approval.Input}? [y/N] ");
                bool approved = Console.ReadLine()?.Trim().StartsWith('y') == true;
                _atLineStart = !Console.IsInputRedirected; // a typed answer ended the line; a redirected one echoes nothing
                if (!(approved ? approval.Approve() : approval.Deny("the customer said no at the prompt")))
                {
                    WriteLine("    (too late: the call no longer waits for an answer)");
                }

                break;
            case ToolStatusReported status:
                WriteLine($"    {status.Status}");
                break;
            case ToolCallCompleted done:
                WriteLine($"  {(done.IsError ? "✗" : "✓")} {done.ToolName} ({done.Duration.TotalMilliseconds:0} ms){(done.IsError ? $": {done.Result}" : string.Empty)}");
                break;
            case TurnRetrying retry:
                WriteLine($"  ↻ The stream failed ({retry.Error.Type}); trying the turn again…");
                break;
            case RunCompleted completed:
                Summarize(completed);
                break;
        }
    }

    private void Summarize(RunCompleted completed)
    {
        TimeSpan total = time.GetElapsedTime(_started);
        WriteLine(string.Empty);
        WriteLine(new string('─', 60));
        if (completed.Outcome != AgentRunOutcome.Completed)
        {
            WriteLine($"Run ended: {completed.Outcome}{(completed.Error is { } error ? $" — {error.Type}: {error.Message}" : string.Empty)}");
        }

        string firstToken = _firstToken is { } ttft ? $"{ttft.TotalMilliseconds:0} ms" : "n/a";
        WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Time to first token: {firstToken} · Total: {total.TotalSeconds:0.0} s · {completed.TurnCount} turns · " +
            $"{completed.TotalUsage.InputTokens:N0} input / {completed.TotalUsage.OutputTokens:N0} output tokens"));
    }

    private void Write(string text)
    {
        Console.Write(text);
        _atLineStart = text.EndsWith('\n');
    }

    private void WriteLine(string line)
    {
        if (!_atLineStart)
        {
            Console.WriteLine();
        }

        Console.WriteLine(line);
        _atLineStart = true;
    }
}
