using System.Text.Json.Serialization.Metadata;

namespace StreamingAgents.Tools;

/// <summary>A typed tool whose work is a delegate.</summary>
internal sealed class DelegateTool<TInput>(
    string name,
    string description,
    JsonTypeInfo<TInput> inputTypeInfo,
    Func<TInput, ToolContext, ValueTask<ToolResult>> execute) : AgentTool<TInput>(name, description, inputTypeInfo)
{
    protected override ValueTask<ToolResult> ExecuteAsync(TInput input, ToolContext context) => execute(input, context);
}
