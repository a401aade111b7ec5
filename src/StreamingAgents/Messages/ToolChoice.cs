namespace StreamingAgents.Messages;

/// <summary>How the model should use the tools: <c>auto</c>, <c>any</c>, a named <c>tool</c>, or <c>none</c>.</summary>
public sealed record ToolChoice
{
    /// <summary>Gets the choice type.</summary>
    public string Type { get => field ?? "auto"; init; } = "auto";

    /// <summary>Gets the tool to use, when <see cref="Type"/> is <c>tool</c>.</summary>
    public string? Name { get; init; }

    /// <summary>Gets whether the model must call at most one tool per turn.</summary>
    public bool? DisableParallelToolUse { get; init; }

    /// <summary>Gets the choice that lets the model decide.</summary>
    public static ToolChoice Auto { get; } = new() { Type = "auto" };

    /// <summary>Gets the choice that makes the model call some tool.</summary>
    public static ToolChoice Any { get; } = new() { Type = "any" };

    /// <summary>Gets the choice that forbids tool calls.</summary>
    public static ToolChoice None { get; } = new() { Type = "none" };

    /// <summary>Creates the choice that makes the model call the named tool.</summary>
    /// <param name="name">The tool's name.</param>
    /// <returns>The choice.</returns>
    public static ToolChoice Tool(string name) => new() { Type = "tool", Name = name };
}
