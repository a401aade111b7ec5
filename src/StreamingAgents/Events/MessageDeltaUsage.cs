using System.Text.Json;
using System.Text.Json.Serialization;
using StreamingAgents.Messages;

namespace StreamingAgents.Events;

/// <summary>
/// Usage sent with <see cref="MessageDeltaEvent"/>. The counts are cumulative: each field present replaces the
/// message's earlier value; absent fields leave it unchanged.
/// </summary>
public sealed record MessageDeltaUsage
{
    /// <summary>Gets the input token count, when resent.</summary>
    public int? InputTokens { get; init; }

    /// <summary>Gets the cache write token count, when resent.</summary>
    public int? CacheCreationInputTokens { get; init; }

    /// <summary>Gets the cache read token count, when resent.</summary>
    public int? CacheReadInputTokens { get; init; }

    /// <summary>Gets the output token count so far.</summary>
    public int? OutputTokens { get; init; }

    /// <summary>Gets the server tool request counts, when sent.</summary>
    public ServerToolUsage? ServerToolUse { get; init; }

    /// <summary>Gets other usage fields, applied to the message usage's additional properties.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}
