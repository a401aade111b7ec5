using System.Text.Json;
using System.Text.Json.Serialization;
using StreamingAgents.Messages;

namespace StreamingAgents.Events;

/// <summary>
/// Source-generated JSON metadata for every wire type, in the API's own shape (snake_case names, absent optional
/// fields omitted). Use it to serialize a <see cref="Message"/> back as an assistant turn, or to read API examples:
/// <c>JsonSerializer.Serialize(message, AnthropicJsonContext.Default.Message)</c>. (Agent events have their own
/// context, <c>StreamingAgents.Agents.AgentJsonContext</c>.)
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict,
    RespectNullableAnnotations = true)]
[JsonSerializable(typeof(Message))]
[JsonSerializable(typeof(ContentBlock))]
[JsonSerializable(typeof(TextBlock))]
[JsonSerializable(typeof(ToolUseBlock))]
[JsonSerializable(typeof(ServerToolUseBlock))]
[JsonSerializable(typeof(ThinkingBlock))]
[JsonSerializable(typeof(RedactedThinkingBlock))]
[JsonSerializable(typeof(WebSearchToolResultBlock))]
[JsonSerializable(typeof(StreamEvent))]
[JsonSerializable(typeof(MessageStartEvent))]
[JsonSerializable(typeof(ContentBlockStartEvent))]
[JsonSerializable(typeof(ContentBlockDeltaEvent))]
[JsonSerializable(typeof(ContentBlockStopEvent))]
[JsonSerializable(typeof(MessageDeltaEvent))]
[JsonSerializable(typeof(MessageStopEvent))]
[JsonSerializable(typeof(PingEvent))]
[JsonSerializable(typeof(ErrorEvent))]
[JsonSerializable(typeof(ContentBlockDelta))]
[JsonSerializable(typeof(TextDelta))]
[JsonSerializable(typeof(InputJsonDelta))]
[JsonSerializable(typeof(ThinkingDelta))]
[JsonSerializable(typeof(SignatureDelta))]
[JsonSerializable(typeof(CitationsDelta))]
[JsonSerializable(typeof(ToolResultBlock))]
[JsonSerializable(typeof(ImageBlock))]
[JsonSerializable(typeof(MessageRequest))]
[JsonSerializable(typeof(List<TextBlock>))]
[JsonSerializable(typeof(IReadOnlyList<TextBlock>))]
[JsonSerializable(typeof(List<ContentBlock>))]
[JsonSerializable(typeof(IReadOnlyList<ContentBlock>))]
[JsonSerializable(typeof(JsonElement))]
public sealed partial class AnthropicJsonContext : JsonSerializerContext;
