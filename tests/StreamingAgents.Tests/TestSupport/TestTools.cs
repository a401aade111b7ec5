using System.ComponentModel;
using System.Text.Json.Serialization;
using StreamingAgents.Tools;

namespace StreamingAgents.Tests.TestSupport;

[Description("What to look up.")]
public sealed record LookupInput
{
    [Description("The search text.")]
    public required string Query { get; init; }

    [Description("The most results to return.")]
    public int? Limit { get; init; }
}

public sealed record EmptyInput;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(LookupInput))]
[JsonSerializable(typeof(EmptyInput))]
internal sealed partial class TestJsonContext : JsonSerializerContext;

/// <summary>Tools scripted per test: what they return, how long they wait, and what they saw.</summary>
internal static class TestTools
{
    public static AgentTool Lookup(
        string name = "lookup",
        Func<LookupInput, ToolContext, ValueTask<ToolResult>>? execute = null,
        bool isReadOnly = true,
        string? statusLabel = "🔍 Looking up…") =>
        AgentTool.Create(name, $"Looks things up ({name}).", TestJsonContext.Default.LookupInput,
            execute ?? ((input, _) => ValueTask.FromResult(ToolResult.Text($"{name}: found {input.Query}"))),
            statusLabel, isReadOnly);

    /// <summary>A tool that waits until cancelled, and says when it was.</summary>
    public static AgentTool Hanging(string name, TaskCompletionSource cancelled, bool isReadOnly = true, TimeSpan? timeout = null) =>
        new HangingTool(name, cancelled, isReadOnly, timeout);

    private sealed class HangingTool : AgentTool<EmptyInput>
    {
        private readonly TaskCompletionSource _cancelled;

        public HangingTool(string name, TaskCompletionSource cancelled, bool isReadOnly, TimeSpan? timeout)
            : base(name, "Never finishes on its own.", TestJsonContext.Default.EmptyInput)
        {
            _cancelled = cancelled;
            IsReadOnly = isReadOnly;
            Timeout = timeout;
        }

        protected override async ValueTask<ToolResult> ExecuteAsync(EmptyInput input, ToolContext context)
        {
            try
            {
                await Task.Delay(System.Threading.Timeout.InfiniteTimeSpan, context.CancellationToken);
                return ToolResult.Text("unreachable");
            }
            finally
            {
                _cancelled.TrySetResult();
            }
        }
    }
}
