using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace StreamingAgents.Tools;

/// <summary>
/// A tool with typed input: the schema is generated from <typeparamref name="TInput"/> (<c>[Description]</c>
/// attributes become descriptions, <c>required</c> members become required) and the input is deserialized with
/// source-generated metadata.
/// </summary>
/// <typeparam name="TInput">The input type, registered in a <c>JsonSerializerContext</c>.</typeparam>
public abstract class AgentTool<TInput> : AgentTool
{
    private readonly JsonTypeInfo<TInput> _inputTypeInfo;

    /// <summary>Initializes a new typed tool.</summary>
    /// <param name="name">The tool name.</param>
    /// <param name="description">What it does, for the model.</param>
    /// <param name="inputTypeInfo">The input's JSON metadata, for example <c>MyJsonContext.Default.SearchInput</c>.</param>
    protected AgentTool(string name, string description, JsonTypeInfo<TInput> inputTypeInfo)
        : base(name, description, ToolSchema.Create(inputTypeInfo))
    {
        _inputTypeInfo = inputTypeInfo;
    }

    /// <inheritdoc/>
    public sealed override ValueTask<ToolResult> ExecuteAsync(JsonElement input, ToolContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        TInput? typed;
        try
        {
            typed = input.Deserialize(_inputTypeInfo);
        }
        catch (JsonException exception)
        {
            return ValueTask.FromResult(ToolResult.Error($"The input does not fit tool '{Name}': {exception.Message}"));
        }

        return typed is null
            ? ValueTask.FromResult(ToolResult.Error($"The input of tool '{Name}' must be an object, not null."))
            : ExecuteAsync(typed, context);
    }

    /// <summary>Runs the tool with its typed input.</summary>
    /// <param name="input">The input.</param>
    /// <param name="context">The call's ID, status reporting and cancellation.</param>
    /// <returns>The result for the model.</returns>
    protected abstract ValueTask<ToolResult> ExecuteAsync(TInput input, ToolContext context);
}
