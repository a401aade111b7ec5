using System.Text.Json.Serialization;
using StreamingAgents.Runs;

namespace StreamingAgents.Redis;

/// <summary>The JSON of what the store writes besides events (tool call commands): source-generated, for Native AOT.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UseStringEnumConverter = true)]
[JsonSerializable(typeof(ToolCallCommand))]
internal sealed partial class RedisJsonContext : JsonSerializerContext;
