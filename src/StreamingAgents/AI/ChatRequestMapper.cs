using System.Text.Json;
using Microsoft.Extensions.AI;
using StreamingAgents.Messages;

namespace StreamingAgents.AI;

/// <summary>Builds a Messages API request from chat messages and <see cref="ChatOptions"/>.</summary>
internal static class ChatRequestMapper
{
    public static MessageRequest ToRequest(IEnumerable<ChatMessage> messages, ChatOptions? options, string? defaultModelId)
    {
        var system = new List<string>();
        if (options?.Instructions is { Length: > 0 } instructions)
        {
            system.Add(instructions);
        }

        var turns = new List<MessageParam>();
        foreach (ChatMessage message in messages)
        {
            if (message.Role == ChatRole.System)
            {
                system.Add(message.Text);
                continue;
            }

            bool isAssistant = message.Role == ChatRole.Assistant;
            List<ContentBlock> blocks = [.. message.Contents.SelectMany(content => ToBlocks(content, isAssistant))];
            if (blocks.Count == 0)
            {
                continue;
            }

            // Anthropic alternates roles: consecutive messages of one role (a tool result after a user turn) merge.
            string role = isAssistant ? MessageParam.AssistantRole : MessageParam.UserRole;
            if (turns.Count > 0 && turns[^1].Role == role)
            {
                turns[^1] = turns[^1] with { Content = [.. turns[^1].Content, .. blocks] };
            }
            else
            {
                turns.Add(new MessageParam { Role = role, Content = blocks });
            }
        }

        var request = new MessageRequest
        {
            Model = options?.ModelId ?? defaultModelId,
            MaxTokens = options?.MaxOutputTokens,
            System = system.Count > 0 ? new SystemPrompt(string.Join("\n\n", system)) : null,
            Messages = turns,
            Temperature = options?.Temperature,
            TopP = options?.TopP,
            TopK = options?.TopK,
            StopSequences = options?.StopSequences is { Count: > 0 } stops ? [.. stops] : null,
            Tools = options?.Tools?.OfType<AIFunctionDeclaration>().Select(ToTool).ToList() is { Count: > 0 } tools ? tools : null,
            ToolChoice = ToToolChoice(options),
        };
        if (options?.AdditionalProperties is { Count: > 0 } extra)
        {
            request.AdditionalProperties = extra.ToDictionary(
                static pair => pair.Key,
                static pair => JsonSerializer.SerializeToElement(pair.Value, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(object))));
        }

        return request;
    }

    private static ToolDefinition ToTool(AIFunctionDeclaration function) => new()
    {
        Name = function.Name,
        Description = string.IsNullOrEmpty(function.Description) ? null : function.Description,
        InputSchema = function.JsonSchema,
    };

    private static ToolChoice? ToToolChoice(ChatOptions? options) => options?.ToolMode switch
    {
        NoneChatToolMode => ToolChoice.None,
        RequiredChatToolMode { RequiredFunctionName: { } name } => ToolChoice.Tool(name),
        RequiredChatToolMode => ToolChoice.Any,
        _ => null,
    };

    private static IEnumerable<ContentBlock> ToBlocks(AIContent content, bool isAssistant)
    {
        switch (content)
        {
            case TextContent { Text.Length: > 0 } text:
                yield return new TextBlock { Text = text.Text };
                break;
            case TextReasoningContent reasoning when isAssistant && reasoning.ProtectedData is { Length: > 0 } signature:
                yield return new ThinkingBlock { Thinking = reasoning.Text, Signature = signature };
                break;
            case DataContent data when data.HasTopLevelMediaType("image"):
                yield return new ImageBlock { Source = ImageSource.FromBytes(data.MediaType, data.Data.Span) };
                break;
            case UriContent uri when uri.HasTopLevelMediaType("image"):
                yield return new ImageBlock { Source = ImageSource.FromUrl(uri.Uri) };
                break;
            case FunctionCallContent call when isAssistant:
                yield return new ToolUseBlock
                {
                    Id = call.CallId,
                    Name = call.Name,
                    Input = JsonSerializer.SerializeToElement(call.Arguments ?? new Dictionary<string, object?>(), AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, object?>))),
                };
                break;
            case FunctionResultContent result:
                yield return new ToolResultBlock
                {
                    ToolUseId = result.CallId,
                    Content = [new TextBlock { Text = ResultText(result.Result) }],
                    IsError = result.Exception is not null ? true : null,
                };
                break;
        }
    }

    internal static string ResultText(object? result) => result switch
    {
        null => string.Empty,
        string text => text,
        JsonElement json => json.ValueKind == JsonValueKind.String ? json.GetString()! : json.GetRawText(),
        _ => JsonSerializer.Serialize(result, AIJsonUtilities.DefaultOptions.GetTypeInfo(result.GetType())),
    };
}
