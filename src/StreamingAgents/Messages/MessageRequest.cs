using System.Text.Json;
using System.Text.Json.Serialization;

namespace StreamingAgents.Messages;

/// <summary>
/// A request to the Messages API. Only the fields you set are sent: API versions differ in which sampling
/// parameters they accept (<c>2026-10-21</c> removed <c>temperature</c>, <c>top_p</c> and <c>top_k</c>).
/// </summary>
public sealed record MessageRequest
{
    /// <summary>Gets the model; <see langword="null"/> uses the client's default model.</summary>
    public string? Model { get; init; }

    /// <summary>Gets the maximum number of tokens to generate; <see langword="null"/> uses the client's default.</summary>
    public int? MaxTokens { get; init; }

    /// <summary>Gets the system prompt, as text or blocks.</summary>
    public SystemPrompt? System { get; init; }

    /// <summary>Gets the conversation so far, alternating user and assistant turns.</summary>
    public IReadOnlyList<MessageParam> Messages { get => field ?? []; init; } = [];

    /// <summary>Gets the tools the model may call: client tools and server tools.</summary>
    public IReadOnlyList<ToolDefinition>? Tools { get; init; }

    /// <summary>Gets how the model should choose tools.</summary>
    public ToolChoice? ToolChoice { get; init; }

    /// <summary>Gets the sampling temperature, if set (not accepted by API version 2026-10-21 and later).</summary>
    public double? Temperature { get; init; }

    /// <summary>Gets the nucleus sampling cut-off, if set (not accepted by API version 2026-10-21 and later).</summary>
    public double? TopP { get; init; }

    /// <summary>Gets the top-K sampling cut-off, if set (not accepted by API version 2026-10-21 and later).</summary>
    public int? TopK { get; init; }

    /// <summary>Gets custom sequences that stop generation.</summary>
    public IReadOnlyList<string>? StopSequences { get; init; }

    /// <summary>Gets request metadata, such as an opaque user ID.</summary>
    public RequestMetadata? Metadata { get; init; }

    /// <summary>Gets the extended thinking configuration.</summary>
    public ThinkingConfig? Thinking { get; init; }

    /// <summary>Gets other request fields to send as they are (for parameters this library does not name yet).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }

    /// <summary>Set by the client: the library always streams.</summary>
    [JsonInclude]
    internal bool? Stream { get; init; }
}
