using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace StreamingAgents.Tools;

public abstract partial class AgentTool
{
    /// <summary>Creates a typed tool from a delegate.</summary>
    /// <typeparam name="TInput">The input type.</typeparam>
    /// <param name="name">The tool name.</param>
    /// <param name="description">What it does, for the model.</param>
    /// <param name="inputTypeInfo">The input's JSON metadata, for example <c>MyJsonContext.Default.SearchInput</c>.</param>
    /// <param name="execute">The work: input and context in, result out.</param>
    /// <param name="statusLabel">The text shown to people while the tool is called.</param>
    /// <param name="isReadOnly">Whether the tool has no side effects (it may then start early).</param>
    /// <param name="runsAlone">Whether the tool must not run at the same time as any other tool.</param>
    /// <param name="timeout">The tool's own time limit; <see langword="null"/> uses the runner's default.</param>
    /// <param name="requiresApproval">Whether every call needs a person's approval before it runs.</param>
    /// <param name="approvalCondition">When calls need approval, judged on their input (see <see cref="ApprovalCondition"/>).</param>
    /// <returns>The tool.</returns>
    public static AgentTool Create<TInput>(
        string name,
        string description,
        JsonTypeInfo<TInput> inputTypeInfo,
        Func<TInput, ToolContext, ValueTask<ToolResult>> execute,
        string? statusLabel = null,
        bool isReadOnly = false,
        bool runsAlone = false,
        TimeSpan? timeout = null,
        bool requiresApproval = false,
        Func<JsonElement, bool>? approvalCondition = null)
    {
        ArgumentNullException.ThrowIfNull(inputTypeInfo);
        ArgumentNullException.ThrowIfNull(execute);
        return new DelegateTool<TInput>(name, description, inputTypeInfo, execute)
        {
            StatusLabel = statusLabel,
            IsReadOnly = isReadOnly,
            RunsAlone = runsAlone,
            Timeout = timeout,
            RequiresApproval = requiresApproval,
            ApprovalCondition = approvalCondition,
        };
    }
}
