using System.Text.Json.Serialization;

namespace StreamingAgents.Agents;

/// <summary>
/// Source-generated JSON metadata for the agent events, their public wire contract:
/// <c>JsonSerializer.Serialize(e, AgentJsonContext.Default.AgentEvent)</c>. Every property names itself, so options
/// that add this context to their resolvers (ASP.NET Core's web defaults, say) give the same JSON; that is also what
/// makes it work under Native AOT.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, RespectNullableAnnotations = true)]
[JsonSerializable(typeof(AgentEvent))]
[JsonSerializable(typeof(AgentRunOutcome))]
[JsonSerializable(typeof(SerializedAgentEvent))]
public sealed partial class AgentJsonContext : JsonSerializerContext;
