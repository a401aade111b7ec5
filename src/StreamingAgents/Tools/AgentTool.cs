using System.Text.Json;
using System.Text.RegularExpressions;
using StreamingAgents.Messages;

namespace StreamingAgents.Tools;

/// <summary>
/// A tool the agent runner can execute for the model: a name, a description, an input schema, how it may be
/// scheduled, and the code that runs it.
/// </summary>
/// <remarks>
/// Derive from <see cref="AgentTool{TInput}"/> for typed input, or use <see cref="AgentTool.Create{TInput}"/> with a
/// delegate. Tools run without the caller's synchronization context and may run concurrently with each other.
/// </remarks>
public abstract partial class AgentTool
{
    /// <summary>Initializes a new tool.</summary>
    /// <param name="name">The name the model calls it by: 1 to 64 letters, digits, '_' or '-'.</param>
    /// <param name="description">What it does and when to use it, for the model.</param>
    /// <param name="inputSchema">The JSON Schema of its input (an object schema).</param>
    /// <exception cref="ArgumentException">The name is not valid or the schema is not a JSON object.</exception>
    protected AgentTool(string name, string description, JsonElement inputSchema)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(description);
        if (!ValidName().IsMatch(name))
        {
            throw new ArgumentException($"The tool name '{name}' is not valid: use 1 to 64 letters, digits, '_' or '-'.", nameof(name));
        }

        if (inputSchema.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException($"The input schema of tool '{name}' must be a JSON object, not {inputSchema.ValueKind}.", nameof(inputSchema));
        }

        Name = name;
        Description = description;
        InputSchema = inputSchema.Clone();
    }

    /// <summary>Gets the name the model calls the tool by.</summary>
    public string Name { get; }

    /// <summary>Gets the description the model reads.</summary>
    public string Description { get; }

    /// <summary>Gets the JSON Schema of the input.</summary>
    public JsonElement InputSchema { get; }

    /// <summary>Gets the text shown to people while the tool is called, such as "🔍 Searching order database…".</summary>
    public string? StatusLabel { get; init; }

    /// <summary>
    /// Gets whether the tool has no side effects. A read-only tool starts as soon as its own input is complete,
    /// while the model is still writing the rest of its message; others wait for the message to end with
    /// <c>stop_reason: tool_use</c>.
    /// </summary>
    public bool IsReadOnly { get; init; }

    /// <summary>
    /// Gets whether every call needs a person's approval before it runs: the run emits
    /// <see cref="Agents.ToolApprovalRequested"/> and waits (up to <see cref="Agents.AgentRunnerOptions.ApprovalTimeout"/>)
    /// for <see cref="Agents.ToolApprovalRequested.Approve"/> or <see cref="Agents.ToolApprovalRequested.Deny"/>. Other
    /// calls of the same message go on meanwhile. See also <see cref="ApprovalCondition"/>.
    /// </summary>
    public bool RequiresApproval { get; init; }

    /// <summary>
    /// Gets a condition on a call's input under which it needs approval, as with <see cref="RequiresApproval"/> (for
    /// example refunds above an amount). It sees input already checked against <see cref="InputSchema"/>; if it throws,
    /// the call needs approval.
    /// </summary>
    public Func<JsonElement, bool>? ApprovalCondition { get; init; }

    /// <summary>Gets whether the tool must not run at the same time as any other tool.</summary>
    public bool RunsAlone { get; init; }

    /// <summary>Gets the tool's own time limit; <see langword="null"/> uses the runner's default.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative (other than infinite).</exception>
    public TimeSpan? Timeout
    {
        get;
        init
        {
            if (value is { } limit && limit <= TimeSpan.Zero && limit != System.Threading.Timeout.InfiniteTimeSpan)
            {
                throw new ArgumentOutOfRangeException(nameof(Timeout), limit, $"The timeout of tool '{Name}' must be positive (or Timeout.InfiniteTimeSpan); it is {limit}.");
            }

            field = value;
        }
    }

    /// <summary>Runs the tool. The input has already been checked against <see cref="InputSchema"/>.</summary>
    /// <param name="input">The model's input.</param>
    /// <param name="context">The call's ID, status reporting and cancellation.</param>
    /// <returns>The result for the model.</returns>
    public abstract ValueTask<ToolResult> ExecuteAsync(JsonElement input, ToolContext context);

    /// <summary>Says whether a call with this input needs approval; a condition that throws means it does.</summary>
    internal bool NeedsApproval(JsonElement input)
    {
        if (RequiresApproval)
        {
            return true;
        }

        try
        {
            return ApprovalCondition?.Invoke(input) ?? false;
        }
        catch (Exception)
        {
            return true; // fail safe: a broken condition must not let a call through unapproved
        }
    }

    /// <summary>Gets the definition sent to the API.</summary>
    /// <returns>The tool definition.</returns>
    public ToolDefinition ToDefinition() => new() { Name = Name, Description = Description, InputSchema = InputSchema };

    /// <inheritdoc/>
    public override string ToString() => Name;

    // \z, not $: "$" also matches before a final line break, which would let "search\n" through.
    [GeneratedRegex(@"^[a-zA-Z0-9_-]{1,64}\z")]
    private static partial Regex ValidName();
}
