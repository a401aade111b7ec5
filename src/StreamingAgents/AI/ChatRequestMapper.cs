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
                // The API wants a user turn's tool results before anything else in it.
                IEnumerable<ContentBlock> merged = [.. turns[^1].Content, .. blocks];
                turns[^1] = turns[^1] with { Content = [.. merged.OrderBy(static block => block is ToolResultBlock ? 0 : 1)] };
            }
            else
            {
                turns.Add(new MessageParam { Role = role, Content = blocks });
            }
        }

        if (options?.ResponseFormat is ChatResponseFormatJson)
        {
            throw new NotSupportedException("ChatOptions.ResponseFormat JSON is not supported by the Anthropic Messages API; describe the format in the instructions, or use a tool whose input schema is the format.");
        }

        List<ToolDefinition>? tools = options?.Tools?.OfType<AIFunctionDeclaration>().Select(ToTool).ToList() is { Count: > 0 } declared ? declared : null;
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
            Tools = tools,
            ToolChoice = tools is null ? null : ToToolChoice(options), // a tool choice without tools is an error to the API
        };
        if (options?.AdditionalProperties is { Count: > 0 } extra)
        {
            request.AdditionalProperties = extra.ToDictionary(static pair => pair.Key, static pair => ExtraField(pair.Key, pair.Value));
        }

        return request;
    }

    private static ToolDefinition ToTool(AIFunctionDeclaration function) => new()
    {
        Name = function.Name,
        Description = string.IsNullOrEmpty(function.Description) ? null : function.Description,
        InputSchema = function.JsonSchema,
    };

    private static ToolChoice? ToToolChoice(ChatOptions? options)
    {
        ToolChoice? choice = options?.ToolMode switch
        {
            NoneChatToolMode => ToolChoice.None,
            RequiredChatToolMode { RequiredFunctionName: { } name } => ToolChoice.Tool(name),
            RequiredChatToolMode => ToolChoice.Any,
            _ => null,
        };
        return options?.AllowMultipleToolCalls == false
            ? (choice ?? ToolChoice.Auto) with { DisableParallelToolUse = true }
            : choice;
    }

    /// <summary>The request's named fields cannot be set again through <see cref="ChatOptions.AdditionalProperties"/>.</summary>
    private static readonly HashSet<string> s_namedFields = new(StringComparer.Ordinal)
    {
        "model", "max_tokens", "system", "messages", "tools", "tool_choice", "temperature", "top_p", "top_k", "stop_sequences", "stream", "metadata", "thinking",
    };

    private static JsonElement ExtraField(string key, object? value)
    {
        if (s_namedFields.Contains(key))
        {
            throw new ArgumentException($"ChatOptions.AdditionalProperties['{key}'] would set a field the request already has; use the ChatOptions property for it.", nameof(value));
        }

        try
        {
            return JsonSerializer.SerializeToElement(value, AIJsonUtilities.DefaultOptions.GetTypeInfo(value?.GetType() ?? typeof(object)));
        }
        catch (Exception exception) when (exception is NotSupportedException or JsonException or InvalidOperationException)
        {
            throw new ArgumentException($"ChatOptions.AdditionalProperties['{key}'] ({value?.GetType().Name}) cannot be written as JSON: {exception.Message}", nameof(value), exception);
        }
    }

    private static IEnumerable<ContentBlock> ToBlocks(AIContent content, bool isAssistant)
    {
        switch (content)
        {
            case TextContent text:
                if (!string.IsNullOrWhiteSpace(text.Text))
                {
                    yield return new TextBlock { Text = text.Text }; // the API refuses empty or blank text blocks
                }

                break;
            case TextReasoningContent reasoning when isAssistant && reasoning.ProtectedData is { Length: > 0 } signature:
                yield return new ThinkingBlock { Thinking = reasoning.Text, Signature = signature };
                break;
            case TextReasoningContent or UsageContent or ErrorContent:
                break; // not part of a request (reasoning without a signature cannot be sent back)
            case DataContent or UriContent when ToImage(content) is { } image:
                yield return image;
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
                yield return ToToolResult(result);
                break;
            default:
                throw new NotSupportedException($"{content.GetType().Name}{(content is DataContent data ? $" ({data.MediaType})" : content is UriContent uri ? $" ({uri.MediaType})" : "")} cannot be sent to the Anthropic Messages API by this client; it takes text, images, reasoning with a signature, function calls and function results.");
        }
    }

    private static ImageBlock? ToImage(AIContent content) => content switch
    {
        DataContent data when data.HasTopLevelMediaType("image") => new ImageBlock { Source = ImageSource.FromBytes(data.MediaType, data.Data.Span) },
        UriContent uri when uri.HasTopLevelMediaType("image") => new ImageBlock { Source = ImageSource.FromUrl(uri.Uri) },
        _ => null,
    };

    /// <summary>A function's result: text, images and lists of contents as blocks, an exception as an error, anything else as JSON.</summary>
    private static ToolResultBlock ToToolResult(FunctionResultContent result)
    {
        bool isError = result.Exception is not null || result.Result is Exception;
        List<ContentBlock> blocks = result.Result switch
        {
            Exception exception => [new TextBlock { Text = exception.Message }],
            AIContent single => [.. ResultBlocks([single])],
            IEnumerable<AIContent> many => [.. ResultBlocks(many)],
            var other => [new TextBlock { Text = ResultText(other, result.CallId) }],
        };
        return new ToolResultBlock
        {
            ToolUseId = result.CallId,
            Content = [.. blocks.Where(static block => block is not TextBlock { Text: "" })], // an empty text block is refused
            IsError = isError ? true : null,
        };
    }

    private static IEnumerable<ContentBlock> ResultBlocks(IEnumerable<AIContent> contents) => contents.Select(static content =>
        content is TextContent text ? new TextBlock { Text = text.Text } : ToImage(content) ?? (ContentBlock)new TextBlock { Text = ResultText(content, callId: null) });

    internal static string ResultText(object? result, string? callId) => result switch
    {
        null => string.Empty,
        string text => text,
        JsonElement json => json.ValueKind == JsonValueKind.String ? json.GetString()! : json.GetRawText(),
        _ => Serialize(result, callId),
    };

    private static string Serialize(object result, string? callId)
    {
        try
        {
            return JsonSerializer.Serialize(result, AIJsonUtilities.DefaultOptions.GetTypeInfo(result.GetType()));
        }
        catch (Exception exception) when (exception is NotSupportedException or JsonException or InvalidOperationException)
        {
            throw new ArgumentException($"The result of function call '{callId}' ({result.GetType().Name}) cannot be written as JSON: {exception.Message}", nameof(result), exception);
        }
    }
}
