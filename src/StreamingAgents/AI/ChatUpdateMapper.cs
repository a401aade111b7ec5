using System.Text.Json;
using Microsoft.Extensions.AI;
using StreamingAgents.Events;
using StreamingAgents.Messages;

namespace StreamingAgents.AI;

/// <summary>Turns one response's stream events into chat updates, keeping the message so far for tool inputs and usage.</summary>
internal sealed class ChatUpdateMapper : IDisposable
{
    private readonly MessageAccumulator _message = new();
    private string? _responseId;
    private string? _modelId;

    public ChatResponseUpdate? Map(StreamEvent streamEvent)
    {
        _message.Add(streamEvent);
        switch (streamEvent)
        {
            case MessageStartEvent start:
                _responseId = start.Message.Id;
                _modelId = start.Message.Model;
                return Update(streamEvent, []);
            case ContentBlockDeltaEvent delta when delta.Text is { } text:
                return Update(streamEvent, [new TextContent(text)]);
            case ContentBlockDeltaEvent { Delta: ThinkingDelta thinking }:
                return Update(streamEvent, [new TextReasoningContent(thinking.Thinking)]);
            case ContentBlockDeltaEvent { Delta: SignatureDelta signature }:
                return Update(streamEvent, [new TextReasoningContent(string.Empty) { ProtectedData = signature.Signature }]);
            case ContentBlockStartEvent { ContentBlock: ToolUseBlock }:
                return Update(streamEvent, []); // the call is known (its name is in the raw event); its input is not yet
            case ContentBlockStopEvent stop when _message.GetContentBlock(stop.Index) is ToolUseBlock call:
                return Update(streamEvent, [ToFunctionCall(call)]);
            case MessageDeltaEvent messageDelta:
                ChatResponseUpdate update = Update(streamEvent, [new UsageContent(Usage(_message.Message.Usage))]);
                update.FinishReason = FinishReason(messageDelta.Delta.StopReason);
                return update;
            default:
                return null; // pings, stops, other deltas: nothing for a chat update
        }
    }

    public void Dispose() => _message.Dispose();

    /// <summary>Anthropic's stop reasons in Microsoft.Extensions.AI's terms (others keep their own name).</summary>
    internal static ChatFinishReason? FinishReason(StopReason? stopReason) => stopReason?.Value switch
    {
        null => null,
        "end_turn" or "stop_sequence" => ChatFinishReason.Stop,
        "max_tokens" or "model_context_window_exceeded" => ChatFinishReason.Length,
        "tool_use" => ChatFinishReason.ToolCalls,
        "refusal" => ChatFinishReason.ContentFilter,
        { } other => new ChatFinishReason(other),
    };

    /// <summary>One usage for the whole response: Microsoft.Extensions.AI sums the usage of all updates.</summary>
    internal static UsageDetails Usage(Usage usage)
    {
        long cached = (usage.CacheReadInputTokens ?? 0) + (usage.CacheCreationInputTokens ?? 0);
        long input = usage.InputTokens + cached;
        return new UsageDetails
        {
            InputTokenCount = input,
            OutputTokenCount = usage.OutputTokens,
            TotalTokenCount = input + usage.OutputTokens,
            CachedInputTokenCount = usage.CacheReadInputTokens,
        };
    }

    /// <summary>
    /// A whole call is invocable; one whose input was cut off (max_tokens) or is not JSON is only informational, with
    /// the reason in <see cref="FunctionCallContent.Exception"/>: function invocation must not run it on partial input.
    /// </summary>
    private static FunctionCallContent ToFunctionCall(ToolUseBlock call) => call.InputStatus == ToolInputStatus.Complete
        ? new FunctionCallContent(call.Id, call.Name, Arguments(call)) { RawRepresentation = call }
        : new FunctionCallContent(call.Id, call.Name, Arguments(call))
        {
            RawRepresentation = call,
            InformationalOnly = true,
            Exception = new InvalidDataException($"The input of tool call '{call.Id}' ({call.Name}) is {call.InputStatus.ToString().ToLowerInvariant()} JSON: {call.InputJson}"),
        };

    private static Dictionary<string, object?> Arguments(ToolUseBlock call)
    {
        var arguments = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (call.Input.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty property in call.Input.EnumerateObject())
            {
                arguments[property.Name] = property.Value.Clone();
            }
        }

        return arguments;
    }

    private ChatResponseUpdate Update(StreamEvent streamEvent, IList<AIContent> contents) => new(ChatRole.Assistant, contents)
    {
        ResponseId = _responseId,
        MessageId = _responseId,
        ModelId = _modelId,
        RawRepresentation = streamEvent,
    };
}
