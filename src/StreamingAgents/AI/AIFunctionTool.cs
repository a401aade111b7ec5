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
        return ToolResult.Text(ChatRequestMapper.ResultText(result));
    }
}

/// <summary>A tool of the agent runner as a Microsoft.Extensions.AI <see cref="AIFunction"/>, for any <see cref="IChatClient"/> pipeline.</summary>
internal sealed class AgentToolFunction(AgentTool tool) : AIFunction
{
    public override string Name => tool.Name;

    public override string Description => tool.Description;

    public override JsonElement JsonSchema => tool.InputSchema;

    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        JsonElement input = JsonSerializer.SerializeToElement(
            arguments.ToDictionary(static pair => pair.Key, static pair => pair.Value, StringComparer.Ordinal),
            AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, object?>)));
        ToolResult result = await tool.ExecuteAsync(input, new ToolContext($"call_{Guid.NewGuid():N}", tool.Name, static _ => { }, cancellationToken)).ConfigureAwait(false);
        return result.IsError ? throw new InvalidOperationException(result.Content) : result.Content;
    }
}
