using System.Text.Json.Serialization;

namespace StreamingAgents.Messages;

/// <summary>A system prompt: plain text, or text blocks (for example to set cache breakpoints).</summary>
[JsonConverter(typeof(SystemPromptJsonConverter))]
public sealed class SystemPrompt
{
    /// <summary>Initializes a text system prompt.</summary>
    /// <param name="text">The prompt.</param>
    public SystemPrompt(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Text = text;
    }

    /// <summary>Initializes a system prompt of blocks.</summary>
    /// <param name="blocks">The blocks.</param>
    public SystemPrompt(IReadOnlyList<TextBlock> blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        Blocks = blocks;
    }

    /// <summary>Gets the prompt text, when given as text.</summary>
    public string? Text { get; }

    /// <summary>Gets the prompt blocks, when given as blocks.</summary>
    public IReadOnlyList<TextBlock>? Blocks { get; }

    /// <summary>Converts text to a system prompt.</summary>
    /// <param name="text">The prompt.</param>
    public static implicit operator SystemPrompt(string text) => new(text);

    /// <summary>Creates a text system prompt.</summary>
    /// <param name="text">The prompt.</param>
    /// <returns>The system prompt.</returns>
    public static SystemPrompt FromString(string text) => new(text);

    /// <inheritdoc/>
    public override string ToString() => Text ?? string.Concat(Blocks!.Select(static block => block.Text));
}
