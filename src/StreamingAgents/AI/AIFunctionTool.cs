using System.Text.Json;
using Microsoft.Extensions.AI;
using StreamingAgents.Tools;

namespace StreamingAgents.AI;

/// <summary>
/// A Microsoft.Extensions.AI <see cref="AIFunction"/> (for example from <c>AIFunctionFactory.Create(delegate)</c>) as a
/// tool of the agent runner: its schema is the function's, the runner validates the input against it, and the
/// function's return value becomes the result's text.
/// </summary>
internal sealed class AIFunctionTool(AIFunction function) : AgentTool(function.Name, function.Description ?? string.Empty, function.JsonSchema)
{
    public override async ValueTask<ToolResult> ExecuteAsync(JsonElement input, ToolContext context)
    {
        var arguments = new AIFunctionArguments(StringComparer.Ordinal);
        if (input.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty property in input.EnumerateObject())
            {
                arguments[property.Name] = property.Value.Clone();
            }
        }

        object? result = await function.InvokeAsync(arguments, context.CancellationToken).ConfigureAwait(false);
        return ToolResult.Text(ChatRequestMapper.ResultText(result, context.ToolCallId));
    }
}

/// <summary>A tool of the agent runner as a Microsoft.Extensions.AI <see cref="AIFunction"/>, for any <see cref="IChatClient"/> pipeline.</summary>
internal sealed class AgentToolFunction(AgentTool tool) : AIFunction
{
    public override string Name => tool.Name;

    public override string Description => tool.Description;

    public override JsonElement JsonSchema => tool.InputSchema;

    /// <summary>
    /// Runs the tool as the agent runner would: input checked against its schema, within its time limit. An error
    /// (a bad input, the tool's own error result, a timeout) is returned as text starting "Error:", so the model reads
    /// it (function invocation hides exception messages by default, and counts them towards giving up).
    /// </summary>
    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        JsonElement input = JsonSerializer.SerializeToElement(
            arguments.ToDictionary(static pair => pair.Key, static pair => pair.Value, StringComparer.Ordinal),
            AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, object?>)));
        IReadOnlyList<string> problems = ToolInputValidator.Validate(input, tool.InputSchema);
        if (problems.Count > 0)
        {
            return $"Error: the input does not match the schema of tool '{tool.Name}', so it was not run: {string.Join(" ", problems)}";
        }

        TimeSpan limit = tool.Timeout ?? DefaultTimeout;
        using var timeout = new CancellationTokenSource(limit);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        string callId = FunctionInvokingChatClient.CurrentContext?.CallContent.CallId ?? $"call_{Guid.NewGuid():N}";
        try
        {
            ToolResult result = await tool.ExecuteAsync(input, new ToolContext(callId, tool.Name, static _ => { }, linked.Token)).ConfigureAwait(false);
            return result.IsError ? $"Error: {result.Content}" : result.Content;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return $"Error: tool '{tool.Name}' timed out after {limit.TotalSeconds:0.###} s.";
        }
    }

    /// <summary>The runner's default tool time limit (<see cref="Agents.AgentRunnerOptions.ToolTimeout"/>).</summary>
    private static readonly TimeSpan DefaultTimeout = new Agents.AgentRunnerOptions().ToolTimeout;
}
